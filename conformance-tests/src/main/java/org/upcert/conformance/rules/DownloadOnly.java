package org.upcert.conformance.rules;

import org.upcert.conformance.evidence.TraceEvent;

/**
 * Download-only jobs in the trace ({@code creationRequestForDownloadJob}, iOS 26.4): every
 * {@code job.*} line of such a job carries {@code type} {@code DOWNLOAD_ONLY} (upload jobs' lines
 * carry none). They fetch an original from iCloud and send nothing, so no rule may read their
 * success as an upload (reference §7.24): {@link Attempts} leaves them out (and with it the
 * fates, E2E, RTY, CLD and DUP-02), {@link SystemState} never lands a resource on them. They are
 * jobs all the same: they count under the job limit, must be acknowledged (ACK-01, ACK-02) and
 * obey the JOB rules like any other.
 *
 * <p>Package-private: a reading of the trace, not a rule.
 */
final class DownloadOnly {
    static final String TYPE = "DOWNLOAD_ONLY";

    private DownloadOnly() {
    }

    /** Whether {@code event} is a line of a download-only job. */
    static boolean is(TraceEvent event) {
        return TYPE.equals(event.fields().path("type").asText(null));
    }
}
