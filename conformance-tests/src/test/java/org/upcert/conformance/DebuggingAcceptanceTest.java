package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.mutants.Mutants;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.shrink.PinnedProfile;
import org.upcert.conformance.shrink.Shrinker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.faults.profile.ProfileParser;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.replay.Replay;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * Debugging a flaky edge case end to end: a mutant's failing run is replayed byte for byte,
 * shrunk to a plan with fewer fault events that still fails the same rule, written as a pinned
 * profile, and that profile replays the shrunk case exactly.
 */
class DebuggingAcceptanceTest {
    private static final String RULE = "JOB-03";

    private static ExtensionSource mutant() {
        return ExtensionSource.type(Mutants.RetriesSpentJobs.class, Mutants.RetriesSpentJobs::new);
    }

    private static Verdict judge(RunPlan plan, Path trace) throws Exception {
        RuleChecker checker = RuleCatalogue.checker(RULE).orElseThrow();
        var result = Simulation.run(plan, mutant(), RunOptions.inMemory().withTransport("direct"));
        Files.writeString(trace, result.traceText());
        return checker.check(RunEvidence.of(result));
    }

    @Test
    @DisplayName("replay a mutant's failing run, shrink it to fewer faults failing the same rule, replay the shrunk case")
    void replayShrinkReplay(@TempDir Path dir) throws Exception {
        RunPlan original = PlanExpander.expand(ProfileCatalogue.load("flaky-network"), 1).plan();
        Path failing = dir.resolve("failing.jsonl");
        assertTrue(judge(original, failing).failed(), "the mutant fails " + RULE + " on flaky-network seed 1");

        Replay.Outcome replayed = Replay.replay(failing, mutant(), "direct");
        assertTrue(replayed.identical(), "replay differs at line " + replayed.firstDifference() + ": " + replayed.expected()
                + " vs " + replayed.actual());

        List<Shrinker.Step> steps = new ArrayList<>();
        Shrinker.Result result = new Shrinker(DebuggingAcceptanceTest::mutant, "generic-put",
                RuleCatalogue.checker(RULE).orElseThrow(), 60, 120_000, steps::add).shrink(original);
        assertTrue(result.minimal().faults().size() < original.faults().size(),
                original.faults().size() + " → " + result.minimal().faults().size() + " faults");
        assertTrue(result.verdict().failed());
        assertEquals(RULE, result.verdict().ruleId());
        assertEquals(steps, result.steps(), "every accepted step was reported as it happened");

        Path yaml = dir.resolve("minimal.yaml");
        Files.writeString(yaml, PinnedProfile.yaml(result.minimal(), RULE + " fails", List.of("a test case")));
        RunPlan pinned = PlanExpander.expand(ProfileParser.parseFile(yaml), 1).plan();
        assertEquals(result.minimal().faults(), pinned.faults(), Files.readString(yaml));
        assertEquals(result.minimal().workload(), pinned.workload());
        assertEquals(result.minimal().policy(), pinned.policy());
        assertEquals(result.minimal().phases(), pinned.phases());

        Path shrunk = dir.resolve("shrunk.jsonl");
        assertTrue(judge(pinned, shrunk).failed(), "the pinned profile still fails " + RULE);
        assertTrue(Replay.replay(shrunk, mutant(), "direct").identical(), "the shrunk case replays byte for byte");
    }

    @Test
    @DisplayName("replay refuses a trace made by another extension, and says which jar it needs")
    void replayRefusesAnotherExtension(@TempDir Path dir) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load("baseline"), 1).plan();
        Path trace = dir.resolve("trace.jsonl");
        judge(plan, trace);
        Replay.RefusedException refused = org.junit.jupiter.api.Assertions.assertThrows(Replay.RefusedException.class,
                () -> Replay.replay(trace, ExtensionSource.type(Mutants.SkipsVideos.class, Mutants.SkipsVideos::new), "direct"));
        assertTrue(refused.getMessage().contains("--extension"), refused.getMessage());
    }
}
