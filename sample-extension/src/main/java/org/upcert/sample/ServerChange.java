package org.upcert.sample;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.ExtensionContext;

/**
 * The host app moved the user's account to another server (or account) mid-backup
 * ({@link AppGroupStorage#HOST_APP_SERVER}, {@code host/server}: {@code generation=N}, the new
 * {@code uploadBase} and {@code apiBase}, and {@code hostUploadedLines}). The ledger describes
 * the old server: everything it records as uploaded (or given up) there is to upload again, the
 * stored tokens belong to the old server, and the first {@code hostUploadedLines} lines of
 * {@code host/uploaded} name what the host app uploaded to the old server. After a move back, the
 * server keeps what it received before (docs/simulator.md), but one ledger cannot tell what that
 * was: this extension uploads it again, which is not counted as a duplicate (DUP-02 counts per
 * stay of the account on a server). Followed at the start of every call, before anything else
 * reads the ledger.
 *
 * <p>What this extension has followed is its own file, {@value #FOLLOWED}: the generation and
 * {@code hostUploadedLines} of the change it followed.
 * The ledger is reset first, durably, then the file written: a kill in between only resets again
 * (nothing was uploaded to the new server yet in that call).
 */
final class ServerChange {
    /** This extension's record of the last change it followed. */
    static final String FOLLOWED = "server/followed.txt";

    private long generation = -1;
    private int hostUploadsBefore;

    /**
     * Reads {@code host/server} and, if it names a change this extension has not followed yet,
     * follows it. Returns whether it did.
     */
    boolean follow(ExtensionContext context, Ledger ledger) {
        AppGroupStorage storage = context.storage();
        String server = storage.readString(AppGroupStorage.HOST_APP_SERVER).orElse("");
        long named = field(server, "generation");
        if (named == 0) {
            generation = 0; // the account never moved: nothing followed, nothing to read
            return false;
        }
        if (generation < 0) {
            Optional<String> followed = storage.readString(FOLLOWED);
            generation = followed.isPresent() ? field(followed.get(), "generation") : 0L;
            hostUploadsBefore = followed.isPresent() ? (int) field(followed.get(), "hostUploadedLines") : 0;
        }
        if (named <= generation) {
            return false;
        }
        List<LedgerEntry> reset = new ArrayList<>();
        for (LedgerEntry entry : ledger.all()) {
            if (entry.status() != ResourceStatus.GONE) {
                // to upload again, with no attempt, refusal or server id of the old server's
                reset.add(new LedgerEntry(entry.key(), ResourceStatus.NEEDS_UPLOAD, 0, "", entry.order(), 0, 0, 0,
                        entry.jobSinceMillis()));
            }
        }
        int changed = ledger.record(reset, storage);
        for (String name : storage.list("cloud/")) {
            storage.delete(name); // the old server's tokens and sessions
        }
        int lines = (int) field(server, "hostUploadedLines"); // the host app's uploads to the old server
        storage.writeString(FOLLOWED, "generation=" + named + "\nhostUploadedLines=" + lines + "\n");
        generation = named;
        hostUploadsBefore = lines;
        context.log().info("the host app moved the account to another server (" + AppGroupStorage.HOST_APP_SERVER
                + " generation " + named + ", uploads to " + context.uploadUrlBase() + "): " + changed
                + " ledger entries to upload again there");
        return true;
    }

    /** Whether the account ever moved to another server since this extension started backing up. */
    boolean changedEver() {
        return generation > 0;
    }

    /** How many lines of {@code host/uploaded} the host app wrote before the change followed: the old server's uploads. */
    int hostUploadsBefore() {
        return hostUploadsBefore;
    }

    /**
     * Whether {@code destination} lies under {@code base} as the system judges it (scheme, host
     * and port equal, path under the base's path): a destination that does not went to a server
     * the account has left.
     */
    static boolean under(URI destination, URI base) {
        if (destination.getScheme() == null || destination.getHost() == null) {
            return false;
        }
        String basePath = base.getRawPath() == null ? "/" : base.getRawPath();
        String path = destination.getRawPath() == null ? "/" : destination.getRawPath();
        return destination.getScheme().toLowerCase(Locale.ROOT).equals(String.valueOf(base.getScheme()).toLowerCase(Locale.ROOT))
                && destination.getHost().equalsIgnoreCase(String.valueOf(base.getHost()))
                && destination.getPort() == base.getPort() && path.startsWith(basePath);
    }

    private static long field(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "=")) {
                try {
                    return Long.parseLong(line.substring(name.length() + 1).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
