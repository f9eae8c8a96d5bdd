package org.upcert.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeToken;
import org.upcert.api.ExtensionContext;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;

/**
 * Finds the resources that exist and records them in the {@link Ledger}, following the
 * library's persistent change history, as Apple recommends (app-group storage plus
 * {@code fetchPersistentChanges(since:)}, reference §3).
 *
 * <ul>
 *   <li>No stored token (first run): take {@code currentChangeToken()} <em>before</em> scanning
 *       {@code fetchAssets()}, so an asset added during the scan shows up in the next change
 *       list instead of falling between the two (CHG-02). Record every resource, then store
 *       the token.
 *   <li>A stored token: {@code fetchPersistentChanges(token)}; inserted and updated assets are
 *       fetched and their unknown resources recorded; resources of deleted assets that still
 *       needed an upload are marked {@link ResourceStatus#GONE} (their jobs are then cancelled
 *       by {@link JobCreator}, E2E-03). The newest token is stored after the ledger append.
 *   <li>{@code PERSISTENT_CHANGE_TOKEN_EXPIRED} (or change details unavailable): drop the
 *       token and resynchronise with a full scan, which also marks gone what is no longer
 *       there; the call then answers PROCESSING (CHG-01).
 *   <li>The library not answering ({@link Result.Kind#UNRELIABLE}): a scan with no asset, inserted
 *       assets fetched as nothing, any other error of the change history. Nothing is recorded and
 *       no token stored: the same read happens next call. A resource is marked gone only when the
 *       library said so (a deletion in the changes, or absence from a scan that found assets).
 * </ul>
 *
 * <p>Kill safety: the ledger append comes before the token write. A kill between them replays
 * the same changes next time, and recording is idempotent (only unknown resources are added).
 * The reverse order could store a token past changes that were never recorded: lost photos.
 */
final class Discovery {

    static final String TOKEN_FILE = "discovery/change-token.txt";

    private Optional<ChangeToken> token = Optional.empty();
    private boolean tokenLoaded;

    /** What a synchronisation did. */
    record Result(Kind kind, int assets, int added, int gone) {
        /** How the library was read. */
        enum Kind {
            /** No token yet: full scan. */
            FIRST_SCAN,
            /** The token had expired: full scan, answer PROCESSING. */
            RESYNC,
            /** Changes since the token. */
            CHANGES,
            /** No change since the token. */
            UNCHANGED,
            /** Access was withdrawn during a full scan: nothing recorded. */
            ABORTED,
            /**
             * The library did not answer: a scan that found no asset at all, inserted assets that
             * came back as nothing, or the change history failing (PhotoKit inside an extension
             * "returns nothing at times", errors 3300 and -1: YAIIU #50). Nothing is recorded,
             * no token stored, nothing marked gone: "not returned" is not "deleted".
             */
            UNRELIABLE,
            /**
             * A full scan that found no asset: an empty library, or one that did not answer; the two
             * look the same. Treated like {@link #UNRELIABLE} (nothing recorded, no token stored).
             */
            NOTHING_FOUND
        }

        /** Whether the library was not read this call (nothing recorded, no token stored). */
        boolean unread() {
            return kind == Kind.UNRELIABLE || kind == Kind.NOTHING_FOUND;
        }

        /** Whether the call must answer PROCESSING because of this (CHG-01). */
        boolean demandsProcessing() {
            return kind == Kind.RESYNC;
        }

        /** A log line, or empty when there is nothing worth saying. */
        Optional<String> describe() {
            return switch (kind) {
                case UNCHANGED -> Optional.empty();
                case CHANGES -> added + gone == 0 ? Optional.empty()
                        : Optional.of("discovery: " + assets + " changed assets, " + added + " new resources, " + gone + " gone");
                case FIRST_SCAN -> Optional.of("discovery: first scan, " + assets + " assets, " + added + " resources to upload"
                        + (gone > 0 ? ", " + gone + " gone" : ""));
                case RESYNC -> Optional.of("discovery: change token expired, resynchronised " + assets + " assets: "
                        + added + " new resources, " + gone + " gone");
                case ABORTED -> Optional.of("discovery: library access withdrawn during the scan, nothing recorded");
                case UNRELIABLE -> Optional.of("discovery: the photo library did not answer, nothing recorded; trying again next call");
                case NOTHING_FOUND -> Optional.of("discovery: a full scan found no asset (an empty library, or one that did not"
                        + " answer), nothing recorded; scanning again next call");
            };
        }
    }

    /**
     * The next {@link #synchronise} scans the whole library instead of reading the changes: asked for
     * assets the ledger has to upload, the library returned none of them ({@link
     * JobCreator#noCandidateFound()}). The stored token stays until that scan stores a fresh one.
     */
    void rescanNextCall() {
        token = Optional.empty();
        tokenLoaded = true;
    }

    /** Brings the ledger up to date with the library. The caller has checked consent. */
    Result synchronise(ExtensionContext context, Ledger ledger) {
        AppGroupStorage storage = context.storage();
        PhotoLibrary library = context.library();
        if (!tokenLoaded) {
            // Once per process: a new instance after a kill has only what storage kept.
            Optional<String> stored = storage.readString(TOKEN_FILE);
            String text = stored.isPresent() ? stored.get().strip() : "";
            token = text.isEmpty() ? Optional.empty() : Optional.of(ChangeToken.decode(text));
            tokenLoaded = true;
        }
        if (token.isEmpty()) {
            return fullScan(context, ledger, Result.Kind.FIRST_SCAN);
        }
        List<PersistentChange> changes;
        try {
            changes = library.fetchPersistentChanges(token.get());
        } catch (PhotosException e) {
            if (e.code() == PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED
                    || e.code() == PhotosErrorCode.PERSISTENT_CHANGE_DETAILS_UNAVAILABLE) {
                // CHG-01: drop the token. The stored file keeps the expired one until the rescan
                // stores a fresh one; a kill in between just expires again and rescans again.
                token = Optional.empty();
                return fullScan(context, ledger, Result.Kind.RESYNC);
            }
            // Any other error (3300, -1 in the field): the history is still there; read it next call.
            return new Result(Result.Kind.UNRELIABLE, 0, 0, 0);
        }
        if (changes.isEmpty()) {
            return new Result(Result.Kind.UNCHANGED, 0, 0, 0);
        }

        // Fold the history into its net effect, oldest change first: an asset inserted then
        // deleted is just deleted; nothing is deleted and then inserted again (identifiers are
        // never reused).
        TreeSet<String> present = new TreeSet<>();
        TreeSet<String> deleted = new TreeSet<>();
        for (PersistentChange change : changes) {
            for (String id : change.insertedAssets()) {
                present.add(id);
                deleted.remove(id);
            }
            for (String id : change.updatedAssets()) {
                present.add(id);
                deleted.remove(id);
            }
            for (String id : change.deletedAssets()) {
                deleted.add(id);
                present.remove(id);
            }
        }
        List<Asset> assets = present.isEmpty() ? List.of() : library.fetchAssets(present);
        if (!present.isEmpty() && assets.isEmpty()) {
            // Inserted assets that come back as nothing at all: the library did not answer. The
            // token is not advanced, so the same changes are read again next call. (Some of
            // them missing is an asset deleted since: its deletion is in the next changes.)
            return new Result(Result.Kind.UNRELIABLE, 0, 0, 0);
        }
        TreeMap<String, LedgerEntry> updates = new TreeMap<>();
        int added = 0;
        for (Asset asset : assets) {
            for (AssetResource resource : asset.resources()) {
                added += recordPresent(resource.key(), ledger, updates);
            }
        }
        int gone = 0;
        for (String id : deleted) {
            for (LedgerEntry entry : ledger.entriesOfAsset(id)) {
                if (entry.status() == ResourceStatus.NEEDS_UPLOAD) {
                    updates.put(entry.key(), entry.withStatus(ResourceStatus.GONE));
                    gone++;
                }
            }
        }
        ledger.record(inDiscoveryOrder(updates), storage);
        ChangeToken newest = changes.get(changes.size() - 1).changeToken();
        storage.writeString(TOKEN_FILE, newest.encoded());
        token = Optional.of(newest);
        return new Result(Result.Kind.CHANGES, present.size() + deleted.size(), added, gone);
    }

    private Result fullScan(ExtensionContext context, Ledger ledger, Result.Kind kind) {
        PhotoLibrary library = context.library();
        ChangeToken before = library.currentChangeToken(); // before the scan: CHG-02
        List<Asset> assets = library.fetchAssets();
        if (library.authorizationStatus() != AuthorizationStatus.AUTHORIZED) {
            // fetchAssets() is empty without full access. Trusting a scan taken while access was
            // being withdrawn would mark every pending resource gone: record nothing.
            return new Result(Result.Kind.ABORTED, assets.size(), 0, 0);
        }
        if (assets.isEmpty()) {
            // A scan that finds nothing is not trusted: an empty library and a library that did not
            // answer look the same. No token is stored, so the next call scans again. After an
            // expired token it is the library not answering: the extension knows it is not up to
            // date, so never COMPLETED (CHG-01), whatever its ledger says is left to upload.
            return new Result(kind == Result.Kind.RESYNC ? Result.Kind.UNRELIABLE : Result.Kind.NOTHING_FOUND, 0, 0, 0);
        }
        TreeSet<String> present = new TreeSet<>();
        TreeMap<String, LedgerEntry> updates = new TreeMap<>();
        int added = 0;
        for (Asset asset : assets) { // oldest first: the order resources will be uploaded in
            for (AssetResource resource : asset.resources()) {
                present.add(resource.key());
                added += recordPresent(resource.key(), ledger, updates);
            }
        }
        int gone = 0;
        for (LedgerEntry entry : ledger.all()) {
            if (entry.status() == ResourceStatus.NEEDS_UPLOAD && !present.contains(entry.key())) {
                updates.put(entry.key(), entry.withStatus(ResourceStatus.GONE));
                gone++;
            }
        }
        ledger.record(inDiscoveryOrder(updates), context.storage());
        context.storage().writeString(TOKEN_FILE, before.encoded());
        token = Optional.of(before);
        return new Result(kind, assets.size(), added, gone);
    }

    /**
     * Stages the change for a resource seen in the library: a new entry if unknown, back to
     * NEEDS_UPLOAD if it had been marked gone (an asset that is there after all); otherwise
     * nothing. Returns 1 if the resource now needs an upload because of this.
     */
    private static int recordPresent(String key, Ledger ledger, TreeMap<String, LedgerEntry> updates) {
        if (updates.containsKey(key)) {
            return 0;
        }
        Optional<LedgerEntry> known = ledger.get(key);
        if (known.isEmpty()) {
            updates.put(key, LedgerEntry.discovered(key, ledger.allocateOrder()));
            return 1;
        }
        if (known.get().status() == ResourceStatus.GONE) {
            updates.put(key, known.get().withStatus(ResourceStatus.NEEDS_UPLOAD));
            return 1;
        }
        return 0;
    }

    private static List<LedgerEntry> inDiscoveryOrder(TreeMap<String, LedgerEntry> updates) {
        List<LedgerEntry> ordered = new ArrayList<>(updates.values());
        ordered.sort(new ByOrderOnly());
        return ordered;
    }

    /** Discovery order alone (a stable sort keeps key order among equals); a class, not a lambda: see {@link Ledger}. */
    private static final class ByOrderOnly implements java.util.Comparator<LedgerEntry> {
        @Override
        public int compare(LedgerEntry a, LedgerEntry b) {
            return Long.compare(a.order(), b.order());
        }
    }
}
