package org.upcert.sample;

import org.upcert.api.AppGroupStorage;

/**
 * How many unacknowledged jobs the sample keeps, at most, below the system's {@code jobLimit}:
 * a queue no longer than the uplink carries within a credential's life.
 *
 * <p>A destination carries a bearer token that lives an hour; the system starts a job's request
 * only when the jobs before it are sent, and the server checks the token when the request
 * starts. On a slow uplink a full queue of videos outlives the token: every job at its tail
 * fails with USER_AUTHENTICATION_REQUIRED, is retried with a fresh token, waits behind the same
 * queue again and fails again, and new jobs for those resources would do the same for ever. The
 * extension cannot see the uplink; it sees that signal, a job refused for its credentials even
 * after the retry that renewed them. Then the window halves (once per call, however many such
 * jobs the call meets: they are one event, as a burst of losses is for TCP), and every upload
 * that succeeds widens it by one again, up to {@code jobLimit}.
 *
 * <p>Kept in the app group as one number ({@link #FILE}); absent, unreadable or torn, the window
 * is {@code jobLimit} (as if never narrowed).
 */
final class QueueWindow {
    static final String FILE = "queue-window";

    private boolean loaded;
    /** The narrowed window; null while it is the whole {@code jobLimit}. */
    private Integer window;

    /** The most unacknowledged jobs to keep now, at most {@code jobLimit}. */
    int limit(AppGroupStorage storage, int jobLimit) {
        load(storage);
        return window == null ? jobLimit : Math.min(jobLimit, window);
    }

    /**
     * After one acknowledge step: halved if the step met a job refused for its credentials after
     * the retry that renewed them, then widened by the uploads that succeeded; written only when
     * it changed (a process reads it once: nothing else writes the file).
     */
    void update(AppGroupStorage storage, java.util.function.IntSupplier jobLimits, boolean credentialsOutlived, int succeeded) {
        if (!credentialsOutlived && (succeeded == 0 || !narrowed(storage))) {
            return; // nothing happened, or never narrowed: nothing to widen
        }
        load(storage);
        int jobLimit = jobLimits.getAsInt(); // asked only here: most steps change nothing
        Integer before = window;
        int next = before == null ? jobLimit : Math.min(jobLimit, before);
        if (credentialsOutlived) {
            next = Math.max(1, next / 2);
        }
        next = Math.min(jobLimit, next + succeeded);
        Integer after = next >= jobLimit ? null : next;
        if (java.util.Objects.equals(before, after)) {
            return;
        }
        if (after == null) {
            storage.delete(FILE); // back to the whole limit
        } else {
            storage.writeString(FILE, Integer.toString(after));
        }
        window = after;
    }

    private boolean narrowed(AppGroupStorage storage) {
        load(storage);
        return window != null;
    }

    private void load(AppGroupStorage storage) {
        if (loaded) {
            return;
        }
        java.util.Optional<String> text = storage.readString(FILE);
        window = null;
        if (text.isPresent()) {
            try {
                int value = Integer.parseInt(text.get().strip());
                window = value >= 1 ? value : null;
            } catch (NumberFormatException torn) {
                window = null;
            }
        }
        loaded = true;
    }
}
