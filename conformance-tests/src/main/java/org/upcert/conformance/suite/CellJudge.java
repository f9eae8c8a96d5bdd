package org.upcert.conformance.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeMap;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.Applicability;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.rules.Thresholds;
import org.upcert.conformance.verdict.Verdict;

/** Judges one rule on one run's outcome; never throws (a checker's own error is a SKIPPED verdict). */
public final class CellJudge {
    /** The SKIPPED reason of every rule on a run Ctrl-C stopped or kept from starting. */
    static final String INTERRUPTED = "interrupted (Ctrl-C) before this run finished: nothing in it was judged";

    private CellJudge() {
    }

    public static CellVerdict judge(SuiteConfig config, Rule rule, RunOutcome outcome) {
        Cell cell = outcome.cell();
        Verdict verdict;
        if (outcome.interrupted()) {
            verdict = Verdict.skipped(rule.id(), INTERRUPTED);
        } else if (outcome.impossible() != null) {
            verdict = Verdict.notApplicable(rule.id(), "not run: " + outcome.impossible());
        } else if (!outcome.ran()) {
            verdict = Verdict.skipped(rule.id(), "harness fault, the run could not be judged: " + outcome.harnessFault());
        } else {
            verdict = outcome.evidence().derived(Judged.class, evidence -> new Judged()).of(rule, outcome.evidence());
        }
        String trace = verdict.failed() ? writeTrace(config, outcome) : null;
        String timeline = verdict.failed() && config.reports() != null
                ? RunTimelines.writeFailure(config.reports(), cell, verdict, outcome.traceText(), outcome.evidence()) : null;
        return new CellVerdict(rule, cell, verdict, config.reproduce(cell, rule.id()), trace, timeline);
    }

    /**
     * Judges every rule of the configuration on a run that just finished, on the thread that ran
     * it, so that the rule groups' tests (one thread per group) find the verdicts made and only
     * report them; a run is judged by one thread, once, as soon as it is simulated.
     */
    static void judgeAhead(SuiteConfig config, RunOutcome outcome) {
        if (!outcome.ran()) {
            return;
        }
        long cpu = SuiteTimings.threadCpu();
        long started = System.nanoTime(); // wall-clock ok: timings only
        Judged judged = outcome.evidence().derived(Judged.class, evidence -> new Judged());
        for (Rule rule : config.rules()) {
            judged.of(rule, outcome.evidence());
        }
        outcome.activations(); // what every cell's report shows
        config.certificationState().timings().judgedAhead(outcome.cell().label(), started, System.nanoTime(), SuiteTimings.threadCpu() - cpu);
    }

    /**
     * The checker's own verdict on a run that was judged ahead ({@link #judgeAhead}), before
     * applicability and the SHOULD threshold: what a test of the checker asserts. Empty when the rule
     * was not judged on this run, or its checker threw (the cell says SKIPPED); the caller then asks
     * the checker itself. Reading it judges nothing: a run is judged once, whoever reads it.
     */
    public static Optional<Verdict> unadjusted(RunOutcome outcome, String ruleId) {
        if (!outcome.ran()) {
            return Optional.empty();
        }
        return outcome.evidence().derived(Judged.class, evidence -> new Judged()).unadjusted(ruleId);
    }

    /** Each rule's verdict on one run, judged once for every cell that asks (a reading of the run's evidence). */
    private static final class Judged {
        private final TreeMap<String, Verdict> byRule = new TreeMap<>();
        /** The checkers' verdicts before applicability and thresholds, for the rules whose checker returned. */
        private final TreeMap<String, Verdict> unadjusted = new TreeMap<>();

        synchronized Verdict of(Rule rule, RunEvidence evidence) {
            Verdict known = byRule.get(rule.id());
            if (known == null) {
                known = check(rule, evidence);
                byRule.put(rule.id(), known);
            }
            return known;
        }

        synchronized Optional<Verdict> unadjusted(String ruleId) {
            return Optional.ofNullable(unadjusted.get(ruleId));
        }

        /** The checker's verdict, then applicability and the SHOULD threshold; never throws. */
        private Verdict check(Rule rule, RunEvidence evidence) {
            Optional<RuleChecker> checker = RuleCatalogue.checker(rule.id());
            if (checker.isEmpty()) {
                return Verdict.skipped(rule.id(), "this build of upcert has no checker for " + rule.id());
            }
            try {
                Verdict own = checker.get().check(evidence);
                unadjusted.put(rule.id(), own);
                // The checker judges what happened; applicability and the SHOULD thresholds
                // are decided here, once, for every rule alike (RULES.md, verdict semantics v2).
                return Thresholds.apply(Applicability.apply(own, evidence));
            } catch (RuntimeException | Error e) {
                return Verdict.skipped(rule.id(), "harness fault in the " + rule.id() + " checker: " + e);
            }
        }
    }

    /** Writes a failing run's trace once into the reports directory, so the FAIL can be read at leisure. */
    private static String writeTrace(SuiteConfig config, RunOutcome outcome) {
        if (config.reports() == null || outcome.traceText() == null) {
            return null;
        }
        Path file = config.reports().resolve("traces").resolve(outcome.cell().fileName() + ".jsonl");
        // once per certification: a second certification into the same folder (which emptied it) writes it again
        if (config.certificationState().firstWrite(file.toAbsolutePath().toString())) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, outcome.traceText());
            } catch (IOException e) {
                return null;
            }
        }
        return config.reports().relativize(file).toString();
    }
}
