package org.upcert.conformance.rules;

import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * The host app's changes of server (host.server, docs/simulator.md "The host app"). A trace
 * writes the first server's upload host as {@code {cloud}/} and the second's as {@code {cloud2}/};
 * a second change moves the account back to the first server.
 *
 * <p><b>A server keeps what it received</b> (upcert decides; the reference is silent): what
 * counts at any moment is what the server the account is on <em>now</em> holds, whenever it got
 * it. An upload counts if it went to that server, by its traced upload host: one sent to the
 * first server before a move to the second counts again once the account moves back (the photo is
 * in the user's account there, as on a real cloud), and one sent to the server the account left
 * does not count while it is away. A run without a change has one server and every upload counts.
 *
 * <p>Some figures are kept per <em>tenure</em> (one stay of the account on a server, from a change
 * to the next): an extension cannot know what a server it comes back to holds unless it keeps a
 * ledger per server, so uploading there again after a move is not a duplicate (DUP-02, CLD-02,
 * TRM-03 count duplicates per tenure).
 */
final class ServerChanges {
    /** The line of the last change that happened (a skipped one changes nothing); 0 if none. */
    private final int lastChangeLine;
    /** The upload host of the server the account is on at the end, as traces write it. */
    private final String currentUploadHost;

    private ServerChanges(int lastChangeLine, String currentUploadHost) {
        this.lastChangeLine = lastChangeLine;
        this.currentUploadHost = currentUploadHost;
    }

    static ServerChanges of(RunEvidence evidence) {
        return evidence.derived(ServerChanges.class, ServerChanges::read);
    }

    private static ServerChanges read(RunEvidence evidence) {
        int line = 0;
        String host = FIRST;
        for (TraceEvent event : evidence.events()) {
            if (changed(event)) {
                line = event.line();
                host = uploadHostOf(event);
            }
        }
        return new ServerChanges(line, host);
    }

    /** The first server's upload host as traces write it. */
    static final String FIRST = "{cloud}/";
    /** The second server's upload host as traces write it. */
    static final String SECOND = "{cloud2}/";

    /** Whether {@code event} is a change of server that happened (not a skipped one). */
    static boolean changed(TraceEvent event) {
        return event.name().equals("host.server") && !event.fields().has("skipped");
    }

    /** The upload host a change moved the account to, as traces write it: {@code {cloud}/} or {@code {cloud2}/}. */
    static String uploadHostOf(TraceEvent change) {
        return change.number("server") == 2 ? SECOND : FIRST;
    }

    /** Whether {@code url} (as traced) lies on one of the run's servers' upload hosts. */
    static boolean onAServer(String url) {
        return url.startsWith(FIRST) || url.startsWith(SECOND);
    }

    /** The upload host {@code url} (as traced; null if unknown) lies on, or null if on neither server. */
    static String serverOf(String url) {
        if (url == null) {
            return null;
        }
        return url.startsWith(FIRST) ? FIRST : url.startsWith(SECOND) ? SECOND : null;
    }

    /**
     * The server the account is on as a checker walks the trace: before any change the first one
     * and every upload counts; after one, an upload counts if it went to the server the account
     * is on now, whenever it was sent.
     */
    static final class AsOfNow {
        private int changes;
        private String uploadHost = FIRST;

        /** Moves past {@code event}; true if it was a change of server. */
        boolean see(TraceEvent event) {
            if (!changed(event)) {
                return false;
            }
            changes++;
            uploadHost = uploadHostOf(event);
            return true;
        }

        /** Whether an upload to {@code url} (as traced; null if unknown) counts for the server the account is on now. */
        boolean counts(String url) {
            return changes == 0 || (url != null && url.startsWith(uploadHost));
        }

        /** The upload host of the server the account is on now, as traces write it. */
        String uploadHost() {
            return uploadHost;
        }

        /** The server an upload to {@code url} went to: its upload host, or the current one's when the url is unknown. */
        String serverOfUpload(String url) {
            String server = serverOf(url);
            return server == null ? uploadHost : server;
        }

        /** How many changes of server happened so far: the tenure the account is in (0 before any change). */
        int tenure() {
            return changes;
        }
    }

    /** Whether the run's account changed server at all. */
    boolean any() {
        return lastChangeLine > 0;
    }

    /**
     * Whether an upload to {@code url} (as traced; null if unknown) counts for the server the
     * account is on at the end: always without a change; else only one sent to the current
     * server, before or after the changes.
     */
    boolean counts(String url) {
        if (!any()) {
            return true;
        }
        return url != null && url.startsWith(currentUploadHost);
    }
}
