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
 * are kept, not the traces. The default cloud's runs are the sample's default certification's
 * ({@link SampleCertification}).
 */
public final class SampleVerdicts {
    static final long[] SEEDS = {1, 2, 3};
    private static final TreeMap<String, TreeMap<String, Verdict>> CACHE = new TreeMap<>();
    /** Why each run of {@link #CACHE} ended (its {@code run.end} reason), same keys. */
    private static final java.util.concurrent.ConcurrentSkipListMap<String, String> END_REASONS =
            new java.util.concurrent.ConcurrentSkipListMap<>();
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
        if (cloud.equals(SuiteDefaults.CLOUD)) {
            allOnTheDefaultCloud(); // the whole catalogue at once, in parallel: most tests need it anyway
            return CACHE.get(key);
        }
        TreeMap<String, Verdict> verdicts = judge(profile, seed, cloud, sampleJar());
        CACHE.put(key, verdicts);
        return verdicts;
    }

    /**
     * The sample's verdicts on every standard profile with seeds 1..3 against the default cloud,
     * keyed "profile seed N": the runs of the sample's default certification ({@link
     * SampleCertification}, which {@code CertifyAcceptanceTest} reads too), judged by every checker as
     * each finished, once per test JVM and shared by every group test (this package's and {@code
     * rules}'), so the default runs are not made twice.
     */
    public static synchronized TreeMap<String, TreeMap<String, Verdict>> allOnTheDefaultCloud() throws Exception {
        SampleCertification.Shared certification = SampleCertification.get();
        TreeMap<String, TreeMap<String, Verdict>> out = new TreeMap<>();
        java.util.List<String> missing = new ArrayList<>();
        for (String profile : ProfileCatalogue.names()) {
            for (long seed : SEEDS) {
                String run = profile + " seed " + seed;
                TreeMap<String, Verdict> verdicts = certification.verdicts().get(run);
                if (verdicts == null) {
                    missing.add(run);
                    continue;
                }
                out.put(run, verdicts);
                CACHE.put(run + " " + SuiteDefaults.CLOUD, verdicts);
                END_REASONS.put(run + " " + SuiteDefaults.CLOUD, certification.endReasons().get(run));
            }
        }
        assertEquals(List.of(), missing, "runs of the sample's certification that did not finish; its harness faults: "
                + certification.result().certification().harnessFaults());
        return out;
    }

    /** Called with the class's lock held, so the pool threads of {@link #allOnTheDefaultCloud} need no lock. */
    private static Path sampleJar() throws Exception {
        if (sampleJar == null) {
            sampleJar = BundledSample.extract().orElseThrow();
        }
        return sampleJar;
    }

    private static TreeMap<String, Verdict> judge(String profile, long seed, String cloud, Path jar) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), seed).plan();
        org.upcert.harness.run.RunResult result = Simulation.run(plan, ExtensionSource.jar(jar),
                // in this JVM: the trace of a worker (IsolationEquivalenceTest), without a worker JVM per relaunch
                org.upcert.conformance.testing.CloudSpec.apply(RunOptions.inMemory().withTransport("direct")
                        .withIsolation(org.upcert.harness.run.Hosting.IN_PROCESS), cloud));
        END_REASONS.put(profile + " seed " + seed + " " + cloud, result.summary().endReason());
        RunEvidence evidence = RunEvidence.of(result);
        TreeMap<String, Verdict> verdicts = new TreeMap<>();
        for (RuleChecker checker : RuleCatalogue.checkers().values()) {
            verdicts.put(checker.ruleId(), checker.check(evidence));
        }
        return verdicts;
    }

    /** Why each of the sample's default runs ended, keyed "profile seed N" (simulated if need be). */
    public static synchronized TreeMap<String, String> endReasonsOnTheDefaultCloud() throws Exception {
        allOnTheDefaultCloud();
        TreeMap<String, String> out = new TreeMap<>();
        END_REASONS.forEach((key, reason) -> {
            if (key.endsWith(" " + SuiteDefaults.CLOUD)) {
                out.put(key.substring(0, key.length() - SuiteDefaults.CLOUD.length() - 1), reason);
            }
        });
        return out;
    }

    /** The default cloud of the suite. */
    private static final class SuiteDefaults {
        static final String CLOUD = org.upcert.conformance.suite.SuiteConfig.DEFAULT_CLOUD;
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

    /**
     * {@code rule} PASSes on {@code profile} against {@code cloud} on at least one of the seeds and is never FAILed (a
     * situation the profile makes likely rather than certain: whether a deletion meets a job still unacknowledged
     * depends on when the sample's calls come, which its own answers move).
     */
    static void exercisedOnSomeSeed(String rule, String profile, String cloud) throws Exception {
        List<String> statuses = new ArrayList<>();
        for (long seed : SEEDS) {
            Verdict verdict = of(profile, seed, cloud).get(rule);
            assertFalse(verdict.failed(), rule + " on " + profile + " seed " + seed + " " + cloud + ": " + verdict.message());
            statuses.add(verdict.status().name());
        }
        assertTrue(statuses.contains("PASS"), rule + " on " + profile + " " + cloud + ", seeds " + java.util.Arrays.toString(SEEDS) + ": " + statuses);
    }

    /** {@code rule} is not exercised on {@code profile} seed 1 against {@code cloud} (it needs something else). */
    static void notExercisedBy(String rule, String profile, String cloud) throws Exception {
        Verdict verdict = of(profile, 1, cloud).get(rule);
        assertEquals(Verdict.Status.NOT_EXERCISED, verdict.status(), verdict.toString());
        assertFalse(verdict.failed());
    }
}
