package org.upcert.conformance.rules;

import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * The host app's changes of server (host.server, docs/simulator.md "The host app"): from a change
 * on, what counts is the new server. A trace writes the first server's upload host as
 * {@code {cloud}/} and the second's as {@code {cloud2}/}; an upload counts only if it went to the
 * server the account was on when the run ended, and only if it was sent after the last change
 * (what the old server got before stays there). A run without a change has one server and every
 * upload counts.
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

    /** Whether {@code event} is a change of server that happened (not a skipped one). */
    static boolean changed(TraceEvent event) {
        return event.name().equals("host.server") && !event.fields().has("skipped");
    }

    /** The upload host a change moved the account to, as traces write it: {@code {cloud}/} or {@code {cloud2}/}. */
    static String uploadHostOf(TraceEvent change) {
        return change.number("server") == 2 ? "{cloud2}/" : FIRST;
    }

    /** Whether {@code url} (as traced) lies on one of the run's servers' upload hosts. */
    static boolean onAServer(String url) {
        return url.startsWith(FIRST) || url.startsWith("{cloud2}/");
    }

    /**
     * The server the account is on as a checker walks the trace: before any change the first one
     * and every upload counts; after one, only an upload started after it, to the new server.
     */
    static final class AsOfNow {
        private int changeLine;
        private String uploadHost = FIRST;

        /** Moves past {@code event}; true if it was a change of server. */
        boolean see(TraceEvent event) {
            if (!changed(event)) {
                return false;
            }
            changeLine = event.line();
            uploadHost = uploadHostOf(event);
            return true;
        }

        /** Whether an upload started on {@code startLine} to {@code url} (as traced) counts for the server the account is on now. */
        boolean counts(int startLine, String url) {
            return changeLine == 0 || (startLine > changeLine && url != null && url.startsWith(uploadHost));
        }
    }

    /** Whether the run's account changed server at all. */
    boolean any() {
        return lastChangeLine > 0;
    }

    /**
     * Whether an upload started on {@code startLine} to {@code url} (as traced; null if unknown)
     * counts for the server the account is on at the end: always without a change; else only one
     * started after the last change, to the current server.
     */
    boolean counts(int startLine, String url) {
        if (!any()) {
            return true;
        }
        return startLine > lastChangeLine && url != null && url.startsWith(currentUploadHost);
    }
}
