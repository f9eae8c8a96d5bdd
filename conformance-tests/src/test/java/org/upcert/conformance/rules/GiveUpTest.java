package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.testing.HandWrittenTrace;

/** {@link GiveUp}: when giving up on a resource was justified, on small hand-written traces. */
class GiveUpTest {
    private static final String R = "A1#PHOTO";
    private static final long MIN = 60_000;

    /** A trace of one resource, R, in the library. */
    private static HandWrittenTrace trace() {
        return new HandWrittenTrace().live(R);
    }

    /** A new job for R at {@code minute}, failed one second later with {@code failure} fields. */
    private static HandWrittenTrace failedJob(HandWrittenTrace trace, long minute, String failure) {
        String job = "J" + (trace.count("job.create") + 1);
        trace.line(minute * MIN, "{\"ev\":\"job.create\",\"job\":\"" + job + "\",\"resource\":\"" + R + "\",\"url\":\"http://h/x\"}");
        return trace.line(minute * MIN + 1000, "{\"ev\":\"job.failed\",\"job\":\"" + job + "\"," + failure + "}");
    }

    private static final String REFUSED_400 = "\"code\":-1011,\"status\":400,\"reason\":\"HTTP 400\"";
    private static final String REFUSED_503 = "\"code\":-1011,\"status\":503,\"reason\":\"HTTP 503\"";
    private static final String THROTTLED = "\"code\":-1011,\"status\":429,\"reason\":\"HTTP 429\",\"retryAfter\":\"120\"";
    private static final String LOST = "\"code\":-1005,\"reason\":\"the network connection was lost\"";

    @Test
    @DisplayName("five refusals without retry-after over 30 minutes justify giving up, whatever the hidden status")
    void persistentRefusals() {
        HandWrittenTrace trace = trace();
        for (long minute : new long[] {0, 1, 5, 15, 30}) {
            failedJob(trace, minute, REFUSED_503);
        }
        assertTrue(GiveUp.justified(trace.evidence(), R).isPresent());
        assertEquals(Set.of(R), GiveUp.justified(trace.evidence()).keySet());
    }

    @Test
    @DisplayName("fewer refusals, or refusals within less than 30 minutes, do not (a burst of server errors)")
    void burstIsNotEnough() {
        HandWrittenTrace four = trace();
        for (long minute : new long[] {0, 10, 20, 40}) {
            failedJob(four, minute, REFUSED_400);
        }
        assertFalse(GiveUp.justified(four.evidence(), R).isPresent(), "4 refusals");
        HandWrittenTrace fast = trace();
        for (long minute : new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
            failedJob(fast, minute, REFUSED_400);
        }
        assertFalse(GiveUp.justified(fast.evidence(), R).isPresent(), "10 refusals in 9 minutes");
        assertTrue(GiveUp.notYet(Attempts.of(fast.evidence()).byResource().get(R)).contains("10 refusals"));
    }

    @Test
    @DisplayName("never after a network-level failure or a refusal carrying retry-after, however many came before")
    void networkAndRetryAfterNever() {
        HandWrittenTrace trace = trace();
        for (long minute : new long[] {0, 10, 20, 30, 40, 50}) {
            failedJob(trace, minute, REFUSED_503);
        }
        failedJob(trace, 60, LOST);
        assertFalse(GiveUp.justified(trace.evidence(), R).isPresent(), "last failure had no response");
        HandWrittenTrace throttled = trace();
        for (long minute : new long[] {0, 10, 20, 30, 40, 50}) {
            failedJob(throttled, minute, THROTTLED);
        }
        assertFalse(GiveUp.justified(throttled.evidence(), R).isPresent(), "the server said when to come back");
    }

    @Test
    @DisplayName("the system's own final codes justify it at once: blocked by policy, file gone")
    void systemFinal() {
        assertTrue(GiveUp.justified(failedJob(trace(), 0, "\"code\":-1022,\"reason\":\"blocked\"").evidence(), R).isPresent());
        assertTrue(GiveUp.justified(failedJob(trace(), 0, "\"code\":-1100,\"reason\":\"gone\"").evidence(), R).isPresent());
    }

    @Test
    @DisplayName("a permanent status justifies it at once only when the run assumes http-status; 5xx, 429, 401 and expiry never")
    void statusAssumption() {
        assertFalse(GiveUp.justified(failedJob(trace(), 0, REFUSED_400).evidence(), R).isPresent());
        assertTrue(GiveUp.justified(failedJob(trace().assume(GiveUp.HTTP_STATUS), 0, REFUSED_400).evidence(), R).isPresent());
        assertTrue(GiveUp.justified(failedJob(trace().assume(GiveUp.HTTP_STATUS),
                0, "\"code\":-1011,\"status\":413,\"reason\":\"HTTP 413\"").evidence(), R).isPresent());
        for (String failure : List.of(REFUSED_503, THROTTLED, "\"code\":-1013,\"status\":401,\"reason\":\"HTTP 401\"",
                "\"code\":-1011,\"status\":403,\"reason\":\"HTTP 403\",\"cloud\":\"AccessDenied: Request has expired\"")) {
            assertFalse(GiveUp.justified(failedJob(trace().assume(GiveUp.HTTP_STATUS), 0, failure).evidence(), R).isPresent(),
                    failure);
        }
    }

    @Test
    @DisplayName("nothing to justify when the last attempt succeeded")
    void succeeded() {
        HandWrittenTrace trace = failedJob(trace(), 0, "\"code\":-1022,\"reason\":\"blocked\"");
        trace.line(MIN * 2, "{\"ev\":\"job.create\",\"job\":\"J9\",\"resource\":\"" + R + "\",\"url\":\"http://h/x\"}");
        trace.line(MIN * 3, "{\"ev\":\"job.succeeded\",\"job\":\"J9\",\"status\":201}");
        assertFalse(GiveUp.justified(trace.evidence(), R).isPresent());
    }

    @Test
    @DisplayName("each failure is judged at the OS level of its time: after an os.upgrade from 26.1 the failures show their error")
    void osLevelAtTheFailure() {
        // On 26.1 a failed job shows nothing: five failures over 30 minutes are as permanent as it can know.
        HandWrittenTrace old = trace().os("26.1");
        for (long minute : new long[] {0, 10, 20, 30, 40}) {
            failedJob(old, minute, LOST);
        }
        assertTrue(GiveUp.justified(old.evidence(), R).isPresent(), "26.1 shows no error: five failures over 40 min");
        // The same failures, the device updated to 26.4 before the last two: those show -1005 (no
        // response), a network-level failure that never justifies giving up. Judged at the run's
        // starting level (26.1) it was wrongly justified.
        HandWrittenTrace upgraded = trace().os("26.1");
        for (long minute : new long[] {0, 10, 20}) {
            failedJob(upgraded, minute, LOST);
        }
        upgraded.line(25 * MIN, "{\"ev\":\"os.upgrade\",\"from\":\"26.1\",\"to\":\"26.4\"}");
        for (long minute : new long[] {30, 40}) {
            failedJob(upgraded, minute, LOST);
        }
        assertFalse(GiveUp.justified(upgraded.evidence(), R).isPresent(), "the last failure showed -1005 on 26.4");
        GiveUp.OutcomeVisibility visibility = GiveUp.OutcomeVisibility.of(upgraded.evidence());
        List<TraceEvent> events = upgraded.evidence().events();
        assertFalse(visibility.at(events.get(1)), "a failure before the upgrade: 26.1");
        assertTrue(visibility.at(events.get(events.size() - 1)), "a failure after it: 26.4");
        // A skipped upgrade (the device ran it already) changes nothing.
        HandWrittenTrace skipped = trace().os("26.1");
        for (long minute : new long[] {0, 10, 20}) {
            failedJob(skipped, minute, LOST);
        }
        skipped.line(25 * MIN, "{\"ev\":\"os.upgrade\",\"to\":\"26.1\",\"skipped\":true}");
        for (long minute : new long[] {30, 40}) {
            failedJob(skipped, minute, LOST);
        }
        assertTrue(GiveUp.justified(skipped.evidence(), R).isPresent());
    }
}
