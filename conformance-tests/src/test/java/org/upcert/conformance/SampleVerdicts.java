package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
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
 * The bundled sample's verdicts on every rule, per (profile, seed, cloud), each run made once
 * per JVM and shared by the group tests (RetryRulesTest, CloudRulesTest, …): only the verdicts
 * are kept, not the traces.
 */
final class SampleVerdicts {
    static final long[] SEEDS = {1, 2, 3};
    private static final TreeMap<String, TreeMap<String, Verdict>> CACHE = new TreeMap<>();
    private static Path sampleJar;

    private SampleVerdicts() {
    }

    /** Every checker's verdict on the sample's run of {@code profile} with {@code seed} against {@code cloud}. */
    static synchronized TreeMap<String, Verdict> of(String profile, long seed, String cloud) throws Exception {
        String key = profile + " seed " + seed + " " + cloud;
        TreeMap<String, Verdict> cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        if (sampleJar == null) {
            sampleJar = BundledSample.extract().orElseThrow();
        }
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), seed).plan();
        RunEvidence evidence = RunEvidence.of(Simulation.run(plan, ExtensionSource.jar(sampleJar),
                RunOptions.inMemory().withTransport("direct").withCloud(cloud)));
        TreeMap<String, Verdict> verdicts = new TreeMap<>();
        for (RuleChecker checker : RuleCatalogue.checkers().values()) {
            verdicts.put(checker.ruleId(), checker.check(evidence));
        }
        CACHE.put(key, verdicts);
        return verdicts;
    }

    /** The sample fails none of {@code rules} on any standard profile and seed against {@code cloud}. */
    static void neverFails(List<String> rules, String cloud) throws Exception {
        List<String> failures = new ArrayList<>();
        for (String profile : ProfileCatalogue.names()) {
            for (long seed : SEEDS) {
                TreeMap<String, Verdict> verdicts = of(profile, seed, cloud);
                for (String rule : rules) {
                    Verdict verdict = verdicts.get(rule);
                    assertTrue(verdict != null, "no checker for " + rule);
                    if (verdict.failed()) {
                        failures.add(profile + " seed " + seed + " " + cloud + ": " + verdict.message());
                    }
                }
            }
        }
        assertEquals(List.of(), failures, "the sample must fail none of " + rules);
    }

    /**
     * {@code rule} is exercised (PASS) by the sample on {@code profile} with every seed against
     * {@code cloud}; a SHOULD rule then carries a figure.
     */
    static void exercisedBy(String rule, String profile, String cloud) throws Exception {
        for (long seed : SEEDS) {
            Verdict verdict = of(profile, seed, cloud).get(rule);
            assertEquals(Verdict.Status.PASS, verdict.status(), rule + " on " + profile + " seed " + seed + " " + cloud + ": "
                    + verdict.message());
            assertEquals(!RuleCatalogue.rule(rule).orElseThrow().must(), verdict.figure() != null, verdict.toString());
        }
    }

    /** {@code rule} is not exercised on {@code profile} seed 1 against {@code cloud} (it needs something else). */
    static void notExercisedBy(String rule, String profile, String cloud) throws Exception {
        Verdict verdict = of(profile, 1, cloud).get(rule);
        assertEquals(Verdict.Status.NOT_EXERCISED, verdict.status(), verdict.toString());
        assertFalse(verdict.failed());
    }
}
