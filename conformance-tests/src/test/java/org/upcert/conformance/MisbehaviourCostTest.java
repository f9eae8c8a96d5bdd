package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.mutants.CostlyMutants;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.CallContext;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * A misbehaving extension costs the harness a bounded amount of work: each misbehaviour is cut
 * (in simulated time, or by a run budget), the cut is traced, and the rule it breaks still FAILs.
 * Bounds are asserted on counts of simulated events, never on wall time.
 */
class MisbehaviourCostTest {

    private static <T extends UploadExtension> RunEvidence run(Class<T> type, Supplier<T> factory, String profile)
            throws Exception {
        return RunEvidence.of(Simulation.run(PlanExpander.expand(ProfileCatalogue.load(profile), 1).plan(),
                ExtensionSource.type(type, factory), RunOptions.inMemory().withTransport("direct")));
    }

    private static Verdict verdict(String rule, RunEvidence evidence) {
        return RuleCatalogue.checker(rule).orElseThrow().check(evidence);
    }

    private static List<TraceEvent> named(RunEvidence evidence, String name) {
        return evidence.events().stream().filter(e -> e.name().equals(name)).toList();
    }

    @Test
    @DisplayName("an extension that hoards storage meets a full container (256 MiB): its writes past the quota store nothing, "
            + "are traced, and throw; the harness holds at most the quota")
    void hoardingStorageMeetsAFullContainer() throws Exception {
        RunEvidence evidence = run(CostlyMutants.HoardsStorage.class, CostlyMutants.HoardsStorage::new, "baseline");
        List<TraceEvent> full = named(evidence, "storage.full");
        assertTrue(!full.isEmpty(), "the 64 MiB blobs fill the container after three calls");
        long quota = org.upcert.harness.host.AppGroupFiles.QUOTA_BYTES;
        for (TraceEvent event : full) {
            assertEquals(quota, event.number("quota"));
            assertTrue(event.number("stored") + event.number("bytes") > quota, event.raw());
            assertTrue(event.number("stored") <= quota, "never past the quota: " + event.raw());
        }
        long blobs = named(evidence, "storage.write").stream().filter(e -> e.text("name").startsWith("cache/")).count();
        assertEquals(3, blobs, "three 64 MiB blobs fit beside the sample's ledger; a fourth would pass 256 MiB");
    }

    @Test
    @DisplayName("a block re-submitted after LIMIT_EXCEEDED costs doubling simulated time: a handful per call, not hundreds; CAP-01 still FAILs")
    void spinningOnARefusedBlockIsCutInSimulatedTime() throws Exception {
        RunEvidence evidence = run(CostlyMutants.ResubmitsRefusedBlocks.class, CostlyMutants.ResubmitsRefusedBlocks::new,
                "tiny-job-limit");
        assertEquals(Verdict.Status.FAIL, verdict("CAP-01", evidence).status());
        TreeMap<Integer, Integer> refusedPerCall = new TreeMap<>();
        named(evidence, "changes.rejected").stream().filter(e -> e.text("code").equals("LIMIT_EXCEEDED"))
                .forEach(e -> refusedPerCall.merge(e.activation(), 1, Integer::sum));
        int most = refusedPerCall.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        // 1 + 2 + 4 + 8 + 16 + 32 s of penalties pass the 60 s runtime limit: at most 7 refusals a call.
        assertTrue(most >= 2 && most <= 7, "refusals in one call: " + most + " (the mutant would make "
                + CostlyMutants.RESUBMISSIONS + ")");
        List<TraceEvent> penalties = named(evidence, "call.penalty");
        assertTrue(!penalties.isEmpty(), "each re-submission past the first refusal is charged and traced");
        assertEquals(1_000, penalties.get(0).number("ms"));
        assertTrue(named(evidence, "process.kill").stream().anyMatch(e -> e.text("reason").startsWith("runtime limit")),
                "a spinning call meets the runtime limit");
    }

    @Test
    @DisplayName("destinations outside uploadUrlBase re-created for ever: the run is cut by its blocked-transfer budget; E2E-02 still FAILs")
    void uploadingOutsideTheBaseForEverIsCut() throws Exception {
        RunEvidence evidence = run(CostlyMutants.UploadsOutsideTheBaseForever.class,
                CostlyMutants.UploadsOutsideTheBaseForever::new, "baseline");
        assertEquals(Verdict.Status.FAIL, verdict("E2E-02", evidence).status());
        List<TraceEvent> cut = named(evidence, "run.cut");
        assertEquals(1, cut.size(), "the cut is traced once");
        assertEquals("blocked-transfers", cut.get(0).text("budget"));
        int resources = evidence.header().path("library").path("resources").asInt();
        assertEquals(1_000 + resources, cut.get(0).number("limit"));
        assertEquals("budget", named(evidence, "run.end").get(0).text("reason"));
        long blocked = named(evidence, "transfer.blocked").size();
        // Bounded by the budget plus one call's worth of jobs (jobLimit), not by seven simulated days
        // (before the budget: 707,093 jobs and 8 million trace lines).
        assertTrue(blocked <= 1_000 + resources + 100 + 1, "blocked transfers: " + blocked);
        assertTrue(evidence.events().size() < 20_000, "trace events: " + evidence.events().size());
    }

    @Test
    @DisplayName("a log flood: the first 1,000 lines of a call are traced, the rest counted at call.end and charged simulated time")
    void aLogFloodIsCountedNotTraced() throws Exception {
        RunEvidence evidence = run(CostlyMutants.FloodsTheLog.class, () -> new CostlyMutants.FloodsTheLog(5_000), "baseline");
        TreeMap<Integer, Integer> logsPerCall = new TreeMap<>();
        named(evidence, "log").forEach(e -> logsPerCall.merge(e.activation(), 1, Integer::sum));
        assertTrue(logsPerCall.values().stream().allMatch(n -> n <= CallContext.LOG_LINES_PER_CALL), "log lines per call: " + logsPerCall);
        List<TraceEvent> ends = named(evidence, "call.end");
        assertTrue(ends.stream().allMatch(e -> e.number("logCut") >= 4_000), "every call reports what it cut");
        assertEquals(ends.size(), named(evidence, "log.cut").size(), "one log.cut per call");
        // 4,000 lines cut at 2 ms: 8 s of the call's simulated time
        assertTrue(ends.stream().allMatch(e -> e.number("ms") >= 8_000), "cut lines cost simulated time");
    }

    @Test
    @DisplayName("a call that only logs, for ever, meets the runtime limit instead of holding the harness")
    void anEndlessLogLoopMeetsTheRuntimeLimit() throws Exception {
        RunEvidence evidence = run(CostlyMutants.LogsForEverOnce.class, CostlyMutants.LogsForEverOnce::new, "baseline");
        TraceEvent first = named(evidence, "call.end").get(0);
        assertEquals("killed", first.text("outcome"));
        assertTrue(first.text("reason").startsWith("runtime limit"), first.raw());
        // 60 s at 2 ms a line: about 30,000 lines cut, 1,000 traced
        assertTrue(first.number("logCut") > 25_000 && first.number("logCut") <= 30_000, first.raw());
        assertEquals(CallContext.LOG_LINES_PER_CALL, named(evidence, "log").stream().filter(e -> e.activation() == 1).count());
        assertEquals("quiescent", named(evidence, "run.end").get(0).text("reason"), "the run goes on and ends");
    }

    @Test
    @DisplayName("thousands of tiny API calls in a loop: each costs simulated time, so a call makes at most ~30,000 before the runtime limit")
    void aPollingLoopMeetsTheRuntimeLimit() throws Exception {
        RunEvidence evidence = run(CostlyMutants.PollsTheApi.class, CostlyMutants.PollsTheApi::new, "baseline");
        List<TraceEvent> ends = named(evidence, "call.end");
        assertTrue(!ends.isEmpty());
        // 60 s runtime limit at apiCallCostMs = 2 ms: the 30,001st call is the one that crosses it
        assertTrue(ends.stream().allMatch(e -> e.number("calls") <= 30_001), "API calls per call");
        assertTrue(ends.stream().allMatch(e -> e.text("outcome").equals("killed") && e.text("reason").startsWith("runtime limit")),
                "every call is killed at the runtime limit");
        // ~30,000 API calls and no job change a call: spinning; the run is cut after three such calls
        // instead of going on to the event budget (half a million lines)
        assertEquals(3, ends.size(), "three spinning calls");
        assertEquals("spinning", named(evidence, "run.cut").get(0).text("budget"));
        assertEquals("budget", named(evidence, "run.end").get(0).text("reason"));
    }

    @Test
    @DisplayName("an extension that floods the trace for ever: the run is cut by its event budget, and says so")
    void aFloodOfEventsIsCutByTheRunsBudget() throws Exception {
        var result = Simulation.run(PlanExpander.expand(ProfileCatalogue.load("baseline"), 1).plan(),
                ExtensionSource.type(CostlyMutants.ReadsStorageForEver.class, CostlyMutants.ReadsStorageForEver::new),
                RunOptions.inMemory().withTransport("direct"));
        assertEquals("budget", result.summary().endReason(), result.summary().toString());
        String text = result.traceText();
        long resourcesAtStart = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text.substring(0, text.indexOf('\n')))
                .path("library").path("resources").asLong();
        long budget = 500_000 + 100L * resourcesAtStart;
        // cut at the first check past the budget: within one call's events (9,000 reads and a few more)
        assertTrue(result.summary().traceEvents() > budget && result.summary().traceEvents() < budget + 10_100,
                "trace events: " + result.summary().traceEvents() + ", budget " + budget);
        String cut = text.substring(text.lastIndexOf("\"ev\":\"run.cut\""));
        assertTrue(cut.contains("\"budget\":\"events\"") && cut.contains("\"limit\":" + budget), cut);
    }

    @Test
    @DisplayName("an extension that re-uploads one resource at every call for ever, refused each time, logging a thousand lines: "
            + "its lines past the run's 2,000 are counted, the run is cut after 30 refusals in a row (churn); RTY-02 still FAILs")
    void churningIsCutAfterThirtyInARow() throws Exception {
        RunEvidence evidence = run(CostlyMutants.ChurnsForEver.class, CostlyMutants.ChurnsForEver::new, "baseline");
        assertEquals(Verdict.Status.FAIL, verdict("RTY-02", evidence).status(), "an attempt after 20 refusals in a row");
        List<TraceEvent> cut = named(evidence, "run.cut");
        assertEquals(1, cut.size());
        assertEquals("churn", cut.get(0).text("budget"));
        assertEquals(org.upcert.harness.upload.Uploader.CHURN_IN_A_ROW, cut.get(0).number("limit"));
        List<TraceEvent> created = named(evidence, "job.create");
        assertEquals(created.get(0).text("resource"), cut.get(0).text("resource"));
        assertEquals(org.upcert.harness.upload.Uploader.CHURN_IN_A_ROW, created.size(), "one job per call, every one refused");
        assertEquals(org.upcert.harness.upload.Uploader.CHURN_IN_A_ROW, named(evidence, "call.start").size());
        assertEquals("budget", named(evidence, "run.end").get(0).text("reason"));
        // two calls' lines are traced (2,000, the run's budget); every later call's are counted
        assertEquals(CallContext.LOG_LINES_PER_RUN, named(evidence, "log").size());
        List<TraceEvent> ends = named(evidence, "call.end");
        assertTrue(ends.subList(2, ends.size()).stream().allMatch(e -> e.number("logCut") == 1_000), "counted at call.end");
        List<TraceEvent> logCuts = named(evidence, "log.cut");
        assertEquals(ends.size() - 2, logCuts.size(), "one log.cut per counted call");
        assertTrue(logCuts.stream().allMatch(e -> e.text("budget").equals("run")), logCuts.get(0).raw());
        // before: 9,452 calls and 9.5 million log lines to the 7-day limit (123,428 trace events with the log budget alone)
        assertTrue(evidence.events().size() < 3_000, "trace events: " + evidence.events().size());
    }

    @Test
    @DisplayName("log lines counted past the run's budget still cost simulated time: a call of 40,000 lines meets the runtime limit "
            + "at the same line in process and in a worker, which sends them as counts")
    void countedLinesMeetTheRuntimeLimitAtTheSameLineInAWorker(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var plan = PlanExpander.expand(ProfileCatalogue.load("baseline"), 1).plan();
        var inProcess = Simulation.run(plan, ExtensionSource.type(CostlyMutants.LogsPastTheRuntimeLimit.class,
                CostlyMutants.LogsPastTheRuntimeLimit::new), RunOptions.inMemory().withTransport("direct"));
        java.nio.file.Path jar = org.upcert.conformance.testing.ExtensionJars.pack(CostlyMutants.LogsPastTheRuntimeLimit.class,
                "CostlyMutants", dir, java.util.Map.of());
        var worker = Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation("worker"));
        List<String> a = inProcess.traceText().lines().skip(1).toList(); // the header names the extension's source
        List<String> b = worker.traceText().lines().skip(1).toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "first difference at trace line " + (i + 2));
        }
        assertEquals(a.size(), b.size(), "trace length");
        RunEvidence evidence = RunEvidence.of(inProcess);
        List<TraceEvent> ends = named(evidence, "call.end");
        assertTrue(ends.size() >= 4, "three flooding calls, then COMPLETED");
        for (TraceEvent end : ends.subList(0, 3)) {
            assertEquals("killed", end.text("outcome"), end.raw());
            assertTrue(end.text("reason").startsWith("runtime limit"), end.raw());
            // 1,000 free lines, then 2 ms each until 60 s: about 31,000 lines run, the rest never did (the first call
            // traces its first 1,000 and cuts the rest; the later calls count all of theirs)
            assertTrue(end.number("logCut") > 25_000 && end.number("logCut") <= 31_000, end.raw());
        }
        assertEquals(CallContext.LOG_LINES_PER_CALL, named(evidence, "log").size(), "only the first call's lines are traced");
        assertEquals(List.of("run", "run"), named(evidence, "log.cut").stream().skip(1).map(e -> e.text("budget")).toList());
    }

    @Test
    @DisplayName("a correct extension meets none of the bounds")
    void theSampleMeetsNoBound() throws Exception {
        for (String profile : List.of("tiny-job-limit", "kills-after-commit")) {
            RunEvidence evidence = run(org.upcert.sample.SampleUploadExtension.class, org.upcert.sample.SampleUploadExtension::new,
                    profile);
            for (String event : List.of("call.penalty", "log.cut", "run.cut")) {
                assertTrue(named(evidence, event).isEmpty(), profile + ": " + event);
            }
            assertEquals("quiescent", named(evidence, "run.end").get(0).text("reason"), profile);
        }
    }
}
