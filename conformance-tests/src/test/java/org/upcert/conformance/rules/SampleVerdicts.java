package org.upcert.conformance.rules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * The bundled sample's verdicts on every standard profile with seeds 1..3, for the group tests
 * (CapacityRulesTest, ResultRulesTest, TerminationRulesTest, ChangeRulesTest). Each run happens
 * once per test JVM and keeps only its verdicts (a trace's events are large), judged by every
 * checker of the catalogue.
 */
final class SampleVerdicts {
    static final long[] SEEDS = {1, 2, 3};
    private static TreeMap<String, TreeMap<String, Verdict>> verdicts;

    private SampleVerdicts() {
    }

    /**
     * "profile seed N" → rule id → verdict, for every standard profile and seed: the same runs
     * the group tests of {@code org.upcert.conformance} read, simulated once per test JVM.
     */
    static synchronized TreeMap<String, TreeMap<String, Verdict>> all() throws Exception {
        if (verdicts == null) {
            verdicts = org.upcert.conformance.SampleVerdicts.allOnTheDefaultCloud();
        }
        return verdicts;
    }

    /** The run names ("profile seed N") where {@code ruleId} failed, with the messages. */
    static List<String> failures(String ruleId) throws Exception {
        List<String> failed = new ArrayList<>();
        all().forEach((run, byRule) -> {
            Verdict verdict = byRule.get(ruleId);
            if (verdict != null && verdict.failed()) {
                failed.add(run + ": " + verdict.message());
            }
        });
        return failed;
    }

    /**
     * What every group test checks for its group: the sample fails none of the group's rules on
     * any standard profile and seed; each rule is exercised (PASS) on at least one seed of the
     * profile the catalogue names for it; a SHOULD rule's PASS carries its figure.
     */
    static void assertGroupHolds(String group) throws Exception {
        List<String> problems = new ArrayList<>();
        for (Rule rule : RuleCatalogue.group(group)) {
            if (RuleCatalogue.checker(rule.id()).isEmpty()) {
                problems.add(rule.id() + " has no checker");
                continue;
            }
            failures(rule.id()).forEach(f -> problems.add(rule.id() + " failed the sample on " + f));
            List<String> passed = runs(rule.id(), Verdict.Status.PASS).stream()
                    .filter(run -> run.startsWith(rule.profile() + " seed ")).toList();
            if (passed.isEmpty()) {
                problems.add(rule.id() + " is exercised on no seed of " + rule.profile());
            }
            for (var run : all().entrySet()) {
                Verdict verdict = run.getValue().get(rule.id());
                if (!rule.must() && verdict.status() == Verdict.Status.PASS && verdict.figure() == null) {
                    problems.add(rule.id() + " passed without a figure on " + run.getKey());
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), problems, group + " rules on the sample");
    }

    /** The verdict of {@code ruleId} on one run ("profile seed N"). */
    static Verdict verdict(String run, String ruleId) throws Exception {
        return all().get(run).get(ruleId);
    }

    /** The runs of {@code profile} where {@code ruleId} is {@code status}. */
    static List<String> runs(String ruleId, Verdict.Status status) throws Exception {
        List<String> matching = new ArrayList<>();
        all().forEach((run, byRule) -> {
            Verdict verdict = byRule.get(ruleId);
            if (verdict != null && verdict.status() == status) {
                matching.add(run);
            }
        });
        return matching;
    }
}
