package org.upcert.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.AssetResource;

/**
 * The resources the host app uploaded itself, in the foreground ({@link AppGroupStorage#HOST_APP_UPLOADS}:
 * one resource key per line, appended by the app, never rewritten), folded into the {@link Ledger}
 * as uploaded, so no job is created for them and the jobs still in flight for them are cancelled
 * by {@link JobCreator} (reference rule 13: "resources already uploaded get no new jobs").
 *
 * <p>The file is the host app's, not ours: it is read, never written. Each line is a resource
 * key, matched key by key (an asset whose large video the app uploaded may still have a photo for
 * us to upload). A line that is not a key is skipped. How far the file was read is kept in memory
 * only: a relaunched process reads it again from the start, which changes nothing (an entry
 * already uploaded stays as it is).
 */
final class HostAppUploads {
    private int linesRead;

    /**
     * Records every resource listed since the last read as uploaded (one ledger append); returns
     * how many ledger entries changed.
     */
    int fold(AppGroupStorage storage, Ledger ledger) {
        return fold(storage, ledger, 0);
    }

    /**
     * As {@link #fold(AppGroupStorage, Ledger)}, skipping the first {@code oldServerLines} lines:
     * what the host app listed before the account moved to another server went to the old one
     * ({@link ServerChange#hostUploadsBefore()}).
     */
    int fold(AppGroupStorage storage, Ledger ledger, int oldServerLines) {
        Optional<String> text = storage.readString(AppGroupStorage.HOST_APP_UPLOADS);
        if (text.isEmpty()) {
            return 0;
        }
        String[] lines = text.get().split("\n");
        if (lines.length <= linesRead) {
            return 0;
        }
        List<LedgerEntry> updates = new ArrayList<>();
        for (int i = Math.max(linesRead, oldServerLines); i < lines.length; i++) {
            String key = lines[i].strip();
            try {
                AssetResource.Key.parse(key);
            } catch (IllegalArgumentException notAKey) {
                continue;
            }
            Optional<LedgerEntry> known = ledger.get(key);
            if (known.isEmpty()) {
                updates.add(LedgerEntry.discovered(key, ledger.allocateOrder()).uploaded(""));
            } else if (known.get().status() == ResourceStatus.NEEDS_UPLOAD) {
                updates.add(known.get().uploaded(""));
            }
        }
        int changed = ledger.record(updates, storage); // durable first; memory follows (Ledger.record)
        linesRead = lines.length;
        return changed;
    }
}
