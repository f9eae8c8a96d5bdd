package org.upcert.conformance;

import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/** What a run shows of the extension's own requests after a termination notice, for the tests of TRM-01's fixes. */
public final class RequestsAfterTheNotice {
    private RequestsAfterTheNotice() {
    }

    /**
     * Fails when the extension started a request after a notice and before its call ended (the one in flight at the
     * notice, sent at the notice's own API call, may end); returns how many notices came.
     */
    public static int assertNone(RunEvidence run) {
        long noticeAt = -1;
        int notices = 0;
        for (TraceEvent e : run.events()) {
            if (e.name().equals("process.notice") && e.fields().has("grace")) {
                noticeAt = e.number("n");
                notices++;
            } else if (e.name().equals("call.end")) {
                noticeAt = -1;
            } else if (noticeAt >= 0 && e.name().equals("http") && e.number("n") != noticeAt) {
                throw new AssertionError("a request after the notice: " + e.raw());
            }
        }
        return notices;
    }
}
