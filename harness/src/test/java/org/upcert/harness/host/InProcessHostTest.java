package org.upcert.harness.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ChangeOutcome;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.testing.NaiveExtension;
import org.upcert.harness.testing.ScriptedExtension;
import org.upcert.harness.testing.TestJars;
import org.upcert.harness.testing.TraceLines;

/** How the in-process host treats extensions: instances, kills, notices, limits, late and illegal calls. */
class InProcessHostTest {

    private static RunResult run(RunPlan plan, ExtensionSource source) {
        return Simulation.run(plan, source, RunOptions.inMemory());
    }

    /**
     * A small run whose scripted extensions expect their jobs to show finished at the follow-up 1 s
     * after the uploads: without the fetch-set lag (its own tests: FetchLagTest, FetchLagAcceptanceTest).
     */
    private static RunPlan small(List<PlannedFault> faults) {
        return withoutLag(RunPlan.of(3, Workload.typical(5)).withFaults(faults));
    }

    private static RunPlan withoutLag(RunPlan plan) {
        return plan.withPolicy(plan.policy().withoutFetchLag());
    }

    private static String read(ExtensionContext context, String name) {
        return context.storage().readString(name).orElse("");
    }

    @Nested
    @DisplayName("process lifetime")
    class Lifetime {

        @Test
        @DisplayName("the same instance serves consecutive calls; memory survives between them")
        void sameInstanceBetweenCalls() {
            List<Integer> instances = new ArrayList<>();
            RunResult result = run(small(List.of()), ScriptedExtension.source((context, self) -> {
                instances.add(self.instance());
                return self.calls.get() < 3 ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
            }));
            assertEquals(List.of(1, 1, 1), instances);
            assertEquals(1, result.summary().launches());
        }

        @Test
        @DisplayName("a kill in the middle of a call: fresh instance, memory lost, storage written before the kill kept")
        void killMidCallKeepsStorageOnly() {
            List<String> seenByInstance2 = new ArrayList<>();
            RunResult result = run(small(List.of(new PlannedFault.HardKill(1, 3))), ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1) {
                    self.memory = "in memory";
                    context.storage().writeString("a", "1");       // call 1
                    context.storage().appendString("log", "x");   // call 2
                    context.storage().writeString("c", "3");       // call 3: killed before it happens
                    context.storage().writeString("d", "4");
                    return ProcessingResult.PROCESSING;
                }
                seenByInstance2.add(read(context, "a") + "|" + read(context, "log") + "|" + read(context, "c") + "|" + self.memory);
                return ProcessingResult.COMPLETED;
            }));
            assertEquals(List.of("1|x||null"), seenByInstance2);
            assertEquals(2, result.summary().launches());
            assertEquals(1, result.summary().kills());
            assertFalse(result.files().read("c").isPresent(), "the killed call's later write must not land");
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode kill = trace.first("process.kill");
            assertEquals(3, kill.path("n").asInt());
            assertEquals("planned kill", kill.path("reason").asText());
            assertEquals("killed", trace.events("call.end").get(0).path("outcome").asText());
            assertEquals(2, trace.activation(2).get(0).path("gen").asInt(), "activation 2 runs in a new process");
        }

        @Test
        @DisplayName("after a kill the next call waits out the kill backoff (6-11 simulated minutes)")
        void killBackoff() {
            RunResult result = run(small(List.of(new PlannedFault.HardKill(1, 1))), ScriptedExtension.source((context, self) -> {
                context.library().jobLimit();
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            long killedAt = trace.first("process.kill").path("t").asLong();
            long next = trace.events("call.start").get(1).path("t").asLong();
            assertTrue(next - killedAt >= 360_000 && next - killedAt <= 660_000, "backoff was " + (next - killedAt));
            assertEquals("after-kill", trace.events("call.start").get(1).path("reason").asText());
        }

        @Test
        @DisplayName("an exception escaping processJobs crashes the process and backs off")
        void escapedException() {
            RunResult result = run(small(List.of()), ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1) {
                    throw new IllegalStateException("boom");
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode end = trace.events("call.end").get(0);
            assertEquals("threw", end.path("outcome").asText());
            assertTrue(end.path("exception").asText().contains("boom"));
            assertEquals("crashed", trace.first("process.exit").path("reason").asText());
            long gap = trace.events("call.start").get(1).path("t").asLong() - end.path("t").asLong();
            assertTrue(gap >= 300_000, "failure backoff was " + gap);
        }

        @Test
        @DisplayName("a call that never returns is declared hung and killed; the harness carries on")
        void hungCall() {
            RunPlan plan = small(List.of());
            plan = plan.withPolicy(plan.policy().withCallWallTimeoutMs(300));
            RunResult result = run(plan, ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1) {
                    new CountDownLatch(1).await();
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            assertTrue(trace.first("process.kill").path("reason").asText().contains("hung"));
            assertEquals(60_000 + 1_000, trace.first("process.kill").path("t").asLong(), "killed at the runtime deadline");
            assertEquals(2, result.summary().activations());
            assertEquals("quiescent", result.summary().endReason());
        }
    }

    @Nested
    @DisplayName("runtime limit and termination notices")
    class Limits {

        @Test
        @DisplayName("no wall-clock verdicts: a slow call that keeps calling the API is not hung, and its trace is the fast one's")
        void slowButActiveIsNotHung() {
            RunPlan plan = small(List.of());
            plan = plan.withPolicy(plan.policy().withCallWallTimeoutMs(300));
            RunResult slow = run(plan, ScriptedExtension.source((context, self) -> {
                for (int i = 0; i < 8; i++) {
                    Thread.sleep(100); // a throttled CPU: 800 ms of real time per call, each gap under the 300 ms window
                    context.library().fetchJobs(JobAction.ACKNOWLEDGE);
                }
                return ProcessingResult.COMPLETED;
            }));
            RunResult fast = run(plan, ScriptedExtension.source((context, self) -> {
                for (int i = 0; i < 8; i++) {
                    context.library().fetchJobs(JobAction.ACKNOWLEDGE);
                }
                return ProcessingResult.COMPLETED;
            }));
            assertFalse(slow.traceText().contains("hung"), "a working call is never declared hung");
            assertEquals(fast.traceText(), slow.traceText(), "the machine's speed changes nothing in the trace");
        }

        @Test
        @DisplayName("a hung call's abandoned thread is refused 'after hung kill' (RES-04 judges the hang, not TRM-02 its leftovers)")
        void hungLeftoversAreNotAKillViolation() {
            RunPlan plan = small(List.of());
            plan = plan.withPolicy(plan.policy().withCallWallTimeoutMs(300));
            CountDownLatch released = new CountDownLatch(1);
            CountDownLatch leftoverDone = new CountDownLatch(1);
            RunResult result = run(plan, ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1) {
                    try {
                        while (true) { // silent (no API call), and deaf to the interrupt the host sends a hung thread
                            try {
                                released.await();
                                break;
                            } catch (InterruptedException ignored) {
                                // keep waiting
                            }
                        }
                        context.library().jobLimit(); // the abandoned thread comes back later
                    } finally {
                        leftoverDone.countDown();
                    }
                }
                if (self.instance() == 2 && released.getCount() == 1) {
                    released.countDown();
                    leftoverDone.await();
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            assertTrue(trace.first("process.kill").path("reason").asText().endsWith("(hung)"));
            assertEquals("after hung kill", trace.first("api.refused").path("reason").asText(), result.traceText());
        }

        @Test
        @DisplayName("after a notice, the extension's own long HTTP request is cancelled (NSURLErrorCancelled) instead of running into the grace kill")
        void httpCancelledByNotice() {
            List<Integer> codes = new ArrayList<>();
            RunResult result = run(small(List.of(new PlannedFault.TerminationNotice(1, 1))), ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1 && self.calls.get() == 1) {
                    try {
                        context.http().send(UploadRequest.put(java.net.URI.create(context.uploadUrlBase() + "big")),
                                new byte[256 * 1024 * 1024]);
                    } catch (org.upcert.api.ExtensionHttp.TransportException e) {
                        codes.add(e.error().code());
                    }
                    return ProcessingResult.PROCESSING;
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(List.of(UploadError.CANCELLED), codes, result.traceText());
            assertEquals("returned", trace.events("call.end").get(0).path("outcome").asText());
            assertEquals(0, result.summary().kills(), "no grace-period kill for a request the extension could not stop");
        }

        /** What the first call's sign-in met: its answers (status or error code), the run, its trace, when the notice came (-1: none). */
        private record SignIn(List<Integer> answers, RunResult result, TraceLines trace, long notice) {
        }

        /**
         * A notice at API call 1 of the first call, every request answered {@code slowMs} late ({@code cloud.slow}); the
         * call makes {@code storageCallsBefore} storage reads, signs in, writes once and returns.
         */
        private SignIn signInUnder(long slowMs, int storageCallsBefore) {
            return signIn(List.of(new PlannedFault.TerminationNotice(1, 1), new PlannedFault.SlowResponse(0, 3_600_000, 1.0, slowMs)),
                    storageCallsBefore, true);
        }

        /**
         * Under {@code faults}, the first call makes {@code storageCallsBefore} storage reads, signs in, writes once if
         * {@code writeAfter} (else makes no API call after the sign-in) and returns PROCESSING.
         */
        private SignIn signIn(List<PlannedFault> faults, int storageCallsBefore, boolean writeAfter) {
            List<Integer> answers = new ArrayList<>();
            RunResult result = run(small(faults), ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1 && self.calls.get() == 1) {
                    for (int i = 0; i < storageCallsBefore; i++) {
                        context.storage().read("state");
                    }
                    try {
                        answers.add(context.http().send(UploadRequest.post(java.net.URI.create(context.configuration().get("cloud.tokenUrl"))),
                                "grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret").status());
                    } catch (org.upcert.api.ExtensionHttp.TransportException e) {
                        answers.add(e.error().code());
                    }
                    if (writeAfter) {
                        context.storage().writeString("after", "returning"); // a little work, then return
                    }
                    return ProcessingResult.PROCESSING;
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode notice = trace.first("process.notice");
            return new SignIn(answers, result, trace, notice == null ? -1 : notice.path("t").asLong());
        }

        @Test
        @DisplayName("a request in flight when the notice arrives, whose answer cloud.slow delays past the grace period, is cancelled"
                + " at the notice (NSURLErrorCancelled): the call returns within the grace period (explore:350, Dropbox style)")
        void slowRequestInFlightAtNoticeCancelled() {
            SignIn run = signInUnder(23_000, 0);
            assertEquals(List.of(UploadError.CANCELLED), run.answers(), run.result().traceText());
            JsonNode http = run.trace().first("http");
            assertEquals("cancelled by willTerminate", http.path("reason").asText(), http.toString());
            assertEquals(run.notice() + 2, http.path("t").asLong(), "answered at the notice plus one API call's cost");
            JsonNode end = run.trace().events("call.end").get(0);
            assertEquals("returned", end.path("outcome").asText(), run.result().traceText());
            assertTrue(end.path("t").asLong() - run.notice() <= 5_000, "returned " + (end.path("t").asLong() - run.notice())
                    + " ms after the notice");
            assertEquals(0, run.result().summary().kills(), "no grace-period kill for a request the extension could not stop");
        }

        @Test
        @DisplayName("a request in flight at the notice whose slow answer still comes within the grace period is answered, not cut")
        void slowRequestInFlightAtNoticeAnsweredWithinGrace() {
            SignIn run = signInUnder(3_000, 0);
            assertEquals(List.of(200), run.answers(), run.result().traceText());
            long answered = run.trace().first("http").path("t").asLong() - run.notice();
            assertTrue(answered >= 3_000 && answered < 5_000, "answered " + answered + " ms after the notice");
            assertEquals("returned", run.trace().events("call.end").get(0).path("outcome").asText(), run.result().traceText());
        }

        @Test
        @DisplayName("a request started after the notice is the extension's choice: its slow answer is not cut; it comes past the"
                + " grace period, so the process is killed at the grace end without seeing it (NextcloudStyle.SignsInAfterTheNotice)")
        void slowRequestStartedAfterNoticeNotCut() {
            SignIn run = signInUnder(23_000, 1);
            assertEquals(List.of(), run.answers(), "a device kills the process before the answer comes: " + run.result().traceText());
            JsonNode http = run.trace().first("http");
            assertEquals(run.notice() + 5_000, http.path("t").asLong(), run.result().traceText());
            assertFalse(http.has("status") || http.has("code"), "the extension saw no answer: " + http);
            assertEquals(200, http.path("lostStatus").asInt(), "the cloud received the sign-in and answered it: " + http);
            JsonNode kill = run.trace().first("process.kill");
            assertEquals("grace period after termination notice expired", kill.path("reason").asText(), run.result().traceText());
            assertEquals(run.notice() + 5_000, kill.path("t").asLong(), "killed at the grace end, not at the next API call");
            assertEquals("killed", run.trace().events("call.end").get(0).path("outcome").asText(), run.result().traceText());
            assertTrue(run.trace().events("storage.write").isEmpty(), "nothing after the request ran: " + run.result().traceText());
            assertEquals(1, run.result().summary().kills());
        }

        @Test
        @DisplayName("a request whose cloud.slow answer comes past the 60 s runtime limit is never answered: killed at the limit,"
                + " the cloud keeps what the request did (lostStatus), the call does not return")
        void slowAnswerPastRuntimeLimitKilled() {
            // no API call after the answer: nothing else would stop the call
            SignIn run = signIn(List.of(new PlannedFault.SlowResponse(0, 3_600_000, 1.0, 59_990)), 0, false);
            List<Integer> answers = run.answers();
            RunResult result = run.result();
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(List.of(), answers, "a device kills the process at the limit, before the answer: " + result.traceText());
            long start = trace.first("call.start").path("t").asLong();
            JsonNode http = trace.first("http");
            assertEquals(start + 60_000, http.path("t").asLong(), result.traceText());
            assertFalse(http.has("status") || http.has("code"), "the extension saw no answer: " + http);
            assertEquals(200, http.path("lostStatus").asInt(), "the request reached the cloud, its effect stands: " + http);
            assertTrue(http.path("reason").asText().contains("runtime limit"), http.toString());
            JsonNode kill = trace.first("process.kill");
            assertEquals(start + 60_000, kill.path("t").asLong(), result.traceText());
            assertTrue(kill.path("reason").asText().startsWith("runtime limit"), kill.toString());
            assertEquals("killed", trace.events("call.end").get(0).path("outcome").asText(), result.traceText());
            assertEquals(1, result.summary().kills());
        }

        @Test
        @DisplayName("a cloud.slow answer that comes just within the runtime limit is answered, as before")
        void slowAnswerWithinRuntimeLimitAnswered() {
            SignIn run = signIn(List.of(new PlannedFault.SlowResponse(0, 3_600_000, 1.0, 50_000)), 0, false);
            List<Integer> answers = run.answers();
            RunResult result = run.result();
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(List.of(200), answers, result.traceText());
            assertEquals("returned", trace.events("call.end").get(0).path("outcome").asText(), result.traceText());
            assertEquals(0, result.summary().kills());
        }

        /** Call 1 signs in (its answers to {@code answers}); call 2 PUTs {@code files/a} with the token (its answer to {@code answers}). */
        private static ExtensionSource signInThenPut(List<Integer> answers) {
            return ScriptedExtension.source((context, self) -> {
                if (self.instance() != 1 || self.calls.get() > 2) {
                    return ProcessingResult.COMPLETED;
                }
                try {
                    if (self.calls.get() == 1) {
                        ExtensionHttp.Response token = context.http().send(UploadRequest.post(java.net.URI.create(context
                                .configuration().get("cloud.tokenUrl"))), "grant_type=client_credentials&client_id=upcert-sample"
                                + "&client_secret=s3cret");
                        answers.add(token.status());
                        String body = new String(token.body(), StandardCharsets.UTF_8);
                        int start = body.indexOf("\"access_token\":\"") + 16;
                        self.memory = body.substring(start, body.indexOf('"', start));
                    } else {
                        answers.add(context.http().send(UploadRequest.put(context.uploadUrlBase().resolve("files/a"))
                                .withHeader("Authorization", "Bearer " + self.memory), "hello").status());
                    }
                } catch (ExtensionHttp.TransportException e) {
                    answers.add(e.error().code());
                }
                return ProcessingResult.PROCESSING; // no API call after the answer: nothing else would stop the call
            });
        }

        @Test
        @DisplayName("a request whose cloud.slow delay reaches the request time-out (60 s) and whose answer would come past the"
                + " runtime limit: killed at the limit, no answer, and the cloud never received it (no lostStatus, nothing stored)")
        void slowRequestTimingOutPastRuntimeLimitNeverReachesTheCloud() {
            // Without the fault: where call 2 starts, and its PUT stores the object (the effect the slow run must not have).
            List<Integer> unslowed = new ArrayList<>();
            RunResult probe = run(small(List.of()), signInThenPut(unslowed));
            assertEquals(List.of(200, 201), unslowed, probe.traceText());
            assertTrue(probe.inventory().object("a").isPresent(), "the PUT stores files/a when it reaches the cloud");
            long second = new TraceLines(probe.traceText()).events("call.start").get(1).path("t").asLong();

            List<Integer> answers = new ArrayList<>();
            RunResult result = run(small(List.of(new PlannedFault.SlowResponse(second, second + 3_600_000, 1.0, 60_000))),
                    signInThenPut(answers));
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(List.of(200), answers, "the sign-in is answered, the PUT never: " + result.traceText());
            long start = trace.events("call.start").get(1).path("t").asLong();
            JsonNode put = trace.events("http").get(1);
            assertEquals("PUT", put.path("method").asText(), put.toString());
            assertEquals(start + 60_000, put.path("t").asLong(), result.traceText());
            assertFalse(put.has("status") || put.has("code"), "the extension saw no answer: " + put);
            assertFalse(put.has("lostStatus") || put.has("lostCode"), "the cloud never received the request: " + put);
            assertTrue(put.path("reason").asText().contains("never received"), put.toString());
            assertTrue(result.inventory().writes().isEmpty() && result.inventory().refusals().isEmpty(),
                    "the cloud has no trace of the PUT: " + result.inventory().writes() + " " + result.inventory().refusals());
            JsonNode kill = trace.first("process.kill");
            assertEquals(start + 60_000, kill.path("t").asLong(), result.traceText());
            assertTrue(kill.path("reason").asText().startsWith("runtime limit"), kill.toString());
            assertEquals("killed", trace.events("call.end").get(1).path("outcome").asText(), result.traceText());
            assertEquals(1, result.summary().kills());
        }

        @Test
        @DisplayName("a call that keeps working past 60 simulated seconds is killed without notice at the deadline")
        void runtimeLimit() {
            RunResult result = run(small(List.of()), ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1) {
                    while (true) {
                        context.library().fetchJobs(JobAction.ACKNOWLEDGE);
                    }
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode kill = trace.first("process.kill");
            long start = trace.first("call.start").path("t").asLong();
            assertEquals(start + 60_000, kill.path("t").asLong());
            assertTrue(kill.path("reason").asText().startsWith("runtime limit"));
            assertTrue(trace.events("process.notice").isEmpty(), "no notice before a runtime kill");
        }

        @Test
        @DisplayName("willTerminate arrives before the planned call; a call that stops returns within the grace period")
        void noticeHonoured() {
            RunResult result = run(small(List.of(new PlannedFault.TerminationNotice(1, 2))), ScriptedExtension.source((context, self) -> {
                if (self.instance() > 1) {
                    return ProcessingResult.COMPLETED;
                }
                for (int i = 0; i < 1000; i++) {
                    if (self.terminating.get()) {
                        return ProcessingResult.PROCESSING;
                    }
                    context.library().jobLimit();
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            assertNotNull(trace.first("process.notice"));
            assertEquals(2, trace.first("process.notice").path("n").asInt());
            JsonNode end = trace.events("call.end").get(0);
            assertEquals("returned", end.path("outcome").asText());
            assertEquals("PROCESSING", end.path("result").asText());
            assertEquals("terminated", trace.first("process.exit").path("reason").asText());
            assertEquals(0, result.summary().kills());
        }

        @Test
        @DisplayName("a call that ignores willTerminate is killed when the grace period runs out")
        void noticeIgnored() {
            RunResult result = run(small(List.of(new PlannedFault.TerminationNotice(1, 2))), ScriptedExtension.source((context, self) -> {
                if (self.instance() > 1) {
                    return ProcessingResult.COMPLETED;
                }
                for (int i = 0; i < 100_000; i++) {
                    context.library().jobLimit();
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            long noticeAt = trace.first("process.notice").path("t").asLong();
            JsonNode kill = trace.first("process.kill");
            assertEquals(noticeAt + 5_000, kill.path("t").asLong());
            assertTrue(kill.path("reason").asText().contains("grace period"));
        }
    }

    @Nested
    @DisplayName("system events inside a cloud.slow wait")
    class SlowWait {
        private static final long MIN = 60_000;

        /** When the first call starts in {@link #small} without faults: the instant the faults below are placed from. */
        private long firstCallStart() {
            RunResult probe = run(small(List.of()), ScriptedExtension.source((context, self) -> ProcessingResult.COMPLETED));
            return new TraceLines(probe.traceText()).first("call.start").path("t").asLong();
        }

        /** What the first call saw: its sign-in's answer (status or error code), then what its write after it met, if it wrote. */
        private record Waited(List<String> seen, RunResult result, TraceLines trace, long start) {
        }

        /**
         * Every request of the run answered {@code slowMs} late, beside {@code others} (placed by the caller from
         * {@code start}, the first call's start); the first call signs in, then writes once if {@code writeAfter} (else
         * makes no API call after the answer) and returns PROCESSING.
         */
        private Waited signIn(long slowMs, List<PlannedFault> others, boolean writeAfter) {
            long start = firstCallStart();
            List<PlannedFault> faults = new ArrayList<>(others);
            faults.add(new PlannedFault.SlowResponse(0, 3_600_000, 1.0, slowMs));
            List<String> seen = new ArrayList<>();
            RunResult result = run(small(faults), ScriptedExtension.source((context, self) -> {
                if (self.instance() == 1 && self.calls.get() == 1) {
                    try {
                        seen.add("answer " + context.http().send(UploadRequest.post(java.net.URI.create(context.configuration()
                                .get("cloud.tokenUrl"))), "grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret")
                                .status());
                    } catch (ExtensionHttp.TransportException e) {
                        seen.add("answer " + e.error().code());
                    }
                    if (writeAfter) {
                        try {
                            context.storage().writeString("after", "answered");
                            seen.add("written");
                        } catch (org.upcert.api.StorageUnavailableException e) {
                            seen.add("write refused");
                        }
                    }
                    return ProcessingResult.PROCESSING; // without writeAfter, no API call after the answer
                }
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            assertEquals(start, trace.first("call.start").path("t").asLong(), "the faults do not move the first call");
            return new Waited(seen, result, trace, start);
        }

        /** The first call was killed at {@code at} for {@code reason} inside its sign-in's wait, before the answer. */
        private void assertKilledInTheWait(Waited run, long at, String reason) {
            String text = run.result().traceText();
            assertEquals(List.of(), run.seen(), "a device kills the process before the answer comes: " + text);
            JsonNode http = run.trace().first("http");
            assertEquals(at, http.path("t").asLong(), text);
            assertFalse(http.has("status") || http.has("code"), "the extension saw no answer: " + http);
            assertTrue(http.path("reason").asText().contains(reason), http.toString());
            JsonNode kill = run.trace().first("process.kill");
            assertEquals(at, kill.path("t").asLong(), "killed at the event's instant, not at the answer: " + text);
            assertEquals(reason, kill.path("reason").asText(), text);
            assertEquals("killed", run.trace().events("call.end").get(0).path("outcome").asText(), text);
            assertEquals(1, run.result().summary().kills(), text);
        }

        /** The first call's sign-in was answered (200) and the call returned: nothing cut its wait. */
        private void assertAnswered(Waited run) {
            String text = run.result().traceText();
            assertEquals(List.of("answer 200"), run.seen(), text);
            assertEquals("returned", run.trace().events("call.end").get(0).path("outcome").asText(), text);
            assertEquals(0, run.result().summary().kills(), text);
        }

        @Test
        @DisplayName("an app update due inside a slow request's wait kills the process at the update: the answer never comes,"
                + " the call does not return, the cloud keeps what the request did (lostStatus)")
        void appUpdateInsideTheWaitKillsTheCall() {
            long start = firstCallStart();
            Waited run = signIn(20_000, List.of(new PlannedFault.AppUpgrade(start + 10_000, start + 10_000)), false);
            assertKilledInTheWait(run, start + 10_000, "the app was updated");
            assertEquals(200, run.trace().first("http").path("lostStatus").asInt(), "the cloud received the sign-in: "
                    + run.trace().first("http"));
            assertEquals(start + 10_000, run.trace().first("app.upgrade").path("t").asLong(), run.result().traceText());
        }

        @Test
        @DisplayName("a device restart due inside a slow request's wait kills the process at the restart; a wait that would have"
                + " timed out (60 s) never reached the cloud (no lostStatus)")
        void restartInsideTheWaitKillsTheCall() {
            long start = firstCallStart();
            Waited answered = signIn(30_000, List.of(new PlannedFault.DeviceReboot(start + 10_000, start + 20 * MIN)), false);
            assertKilledInTheWait(answered, start + 10_000, "the device restarted");
            assertEquals(200, answered.trace().first("http").path("lostStatus").asInt(), answered.trace().first("http").toString());

            Waited timingOut = signIn(60_000, List.of(new PlannedFault.DeviceReboot(start + 10_000, start + 20 * MIN)), false);
            assertKilledInTheWait(timingOut, start + 10_000, "the device restarted");
            JsonNode http = timingOut.trace().first("http");
            assertFalse(http.has("lostStatus") || http.has("lostCode"), "the cloud never received the request: " + http);
            assertTrue(http.path("reason").asText().contains("never received"), http.toString());
        }

        @Test
        @DisplayName("a process-ending event after the answer changes nothing: the answer is delivered and the call returns")
        void appUpdateAfterTheAnswerDoesNotCutTheWait() {
            long start = firstCallStart();
            assertAnswered(signIn(20_000, List.of(new PlannedFault.AppUpgrade(start + 30_000, start + 30_000)), false));
        }

        @Test
        @DisplayName("an OS update inside the wait restarts the device: killed at the update; one to the level the device"
                + " has is skipped and ends nothing: the answer comes")
        void osUpgradeInsideTheWait() {
            long start = firstCallStart();
            Waited upgraded = signIn(20_000, List.of(new PlannedFault.OsUpgrade(start + 10_000, start + 10_000, "27")), false);
            assertKilledInTheWait(upgraded, start + 10_000, "the device restarted");

            Waited skipped = signIn(20_000, List.of(new PlannedFault.OsUpgrade(start + 10_000, start + 10_000, "26.4")), false);
            assertTrue(skipped.trace().first("os.upgrade").has("skipped"), skipped.result().traceText());
            assertAnswered(skipped);
        }

        @Test
        @DisplayName("a host.filelock starting inside the wait (no process-ending event) does not cut it: the answer comes, and"
                + " the write right after it is refused (the events due in the wait run before the next API call)")
        void fileLockInsideTheWaitRefusesTheWriteAfter() {
            long start = firstCallStart();
            Waited run = signIn(20_000, List.of(new PlannedFault.HostFileLock(start + 10_000, start + 20 * MIN, false)), true);
            String text = run.result().traceText();
            assertEquals(List.of("answer 200", "write refused"), run.seen(), text);
            JsonNode http = run.trace().first("http");
            assertEquals(200, http.path("status").asInt(), text);
            JsonNode locked = run.trace().first("storage.locked");
            assertEquals("host app", locked.path("by").asText(), text);
            assertTrue(run.trace().first("host.filelock").path("t").asLong() <= locked.path("t").asLong(), text);
            assertEquals(0, run.result().summary().kills(), text);
        }
    }

    @Nested
    @DisplayName("refused and illegal calls")
    class Refusals {

        @Test
        @DisplayName("a context used after its call returned is refused and recorded")
        void lateCallRefused() {
            List<String> errors = new ArrayList<>();
            RunResult result = run(small(List.of()), ScriptedExtension.source((context, self) -> {
                if (self.memory instanceof ExtensionContext stale) {
                    try {
                        stale.storage().writeString("late", "x");
                    } catch (IllegalStateException e) {
                        errors.add(e.getMessage());
                    }
                    return ProcessingResult.COMPLETED;
                }
                self.memory = context;
                return ProcessingResult.PROCESSING;
            }));
            assertEquals(1, errors.size());
            assertTrue(errors.get(0).contains("processJobs returned"));
            assertFalse(result.files().read("late").isPresent());
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode refused = trace.first("api.refused");
            assertEquals("storage.write", refused.path("api").asText());
            assertEquals("1", refused.path("act").asText());
            assertEquals(1, result.summary().refusedCalls());
        }

        @Test
        @DisplayName("nested performChanges throws; JobChanges used after its block is refused")
        void nestedAndEscapedBlocks() {
            List<String> errors = new ArrayList<>();
            RunResult result = run(small(List.of()), ScriptedExtension.source((context, self) -> {
                var library = context.library();
                var holder = new Object[1];
                library.performChanges(changes -> {
                    holder[0] = changes;
                    try {
                        library.performChanges(inner -> { });
                    } catch (IllegalStateException e) {
                        errors.add(e.getMessage());
                    } catch (PhotosException e) {
                        errors.add("unexpected " + e);
                    }
                });
                try {
                    var resource = library.fetchAssets().get(0).resources().get(0);
                    ((org.upcert.api.JobChanges) holder[0]).createJob(resource,
                            UploadRequest.put(context.uploadUrlBase().resolve("files/x")));
                } catch (IllegalStateException e) {
                    errors.add(e.getMessage());
                }
                return ProcessingResult.COMPLETED;
            }));
            assertEquals(2, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains("nested"));
            assertTrue(errors.get(1).contains("outside its performChanges block"));
            TraceLines trace = new TraceLines(result.traceText());
            assertNotNull(trace.first("change.nested"));
            assertEquals("JobChanges.createJob", trace.first("api.refused").path("api").asText());
            assertTrue(result.jobs().isEmpty(), "the escaped change must not create a job");
        }

        @Test
        @DisplayName("an illegal change rejects the block with the real error code")
        void illegalChangeRejected() {
            List<Object> seen = new ArrayList<>();
            run(RunPlan.of(3, Workload.typical(5).withOs("26.5")), ScriptedExtension.source((context, self) -> {
                var library = context.library();
                var resource = library.fetchAssets().get(0).resources().get(0);
                library.performChanges(c -> c.createJob(resource, UploadRequest.put(context.uploadUrlBase().resolve("files/a"))));
                var job = library.fetchJobs(JobAction.PROCESS).get(0);
                ChangeOutcome outcome = library.performChangesAndReport(c -> c.acknowledge(job));
                outcome.dropped().forEach(d -> seen.add(d.change() + " " + d.code() + " " + d.state().orElseThrow()));
                seen.add(library.performChangesAndReport(c -> c.cancel(job)).allApplied());
                return ProcessingResult.COMPLETED;
            }));
            assertEquals(List.of("ACKNOWLEDGE CHANGE_NOT_SUPPORTED REGISTERED", true), seen,
                    "the acknowledgement of a registered job is dropped and reported; the cancel applies");
        }
    }

    @Nested
    @DisplayName("OS levels: what a level lacks is refused as a missing selector, and recorded")
    class OsLevels {

        private List<String> refusals(RunResult result) {
            return new TraceLines(result.traceText()).events("api.refused").stream()
                    .map(e -> e.path("api").asText() + ": " + e.path("reason").asText()).toList();
        }

        @Test
        @DisplayName("iOS 26.4: fetchJobs(PROCESS) and assetResource are refused; cancel and placeholders exist")
        void on264() {
            List<Object> seen = new ArrayList<>();
            RunResult result = run(RunPlan.of(3, Workload.typical(5).withOs("26.4")), ScriptedExtension.source((context, self) -> {
                var library = context.library();
                assertEquals("26.4", context.osVersion());
                assertTrue(context.osAtLeast("26.4") && !context.osAtLeast("26.5"));
                var resource = library.fetchAssets().get(0).resources().get(0);
                String[] id = new String[1];
                library.performChanges(c -> id[0] = c.createJob(resource, UploadRequest.put(context.uploadUrlBase().resolve("files/a"))));
                seen.add(id[0]);
                seen.add(assertThrows(UnsupportedOperationException.class, () -> library.fetchJobs(JobAction.PROCESS)).getMessage()
                        .contains("not available before iOS 26.5"));
                UploadJob probe = new org.upcert.protocol.Values.Job(id[0], JobState.REGISTERED, org.upcert.api.JobType.UPLOAD,
                        Optional.empty(), UploadRequest.put(context.uploadUrlBase()), Optional.empty(), Optional.empty());
                assertThrows(UnsupportedOperationException.class, () -> library.assetResource(probe));
                return ProcessingResult.COMPLETED;
            }));
            assertEquals(List.of("J000001", true), seen);
            assertEquals(List.of("assetResource: not available before iOS 27", "fetchJobs(PROCESS): not available before iOS 26.5"),
                    refusals(result).stream().sorted().toList());
        }

        @Test
        @DisplayName("iOS 26.1: createJob returns null, cancel and a job's error/type/headers are refused")
        void on261() {
            List<Object> seen = new ArrayList<>();
            RunResult result = run(withoutLag(RunPlan.of(3, Workload.typical(5).withOs("26.1"))), ScriptedExtension.source((context, self) -> {
                var library = context.library();
                if (self.calls.get() == 1) {
                    var resource = library.fetchAssets().get(0).resources().get(0);
                    String[] id = {"unset"};
                    library.performChanges(c -> id[0] = c.createJob(resource, UploadRequest.put(context.uploadUrlBase().resolve("files/a"))));
                    seen.add(String.valueOf(id[0]));
                    return ProcessingResult.PROCESSING;
                }
                for (UploadJob job : library.fetchJobs(JobAction.ACKNOWLEDGE)) {
                    seen.add(job.localIdentifier() + " " + job.state());
                    assertThrows(UnsupportedOperationException.class, job::error);
                    assertThrows(UnsupportedOperationException.class, job::type);
                    assertThrows(UnsupportedOperationException.class, job::responseHeaderFields);
                    assertThrows(UnsupportedOperationException.class, () -> library.performChanges(c -> c.cancel(job)));
                    library.performChanges(c -> c.acknowledge(job));
                }
                return ProcessingResult.COMPLETED;
            }));
            assertEquals("null", seen.get(0), "26.1's createJob returns nothing");
            assertEquals(2, seen.size(), "the job was fetched in the second call: " + seen);
            assertEquals(List.of("JobChanges.cancel: not available before iOS 26.4", "UploadJob.error: not available before iOS 26.4",
                    "UploadJob.responseHeaderFields: not available before iOS 26.4", "UploadJob.type: not available before iOS 26.4"),
                    refusals(result).stream().sorted().toList());
            assertEquals(1, new TraceLines(result.traceText()).events("job.ack").size(), "the acknowledgement still committed");
        }
    }

    @Nested
    @DisplayName("the system around the calls")
    class System {

        @Test
        @DisplayName("transfers start only after the call returns")
        void transfersAfterReturn() {
            RunResult result = run(small(List.of()), new NaiveSource().get());
            TraceLines trace = new TraceLines(result.traceText());
            long firstEnd = trace.first("call.end").path("t").asLong();
            long firstTransfer = trace.first("transfer.start").path("t").asLong();
            assertTrue(firstTransfer >= firstEnd, "transfer at " + firstTransfer + " before the call ended at " + firstEnd);
        }

        @Test
        @DisplayName("jobs presented for acknowledgement and left alone earn the 50008 penalty and a deferral")
        void penalty50008() {
            RunResult result = run(small(List.of()), ScriptedExtension.source((context, self) -> {
                var library = context.library();
                if (self.calls.get() == 1) {
                    var resource = library.fetchAssets().get(0).resources().get(0);
                    library.performChanges(c -> c.createJob(resource, UploadRequest.put(context.uploadUrlBase().resolve("files/a"))
                            .withHeader("Authorization", "Bearer nope")));
                    return ProcessingResult.PROCESSING;
                }
                return self.calls.get() < 3 ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            JsonNode penalty = trace.first("system.penalty");
            assertNotNull(penalty, trace.names(trace.all()).toString());
            assertEquals(50008, penalty.path("code").asInt());
            assertEquals(1, penalty.path("outstanding").asInt());
            long next = trace.events("call.start").get(2).path("t").asLong();
            assertTrue(next - penalty.path("t").asLong() >= 300_000);
        }

        @Test
        @DisplayName("a destination outside BackgroundUploadURLBase is never sent; the job fails as blocked")
        void destinationOutsideBase() {
            RunResult result = run(small(List.of()), ScriptedExtension.source((context, self) -> {
                var library = context.library();
                if (self.calls.get() == 1) {
                    var resource = library.fetchAssets().get(0).resources().get(0);
                    var outside = java.net.URI.create(context.uploadUrlBase().toString().replace("/dav/", "/elsewhere/a"));
                    library.performChanges(c -> c.createJob(resource, UploadRequest.put(outside)));
                    return ProcessingResult.PROCESSING;
                }
                var failed = library.fetchJobs(JobAction.ACKNOWLEDGE);
                assertEquals(1, failed.size());
                assertEquals(Optional.of(UploadError.BLOCKED_BY_POLICY), failed.get(0).error().map(UploadError::code));
                library.performChanges(c -> c.acknowledge(failed.get(0)));
                return ProcessingResult.COMPLETED;
            }));
            TraceLines trace = new TraceLines(result.traceText());
            assertNotNull(trace.first("transfer.blocked"));
            assertEquals(0, result.inventory().writes().size());
            assertEquals("COMPLETED", trace.events("call.end").get(1).path("result").asText());
        }
    }

    @Nested
    @DisplayName("extension jars")
    class Jars {

        @Test
        @DisplayName("a jar is loaded by ServiceLoader in its own class loader, fresh per process")
        void jarIsolation(@TempDir Path dir) throws Exception {
            Path jar = TestJars.jarOf(dir, NaiveExtension.class);
            ExtensionSource source = ExtensionSource.jar(jar);
            var first = source.newInstance();
            ClassLoader firstLoader = source.classLoader();
            var second = source.newInstance();
            assertEquals(NaiveExtension.class.getName(), first.getClass().getName());
            assertFalse(first.getClass() == NaiveExtension.class, "must not come from the harness's class path");
            assertFalse(first.getClass() == second.getClass(), "each process gets its own class loader");
            assertTrue(firstLoader != source.classLoader());
            RunResult result = run(RunPlan.of(5, Workload.typical(30)), source);
            assertTrue(result.summary().complete(), result.summary().toString());
        }

        @Test
        @DisplayName("a jar without a service declaration is a clear error")
        void jarWithoutProvider(@TempDir Path dir) throws Exception {
            Path jar = dir.resolve("empty.jar");
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
                out.putNextEntry(new java.util.jar.JarEntry("README"));
                out.write("nothing".getBytes(StandardCharsets.UTF_8));
            }
            var e = assertThrows(ExtensionSource.ExtensionLoadException.class, () -> ExtensionSource.jar(jar));
            assertTrue(e.getMessage().contains("META-INF/services/org.upcert.api.UploadExtension"), e.getMessage());
            var missing = assertThrows(ExtensionSource.ExtensionLoadException.class,
                    () -> ExtensionSource.jar(dir.resolve("nope.jar")));
            assertTrue(missing.getMessage().contains("not found"));
        }
    }

    /** The naive extension as a class-path source. */
    private static final class NaiveSource {
        ExtensionSource get() {
            return ExtensionSource.type(NaiveExtension.class);
        }
    }
}
