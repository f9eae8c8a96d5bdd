package org.upcert.conformance.report;

import java.util.ArrayList;
import java.util.List;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;
import org.upcert.harness.HarnessVersion;

/**
 * The outcome of one certification: every rule summarised over every run, and the overall
 * verdict. CERTIFIED needs every selected MUST rule PASS (exercised by some run, failed by none)
 * or NOT_APPLICABLE (its optional trigger never used, or absent at the OS level); a FAIL makes it
 * NOT_CERTIFIED; a MUST rule not exercised or skipped, or a fault of upcert itself, makes it
 * INCOMPLETE — never certified.
 *
 * @param config what was certified and how
 * @param extensionShas SHA-256 of the extension code the runs loaded
 * @param summaries one per selected rule, in catalogue order
 * @param failures every FAIL cell, in run order and within a run by violating event (root cause first)
 * @param harnessFaults cells the harness could not run (never the extension's fault)
 * @param interrupted whether Ctrl-C stopped the certification: then it is INTERRUPTED, never certified
 * @param unfinishedRuns runs Ctrl-C stopped half-way or kept from starting (their verdicts are SKIPPED)
 */
public record Certification(SuiteConfig config, List<String> extensionShas, List<RuleSummary> summaries,
        List<CellVerdict> failures, List<String> harnessFaults, boolean interrupted, int unfinishedRuns) {

    /**
     * The overall verdict. INTERRUPTED: Ctrl-C stopped the certification; the reports hold the
     * verdicts of the runs that finished, and it is not a certification whatever they say.
     */
    public enum Outcome { CERTIFIED, NOT_CERTIFIED, INCOMPLETE, INTERRUPTED }

    public Certification(SuiteConfig config, List<String> extensionShas, List<RuleSummary> summaries,
            List<CellVerdict> failures, List<String> harnessFaults) {
        this(config, extensionShas, summaries, failures, harnessFaults, false, 0);
    }

    public static Certification of(SuiteConfig config, List<String> extensionShas, List<CellVerdict> verdicts) {
        List<RuleSummary> summaries = new ArrayList<>();
        for (Rule rule : config.rules()) {
            summaries.add(RuleSummary.of(rule, verdicts));
        }
        List<CellVerdict> failures = verdicts.stream().filter(v -> v.verdict().failed()).sorted(RootCauses.byViolation()).toList();
        List<String> faults = verdicts.stream().filter(v -> v.verdict().status() == Status.SKIPPED
                && v.verdict().message().startsWith("harness fault")).map(v -> v.cell().label() + ": " + v.verdict().message())
                .distinct().sorted().toList();
        return new Certification(config, List.copyOf(extensionShas), List.copyOf(summaries), failures, faults);
    }

    /** The same, marked interrupted by Ctrl-C with {@code unfinished} runs that did not finish. */
    public Certification interruptedWith(int unfinished) {
        return new Certification(config, extensionShas, summaries, failures, harnessFaults, true, unfinished);
    }

    /**
     * The same with a fault of upcert itself that is no cell's (an {@code OutOfMemoryError} or a
     * bug that stopped the suite half-way): listed with the others, and the outcome is never
     * CERTIFIED (rules may lack the verdicts of the runs it cut short).
     */
    public Certification withHarnessFault(String fault) {
        List<String> faults = new ArrayList<>(harnessFaults);
        faults.add(fault);
        return new Certification(config, extensionShas, summaries, failures, List.copyOf(faults), interrupted, unfinishedRuns);
    }

    /** Runs that finished and were judged. */
    public int finishedRuns() {
        return runs() - unfinishedRuns;
    }

    public Outcome outcome() {
        if (interrupted) {
            return Outcome.INTERRUPTED;
        }
        boolean incomplete = false;
        for (RuleSummary summary : summaries) {
            if (!summary.rule().must()) {
                continue;
            }
            if (summary.status() == Status.FAIL) {
                return Outcome.NOT_CERTIFIED;
            }
            if (summary.status() != Status.PASS && summary.status() != Status.NOT_APPLICABLE) {
                incomplete = true;
            }
        }
        return incomplete || !harnessFaults.isEmpty() ? Outcome.INCOMPLETE : Outcome.CERTIFIED;
    }

    /** Whether only part of the catalogue was judged ({@code --rules}). */
    public boolean partial() {
        return summaries.size() != org.upcert.conformance.rules.RuleCatalogue.rules().size();
    }

    public int runs() {
        return config.cells().size();
    }

    /** The FAILs grouped by the rule each run violated first, most frequent first. */
    public List<RootCauses.RootCause> rootCauses() {
        return RootCauses.of(failures);
    }

    /** SHOULD rules whose figure is beyond its threshold. */
    public List<RuleSummary> warnings() {
        return summaries.stream().filter(s -> s.status() == Status.WARN).toList();
    }

    /** {@code "30 PASS, 0 FAIL, 3 NOT_APPLICABLE, 0 NOT_EXERCISED, 0 SKIPPED"}: the MUST rules by status. */
    public String mustLine() {
        return mustRules(Status.PASS) + " PASS, " + mustRules(Status.FAIL) + " FAIL, " + mustRules(Status.NOT_APPLICABLE)
                + " NOT_APPLICABLE, " + mustRules(Status.NOT_EXERCISED) + " NOT_EXERCISED, " + mustRules(Status.SKIPPED)
                + " SKIPPED";
    }

    public long mustRules(Status status) {
        return summaries.stream().filter(s -> s.rule().must() && s.status() == status).count();
    }

    public static String suiteVersion() {
        return HarnessVersion.get();
    }

    public static String jdk() {
        return System.getProperty("java.vendor", "?") + " " + System.getProperty("java.version", "?");
    }
}
