package org.upcert.conformance.suite;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.run.Interruption;

/**
 * The test class of one rule group. For each rule of the group: one dynamic test per run
 * ({@code RTY-01 · MUST · flaky-network · seed 1}) and a last one judging the rule over all runs.
 *
 * <p>Verdicts map to JUnit results so that nothing but PASS is ever successful: FAIL is a failed
 * assertion carrying the violation, the trace excerpt and the reproduce command; NOT_EXERCISED
 * and SKIPPED are aborted tests. A MUST rule that no run exercised fails its summary test
 * (unless {@code upcert.require-exercised=false}): an uncertified rule must not look green.
 */
@ExtendWith(SuiteConfigResolver.class)
public abstract class RuleGroupSuite {

    /** The group's id, e.g. {@code RTY}. */
    protected abstract String group();

    @TestFactory
    Stream<DynamicNode> rules(SuiteConfig config) {
        SharedRuns.of(config).start(config);
        List<DynamicNode> containers = new ArrayList<>();
        for (Rule rule : config.rules()) {
            if (rule.group().equals(group())) {
                containers.add(container(config, rule));
            }
        }
        return containers.stream();
    }

    private DynamicContainer container(SuiteConfig config, Rule rule) {
        List<CellVerdict> judged = Collections.synchronizedList(new ArrayList<>());
        // Lazy: JUnit asks for the next cell once the last has run, so that after Ctrl-C the cells of
        // runs that never finished are recorded without a test of their own (skippedWithoutATest).
        Stream<DynamicNode> cells = config.cells().stream()
                .filter(cell -> !skippedWithoutATest(config, rule, cell, judged))
                .map(cell -> cellTest(config, rule, cell, judged));
        String all = rule.id() + " · " + rule.severity() + " · all runs";
        DynamicNode summaryTest = DynamicTest.dynamicTest(all, () -> {
            RuleSummary summary = RuleSummary.of(rule, List.copyOf(judged));
            AllureCell.summary(config, summary);
            concludeSummary(config, summary);
        });
        return DynamicContainer.dynamicContainer(rule.id() + " " + rule.severity() + " — " + rule.text(),
                Stream.concat(cells, Stream.of(summaryTest)));
    }

    /** The test of one rule on one run: the run's verdict, recorded and reported. */
    private static DynamicTest cellTest(SuiteConfig config, Rule rule, Cell cell, List<CellVerdict> judged) {
        return DynamicTest.dynamicTest(rule.id() + " · " + rule.severity() + " · " + cell.label(), () -> {
            CertificationState certification = config.certificationState();
            RunOutcome outcome = certification.runs().outcome(config, cell);
            long cpu = SuiteTimings.threadCpu();
            CellVerdict verdict = CellJudge.judge(config, rule, outcome);
            long judgedCpu = SuiteTimings.threadCpu();
            certification.timings().judged(judgedCpu - cpu);
            judged.add(verdict);
            if (outcome.ran()) {
                // here, not in CellJudge: exploration judges runs too, and must not add to a certification's log
                certification.verdicts().extensionSha(cell, outcome.evidence().header() == null ? null
                        : outcome.evidence().header().path("extension").path("sha256").asText());
            }
            certification.verdicts().record(verdict);
            AllureCell.report(config, verdict, outcome);
            certification.timings().reported(SuiteTimings.threadCpu() - judgedCpu);
            conclude(verdict);
        });
    }

    /**
     * After Ctrl-C, a cell whose run never finished is recorded SKIPPED (in the certification and the
     * rule's summary, as before) but gets no test: some 2,700 aborted tests, each through JUnit's and
     * Allure's reporters (a result file each), kept a machine at load 22–40 past the minute the exit
     * waits for the bundle, and the bundle was lost (InterruptAcceptanceTest; by hand, SIGTERM after
     * the first run: 64 s, no certification.json). Asking for the outcome waits little: no run starts
     * after Ctrl-C and one under way stops at its next event. Before Ctrl-C nothing is asked here.
     */
    private static boolean skippedWithoutATest(SuiteConfig config, Rule rule, Cell cell, List<CellVerdict> judged) {
        if (!Interruption.requested()) {
            return false;
        }
        RunOutcome outcome = SharedRuns.of(config).outcome(config, cell);
        if (!outcome.interrupted()) {
            return false;
        }
        CellVerdict verdict = CellJudge.judge(config, rule, outcome);
        judged.add(verdict);
        config.certificationState().verdicts().record(verdict);
        return true;
    }

    /** PASS returns; FAIL fails; WARN, NOT_APPLICABLE, NOT_EXERCISED and SKIPPED abort. */
    static void conclude(CellVerdict cell) {
        Verdict verdict = cell.verdict();
        switch (verdict.status()) {
            case PASS -> {
            }
            case FAIL -> throw new AssertionFailedError(failureText(cell));
            case WARN, NOT_APPLICABLE, NOT_EXERCISED, SKIPPED -> throw new VerdictAborted(verdict.status() + ": "
                    + verdict.message());
        }
    }

    /**
     * A cell's verdict that aborts its test (WARN, NOT_APPLICABLE, NOT_EXERCISED, SKIPPED), without a
     * stack trace: it would only point into this class, under JUnit's own frames, and a default
     * certification aborts about a thousand cells, each trace filled in and then written into the
     * cell's Allure result. The message is the verdict.
     */
    static final class VerdictAborted extends TestAbortedException {
        private static final long serialVersionUID = 1L;

        VerdictAborted(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static void concludeSummary(SuiteConfig config, RuleSummary summary) {
        String line = summary.rule().id() + " " + summary.status() + " over " + summary.runs() + " runs (" + summary.countsLine()
                + "; exercised by " + summary.exercisedLine() + (summary.thinlyExercised() ? ", thin" : "") + ")"
                + (summary.figure() == null ? "" : "; " + summary.figure());
        switch (summary.status()) {
            case PASS -> {
            }
            case FAIL -> throw new AssertionFailedError(line + "\nfirst failure:\n" + failureText(summary.firstFailure()));
            case SKIPPED -> throw new TestAbortedException(line + ": " + summary.firstSkip().verdict().message());
            case WARN, NOT_APPLICABLE -> throw new TestAbortedException(line + ": " + summary.note(config.profiles()));
            case NOT_EXERCISED -> {
                if (summary.rule().must() && config.requireExercised()) {
                    throw new AssertionFailedError(line + ": no run exercised this MUST rule, so it is not certified: "
                            + summary.note(config.profiles()));
                }
                throw new TestAbortedException(line);
            }
        }
    }

    /** What a person needs to understand a FAIL: where, the message, the events, and how to reproduce it. */
    public static String failureText(CellVerdict cell) {
        Verdict verdict = cell.verdict();
        StringBuilder text = new StringBuilder();
        text.append(verdict.ruleId()).append(" FAIL on ").append(cell.cell().label()).append(": ").append(verdict.message())
                .append('\n');
        for (TraceEvent event : verdict.excerpt()) {
            text.append("  line ").append(event.line()).append(": ").append(event.raw()).append('\n');
        }
        text.append("  reproduce: ").append(cell.reproduce());
        if (cell.trace() != null) {
            text.append("\n  trace:     ").append(cell.trace());
        }
        return text.toString();
    }
}
