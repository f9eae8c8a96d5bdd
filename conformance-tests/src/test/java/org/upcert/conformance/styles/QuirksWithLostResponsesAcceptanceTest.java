package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.mutants.RetryMutants;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * The 204-counted-as-failure quirk met where the response headers show (issue 12, item 1: the
 * standard profile {@code quirks-with-lost-responses}, iOS 26.4). Before it, the only profile with
 * the quirk ran iOS 26.1 with no lost responses: no upload ever overwrote an object, no 204 was
 * answered, the quirk never struck. Now a lost response stores the photo, the next attempt
 * overwrites it, is answered 204 and reported failed with the object's {@code etag} and
 * {@code x-object-id}: the sample (and {@code AuthorExtensions.PlainBackup}, see
 * {@code AuthorExtensionsTest}) read them and record the photo stored; the sample with one
 * misreading of those headers ({@link RetryMutants.EtagOnAFailureMeansInterrupted}: an ETag on a
 * failure taken for an interrupted transfer) uploads the stored photo again and again. RTY-02,
 * which counts a 2xx reported as failed like a refusal, FAILs it; the old catalogue certified it.
 */
class QuirksWithLostResponsesAcceptanceTest {
    static final String PROFILE = "quirks-with-lost-responses";
    /** The profiles before this one where a 204 could be answered or a failure carry headers. */
    static final List<String> OLD_PROFILES_WITH_LOST_RESPONSES_OR_THE_QUIRK = List.of("lost-responses", "device-quirks-26x", "everything");

    private static RunEvidence run(Class<? extends UploadExtension> type, String profile, long seed) throws Exception {
        return run(type, profile, seed, true);
    }

    /** A run; without {@code recovery}, the fault phase alone (a loop never ends by itself: the profile stops it after a day). */
    private static RunEvidence run(Class<? extends UploadExtension> type, String profile, long seed, boolean recovery) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve(profile), seed).plan();
        if (!recovery) {
            plan = new RunPlan(plan.seed(), plan.profile(), plan.workload(), plan.policy().withMaxSimulatedMs(plan.phases().faultPhaseMs()),
                    new org.upcert.harness.plan.Phases(plan.phases().faultPhaseMs(), false, 0, 0), plan.faults());
        }
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.type(type), RunOptions.inMemory().withTransport("direct")));
    }

    private static Verdict verdict(RunEvidence evidence, String rule) {
        return RuleCatalogue.checker(rule).orElseThrow().check(evidence);
    }

    private static long failed204s(RunEvidence evidence) {
        return evidence.events().stream().filter(e -> e.name().equals("job.failed") && e.number("status") == 204).count();
    }

    @Test
    @DisplayName("on quirks-with-lost-responses (seeds 1..3) stored photos are answered 204 and reported failed, and the sample "
            + "records them stored: RTY-02, E2E-01, RES-01 PASS")
    void theSampleReadsTheHeaders() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            RunEvidence evidence = run(SampleUploadExtension.class, PROFILE, seed);
            assertTrue(failed204s(evidence) > 0, "seed " + seed + ": a 204 was reported as a failure");
            for (String rule : List.of("RTY-02", "E2E-01", "RES-01", "DUP-01")) {
                Verdict v = verdict(evidence, rule);
                assertEquals(Verdict.Status.PASS, v.status(), "seed " + seed + ": " + v);
            }
        }
    }

    @Test
    @DisplayName("the old catalogue never caught the sample that takes an ETag on a failure for an interrupted transfer: no 204 "
            + "was ever reported failed where headers show (lost-responses, device-quirks-26x, everything; seeds 1..3)")
    void theOldCatalogueMissedIt() throws Exception {
        for (String profile : OLD_PROFILES_WITH_LOST_RESPONSES_OR_THE_QUIRK) {
            for (long seed = 1; seed <= 3; seed++) {
                RunEvidence evidence = run(RetryMutants.EtagOnAFailureMeansInterrupted.class, profile, seed);
                for (String rule : List.of("RTY-02", "RTY-01", "E2E-01")) {
                    Verdict v = verdict(evidence, rule);
                    assertFalse(v.failed(), profile + " seed " + seed + ": " + v);
                }
            }
        }
    }

    @Test
    @DisplayName("quirks-with-lost-responses catches it on every default seed: RTY-02 FAILs in the fault phase already, stored "
            + "photos re-uploaded without bound (seed 1 with recovery: MutantsAreCaughtTest)")
    void theNewProfileCatchesIt() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            // RTY-02 judges attempts as they happen: a loop in the fault phase is one in the whole run
            RunEvidence evidence = run(RetryMutants.EtagOnAFailureMeansInterrupted.class, PROFILE, seed, false);
            Verdict v = verdict(evidence, "RTY-02");
            assertEquals(Verdict.Status.FAIL, v.status(), "seed " + seed + ": " + v);
            assertTrue(failed204s(evidence) > 20, "seed " + seed + ": the stored photos were sent again and again: " + failed204s(evidence));
        }
    }
}
