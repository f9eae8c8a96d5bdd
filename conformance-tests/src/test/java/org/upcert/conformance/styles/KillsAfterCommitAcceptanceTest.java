package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.mutants.TerminationMutants;
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
 * A kill right after a {@code performChanges} commit while the committed jobs are still uploading
 * at the relaunch (issue 12, item 1: the standard profile {@code kills-after-commit}). Before it,
 * every kill in the catalogue happened on a fast link: the 6–11 min kill back-off outlasted the
 * transfers, the orphaned jobs had always finished by the relaunch and showed up in the
 * ACKNOWLEDGE set, and an extension that records a created job only after the commit returns
 * ({@link TerminationMutants.LedgerAfterCommit}) was never caught. On a slow uplink the orphaned jobs
 * are still in flight; on iOS 26.5 the PROCESS set shows them (the sample and
 * {@link FullWalkExtension} read it), so a second job for one of them is avoidable: DUP-01 FAILs.
 */
class KillsAfterCommitAcceptanceTest {
    static final String PROFILE = "kills-after-commit";
    /** The standard profiles before this one that kill the extension at all (the others cannot show the mistake). */
    static final List<String> OLD_PROFILES_WITH_KILLS = List.of("hard-kills", "termination-storm", "everything");

    private static RunEvidence run(Class<? extends UploadExtension> type, String profile, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve(profile), seed).plan();
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.type(type), RunOptions.inMemory().withTransport("direct")));
    }

    private static Verdict verdict(RunEvidence evidence, String rule) {
        return RuleCatalogue.checker(rule).orElseThrow().check(evidence);
    }

    /**
     * For each kill inside a change block after its commit: how many jobs the killed call had
     * created, and how many of them were still in flight (not yet succeeded or failed) when the
     * next call started, in the relaunched process.
     */
    static List<int[]> orphansAtRelaunch(RunEvidence evidence) {
        List<int[]> out = new ArrayList<>();
        TreeMap<String, Boolean> inFlight = new TreeMap<>();
        List<String> createdInCall = new ArrayList<>();
        List<String> orphans = null;
        for (TraceEvent e : evidence.events()) {
            switch (e.name()) {
                case "call.start" -> {
                    if (orphans != null) {
                        int still = (int) orphans.stream().filter(job -> inFlight.getOrDefault(job, false)).count();
                        out.add(new int[] {orphans.size(), still});
                        orphans = null;
                    }
                    createdInCall.clear();
                }
                case "job.create" -> {
                    inFlight.put(e.text("job"), true);
                    createdInCall.add(e.text("job"));
                }
                case "job.retry" -> inFlight.put(e.text("job"), true);
                case "job.succeeded", "job.failed", "job.cancel" -> inFlight.put(e.text("job"), false);
                case "process.kill" -> {
                    if (e.text("reason").contains("after the commit")) {
                        orphans = new ArrayList<>(createdInCall);
                    }
                }
                default -> {
                }
            }
        }
        return out;
    }

    /** DUP-01, TRM-03 and E2E-01 PASS on the run. */
    private static void convergesWithoutDuplicates(RunEvidence evidence, long seed) {
        for (String rule : List.of("DUP-01", "TRM-03", "E2E-01")) {
            Verdict v = verdict(evidence, rule);
            assertEquals(Verdict.Status.PASS, v.status(), "seed " + seed + ": " + v);
        }
    }

    @Test
    @DisplayName("on kills-after-commit the jobs of a killed call are still uploading at the relaunch (seeds 1..3), and the sample "
            + "creates no second job for them (DUP-01, TRM-03 PASS)")
    void orphanedJobsAreStillInFlight() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            RunEvidence evidence = run(SampleUploadExtension.class, PROFILE, seed);
            List<int[]> relaunches = orphansAtRelaunch(evidence);
            StringBuilder seen = new StringBuilder();
            int orphans = 0;
            for (int[] r : relaunches) {
                seen.append(' ').append(r[1]).append('/').append(r[0]);
                orphans += r[1];
            }
            assertTrue(orphans > 0, "seed " + seed + ": jobs of a killed call were still in flight at a relaunch:" + seen);
            convergesWithoutDuplicates(evidence, seed);
        }
    }

    @Test
    @DisplayName("the old catalogue's kills never caught the extension that records its jobs after the commit: DUP-01 and TRM-03 "
            + "do not fail on hard-kills, termination-storm, everything (seeds 1..3)")
    void theOldCatalogueMissedIt() throws Exception {
        for (String profile : OLD_PROFILES_WITH_KILLS) {
            for (long seed = 1; seed <= 3; seed++) {
                RunEvidence evidence = run(TerminationMutants.LedgerAfterCommit.class, profile, seed);
                for (String rule : List.of("DUP-01", "TRM-03")) {
                    Verdict v = verdict(evidence, rule);
                    assertFalse(v.failed(), profile + " seed " + seed + ": " + v);
                }
            }
        }
    }

    @Test
    @DisplayName("PatientUploader, which records its jobs after the commit, finds the jobs a kill hid in the PROCESS set "
            + "(seeds 1..3 pass); its twin that ignores the set makes second jobs beside them on seed 3 (DUP-01, TRM-03 FAIL)")
    void patientFindsTheJobsAKillHid() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            convergesWithoutDuplicates(run(PatientUploader.class, PROFILE, seed), seed);
        }
        RunEvidence twin = run(PatientUploader.IgnoresTheProcessSet.class, PROFILE, 3);
        assertTrue(orphansAtRelaunch(twin).stream().anyMatch(r -> r[1] > 0), "jobs of a killed call were in flight at a relaunch");
        for (String rule : List.of("DUP-01", "TRM-03")) {
            Verdict v = verdict(twin, rule);
            assertEquals(Verdict.Status.FAIL, v.status(), rule + ": " + v);
        }
    }

    @Test
    @DisplayName("kills-after-commit catches it on every default seed: DUP-01 FAILs, a second job for a resource in flight")
    void theNewProfileCatchesIt() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            RunEvidence evidence = run(TerminationMutants.LedgerAfterCommit.class, PROFILE, seed);
            Verdict dup = verdict(evidence, "DUP-01");
            assertEquals(Verdict.Status.FAIL, dup.status(), "seed " + seed + ": " + dup);
        }
    }
}
