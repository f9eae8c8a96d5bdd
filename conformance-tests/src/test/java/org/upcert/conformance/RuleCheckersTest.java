package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.mutants.Mutants;
import org.upcert.conformance.rules.JobRulesChecker;
import org.upcert.conformance.rules.LivenessCheckers;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * The first rule checkers prove themselves: the sample passes every one of them on profiles that
 * exercise them, and each mutant fails exactly the rule its mistake breaks.
 */
class RuleCheckersTest {
    private static Path sampleJar;

    @BeforeAll
    static void bundledSample() {
        sampleJar = BundledSample.extract().orElseThrow();
    }

    private static List<RuleChecker> checkers() {
        List<RuleChecker> all = new ArrayList<>(JobRulesChecker.all());
        all.addAll(LivenessCheckers.all());
        all.addAll(org.upcert.conformance.rules.CallRulesChecker.all());
        return all;
    }

    private static RunEvidence run(ExtensionSource source, String profile, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), seed).plan();
        return RunEvidence.of(Simulation.run(plan, source, RunOptions.inMemory().withTransport("direct")));
    }

    private static Verdict verdict(RunEvidence evidence, String ruleId) {
        return checkers().stream().filter(c -> c.ruleId().equals(ruleId)).findFirst().orElseThrow().check(evidence);
    }

    private static <T extends UploadExtension> ExtensionSource mutant(Class<T> type, Supplier<T> factory) {
        return ExtensionSource.type(type, factory);
    }

    @Test
    @DisplayName("the sample passes every implemented rule, and the profiles exercise them")
    void samplePasses() throws Exception {
        RunEvidence flaky = run(ExtensionSource.jar(sampleJar), "flaky-network", 1);
        for (RuleChecker checker : checkers()) {
            Verdict verdict = checker.check(flaky);
            assertFalse(verdict.failed(), verdict.toString());
        }
        assertEquals(Verdict.Status.PASS, verdict(flaky, "ACK-01").status());
        assertEquals(Verdict.Status.PASS, verdict(flaky, "DUP-01").status());
        assertEquals(Verdict.Status.PASS, verdict(flaky, "E2E-01").status());
        assertEquals(Verdict.Status.PASS, verdict(flaky, "JOB-03").status(), "flaky-network makes the sample retry");
    }

    @Test
    @DisplayName("ACK-01 catches a mutant that never acknowledges failed jobs")
    void ack01() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.NeverAcknowledgesFailed.class, Mutants.NeverAcknowledgesFailed::new),
                "flaky-network", 1);
        Verdict verdict = verdict(evidence, "ACK-01");
        assertTrue(verdict.failed(), verdict.toString());
        assertFalse(verdict.excerpt().isEmpty());
    }

    @Test
    @DisplayName("DUP-01 catches a mutant that ignores the jobs in flight")
    void dup01() throws Exception {
        // library churn wakes the extension while uploads are still in flight
        RunEvidence evidence = run(mutant(Mutants.IgnoresJobsInFlight.class, Mutants.IgnoresJobsInFlight::new),
                "library-churn", 1);
        Verdict verdict = verdict(evidence, "DUP-01");
        assertTrue(verdict.failed(), verdict.toString());
        assertTrue(verdict.message().contains("still unacknowledged"), verdict.message());
    }

    @Test
    @DisplayName("JOB-02 catches a mutant that acknowledges jobs still in flight")
    void job02() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.AcknowledgesInFlightJobs.class, Mutants.AcknowledgesInFlightJobs::new),
                "library-churn", 1);
        Verdict verdict = verdict(evidence, "JOB-02");
        assertTrue(verdict.failed(), verdict.toString());
    }

    @Test
    @DisplayName("ACK-02 catches a mutant that leaves presented jobs unacknowledged (50008)")
    void ack02() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.AcknowledgesTenPerBlock.class, Mutants.AcknowledgesTenPerBlock::new),
                "baseline", 1);
        assertTrue(verdict(evidence, "ACK-02").failed(), verdict(evidence, "ACK-02").toString());
    }

    @Test
    @DisplayName("TRM-04 catches a mutant that keeps using its context after returning")
    void trm04() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.CachesTheContext.class, Mutants.CachesTheContext::new), "baseline", 1);
        Verdict verdict = verdict(evidence, "TRM-04");
        assertTrue(verdict.failed(), verdict.toString());
        assertTrue(verdict.message().contains("storage.write"), verdict.message());
    }

    @Test
    @DisplayName("RES-04 catches a mutant that lets an exception escape processJobs")
    void res04() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.ThrowsOnFailedJobs.class, Mutants.ThrowsOnFailedJobs::new),
                "flaky-network", 1);
        Verdict verdict = verdict(evidence, "RES-04");
        assertTrue(verdict.failed(), verdict.toString());
        assertTrue(verdict.message().contains("unhandled failed job"), verdict.message());
    }

    @Test
    @DisplayName("JOB-03 catches a mutant that retries jobs whose retry is spent")
    void job03() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.RetriesSpentJobs.class, Mutants.RetriesSpentJobs::new), "flaky-network", 1);
        Verdict verdict = verdict(evidence, "JOB-03");
        assertTrue(verdict.failed(), verdict.toString());
    }

    @Test
    @DisplayName("E2E-01 catches a mutant that never uploads videos")
    void e2e01() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.SkipsVideos.class, Mutants.SkipsVideos::new), "baseline", 1);
        Verdict verdict = verdict(evidence, "E2E-01");
        assertTrue(verdict.failed(), verdict.toString());
        assertTrue(verdict.message().contains("VIDEO") || verdict.message().contains("resources not in the cloud"), verdict.message());
    }

    @Test
    @DisplayName("JOB-05 catches a mutant that retries a failed job and acknowledges it in the same call")
    void job05() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.RetriesAndAcknowledges.class, Mutants.RetriesAndAcknowledges::new),
                "flaky-network", 1);
        Verdict verdict = verdict(evidence, "JOB-05");
        assertTrue(verdict.failed(), verdict.toString());
    }

    @Test
    @DisplayName("JOB-04 catches a mutant that cancels failed jobs")
    void job04() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.CancelsFailedJobs.class, Mutants.CancelsFailedJobs::new), "flaky-network", 1);
        Verdict verdict = verdict(evidence, "JOB-04");
        assertTrue(verdict.failed(), verdict.toString());
    }

    @Test
    @DisplayName("JOB-01 catches a mutant that uses JobChanges after its block")
    void job01() throws Exception {
        RunEvidence evidence = run(mutant(Mutants.UsesChangesAfterTheBlock.class, Mutants.UsesChangesAfterTheBlock::new),
                "baseline", 1);
        Verdict verdict = verdict(evidence, "JOB-01");
        assertTrue(verdict.failed(), verdict.toString());
        assertTrue(verdict.message().contains("outside its performChanges block"), verdict.message());
    }
}
