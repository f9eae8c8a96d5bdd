package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.testing.HandWrittenTrace;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/** RES-01, RES-02, RES-03, RES-05 (and RES-04) on the bundled sample across the standard profiles. */
class ResultRulesTest {

    @Test
    @DisplayName("the sample fails no RES rule on any standard profile (seeds 1..3); each is exercised on its profile")
    void sampleHolds() throws Exception {
        SampleVerdicts.assertGroupHolds("RES");
    }

    @Test
    @DisplayName("RES-05 reports the p99 call duration, below the runtime limit for the sample")
    void callDuration() throws Exception {
        Figure p99 = SampleVerdicts.verdict("hard-kills seed 1", "RES-05").figure();
        assertEquals(Figure.Kind.MAXIMUM, p99.kind());
        assertTrue(p99.value() > 0 && p99.value() < 60_000, p99.toString());
    }

    @Test
    @DisplayName("RES-03 needs a streak of at least two calls")
    void streakLength() {
        assertThrows(IllegalArgumentException.class, () -> new ResultRules.NoEndlessProcessing(1));
        assertEquals("RES-03", new ResultRules.NoEndlessProcessing(ResultRules.DEFAULT_NO_PROGRESS_CALLS).ruleId());
    }

    // --- RES-03 on hand-built traces: what counts as progress, and a run that never rests ---

    private static final long MIN = 60_000;

    /** A trace of calls 5 minutes apart; each call is a list of event lines between its start and end. */
    private static final class Calls {
        final HandWrittenTrace trace = new HandWrittenTrace().activation(0);
        int activation;

        Calls line(String json) {
            trace.line(json);
            return this;
        }

        /** One call answering {@code result} with {@code changes} committed, the given lines inside it. */
        Calls call(String result, int changes, String... inside) {
            activation++;
            trace.activation(activation).at(trace.now() + 5 * MIN);
            line("{\"ev\":\"call.start\",\"act\":" + activation + "}");
            for (String json : inside) {
                line(json);
            }
            return line("{\"ev\":\"call.end\",\"act\":" + activation + ",\"outcome\":\"returned\",\"result\":\"" + result
                    + "\",\"changes\":" + changes + "}");
        }

        Calls calls(int n, String result, String... inside) {
            for (int i = 0; i < n; i++) {
                call(result, 0, inside);
            }
            return this;
        }

        Calls end(String reason) {
            return line("{\"ev\":\"run.end\",\"reason\":\"" + reason + "\"}");
        }

        Verdict res03() {
            return new ResultRules.NoEndlessProcessing(ResultRules.DEFAULT_NO_PROGRESS_CALLS).check(trace.evidence());
        }
    }

    private static final String CREATE = "{\"ev\":\"job.create\",\"job\":\"J1\",\"resource\":\"A1#PHOTO\",\"url\":\"http://h/x\"}";
    private static final String FULL_SCAN = "{\"ev\":\"fetch.assets\",\"n\":1,\"count\":300}";

    @Test
    @DisplayName("RES-03: five PROCESSING answers in a row with nothing moved FAIL; four do not")
    void idleStreakFails() {
        Verdict five = new Calls().calls(5, "PROCESSING").call("COMPLETED", 0).end("quiescent").res03();
        assertEquals(Verdict.Status.FAIL, five.status(), five.toString());
        assertTrue(five.message().contains("5 consecutive calls") && five.message().contains("answer COMPLETED when no work remains"),
                five.message());
        Verdict four = new Calls().calls(4, "PROCESSING").call("COMPLETED", 0).end("quiescent").res03();
        assertEquals(Verdict.Status.PASS, four.status(), four.toString());
    }

    @Test
    @DisplayName("RES-03: a correct extension waiting for its jobs in flight answers PROCESSING call after call and passes")
    void waitingForTransfersIsProgress() {
        Calls calls = new Calls().call("PROCESSING", 1, CREATE).calls(12, "PROCESSING");
        calls.line("{\"ev\":\"job.succeeded\",\"job\":\"J1\"}");
        Verdict verdict = calls.call("PROCESSING", 1, "{\"ev\":\"job.ack\",\"job\":\"J1\"}").call("COMPLETED", 0).end("quiescent")
                .res03();
        assertEquals(Verdict.Status.PASS, verdict.status(), verdict.toString());
    }

    @Test
    @DisplayName("RES-03: walking an unchanged library on every call discovers nothing (the full-walk hole); a walk after a "
            + "library change does")
    void repeatedFullScansAreNotProgress() {
        Verdict walking = new Calls().calls(6, "PROCESSING", FULL_SCAN).end("quiescent").res03();
        assertEquals(Verdict.Status.FAIL, walking.status(), "only the first walk discovers the library: " + walking);
        Calls changing = new Calls();
        for (int i = 0; i < 8; i++) {
            changing.line("{\"ev\":\"library.insert\",\"asset\":\"A" + i + "\"}").call("PROCESSING", 0, FULL_SCAN);
        }
        Verdict verdict = changing.call("COMPLETED", 0).end("quiescent").res03();
        assertEquals(Verdict.Status.PASS, verdict.status(), verdict.toString());
    }

    @Test
    @DisplayName("RES-03: the extension's own write to the cloud moves something; a sign-in does not")
    void cloudWritesAreProgressSignInsAreNot() {
        String commit = "{\"ev\":\"http\",\"n\":1,\"method\":\"POST\",\"url\":\"{cloud}/gphotos/v1/mediaItems:batchCreate\",\"status\":200}";
        String signIn = "{\"ev\":\"http\",\"n\":1,\"method\":\"POST\",\"url\":\"{cloud}/dav/auth/token\",\"status\":200}";
        assertEquals(Verdict.Status.PASS, new Calls().calls(6, "PROCESSING", commit).call("COMPLETED", 0).end("quiescent").res03()
                .status());
        assertEquals(Verdict.Status.FAIL, new Calls().calls(6, "PROCESSING", signIn).end("quiescent").res03().status());
        String lookUp = "{\"ev\":\"http\",\"n\":1,\"method\":\"POST\",\"url\":\"{api}/dropbox/2/files/get_metadata\",\"status\":200}";
        assertEquals(Verdict.Status.FAIL, new Calls().calls(6, "PROCESSING", lookUp).end("quiescent").res03().status(),
                "Dropbox's get_metadata is a read, though sent as a POST");
    }

    @Test
    @DisplayName("RES-03: a run that never becomes quiescent because the extension keeps answering PROCESSING FAILs, "
            + "whatever each call did; one that rests passes")
    void aRunThatNeverRestsFails() {
        String heartbeat = "{\"ev\":\"http\",\"n\":1,\"method\":\"PUT\",\"url\":\"{cloud}/dav/files/status\",\"status\":201}";
        Verdict endless = new Calls().call("COMPLETED", 0).calls(30, "PROCESSING", heartbeat).end("time-limit").res03();
        assertEquals(Verdict.Status.FAIL, endless.status(), endless.toString());
        assertTrue(endless.message().startsWith("the run never became quiescent: it stopped at the time limit")
                && endless.message().contains("every call since activation 2 (30 answers)")
                && endless.message().contains("Answer COMPLETED once nothing is left"), endless.message());
        Verdict rests = new Calls().calls(30, "PROCESSING", heartbeat).call("COMPLETED", 0).end("quiescent").res03();
        assertEquals(Verdict.Status.PASS, rests.status(), rests.toString());
        Verdict failing = new Calls().calls(3, "PROCESSING", heartbeat).call("FAILURE", 0).end("time-limit").res03();
        assertEquals(Verdict.Status.PASS, failing.status(), "a FAILURE loop is not RES-03's: " + failing);
        Verdict stalled = new Calls().call("COMPLETED", 0).calls(30, "PROCESSING", heartbeat).end("stalled").res03();
        assertEquals(Verdict.Status.FAIL, stalled.status(), "a run stopped as stalled is judged as one at the time limit");
        assertTrue(stalled.message().startsWith("the run never became quiescent: it was stopped when nothing had moved for 6 h"),
                stalled.message());
    }

    @Test
    @DisplayName("RES-03: calls during which consent was withdrawn are not judged")
    void noConsentIsNotJudged() {
        Calls calls = new Calls().call("PROCESSING", 1, CREATE);
        calls.line("{\"ev\":\"job.succeeded\",\"job\":\"J1\"}").call("PROCESSING", 1, "{\"ev\":\"job.ack\",\"job\":\"J1\"}");
        calls.line("{\"ev\":\"fault.start\",\"fault\":0,\"kind\":\"consent.access\"}").calls(8, "PROCESSING");
        calls.line("{\"ev\":\"fault.end\",\"fault\":0,\"kind\":\"consent.access\"}");
        Verdict verdict = calls.call("COMPLETED", 0).end("quiescent").res03();
        assertEquals(Verdict.Status.PASS, verdict.status(), verdict.toString());
    }

    @Test
    @DisplayName("explain RES-03 says what the checker does: the streak length, walks of an unchanged library, a run that never rests")
    void explanationAgrees() {
        String checks = Explanations.of("RES-03").orElseThrow().checks();
        assertTrue(checks.contains(ResultRules.DEFAULT_NO_PROGRESS_CALLS + " consecutive PROCESSING answers"), checks);
        assertTrue(checks.contains("a full library walk only if the library changed since the previous walk"), checks);
        assertTrue(checks.contains("never became quiescent"), checks);
    }

    @Test
    @DisplayName("RES-03: calls told to stop (a notice during the call) that answer PROCESSING at once neither count nor end a streak")
    void noticesAreNotJudged() {
        String notice = "{\"ev\":\"process.notice\",\"n\":1,\"grace\":5000}";
        assertEquals(Verdict.Status.PASS, new Calls().calls(6, "PROCESSING", notice).call("COMPLETED", 0).end("quiescent").res03()
                .status());
        Verdict joined = new Calls().calls(3, "PROCESSING").calls(4, "PROCESSING", notice).calls(2, "PROCESSING").end("quiescent")
                .res03();
        assertEquals(Verdict.Status.FAIL, joined.status(), "idle calls either side of the notices join: " + joined);
    }
}
