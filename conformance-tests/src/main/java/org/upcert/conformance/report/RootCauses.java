package org.upcert.conformance.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.CellVerdict;

/**
 * One mistake often fails several rules: an extension that gives up on a photo fails RTY-01 when
 * it gives up, then RES-01 when it answers COMPLETED, then E2E-01 at the end. Reports therefore
 * put root causes first: within each run the FAIL whose violating event came first is the run's
 * root, and the FAILs after it in the same run are listed as its likely consequences. Runs are
 * then grouped by the rule of their root, most frequent first.
 *
 * <p>"Likely": the grouping is by time within a run, not by proven causality. A liveness rule
 * judged at the end of the run (its excerpt is the end of the trace) always sorts after every
 * safety violation, which is what makes it a consequence here.
 */
public final class RootCauses {

    /**
     * One rule that was the first violation of one or more runs.
     *
     * @param ruleId the rule violated first
     * @param runs the runs in which it came first, each with its FAIL (run order)
     * @param consequences rule id → how many of those runs also failed it later
     * @param example the earliest root FAIL (first run, earliest event)
     */
    public record RootCause(String ruleId, List<CellVerdict> runs, TreeMap<String, Integer> consequences, CellVerdict example) {
    }

    private RootCauses() {
    }

    /** The FAILs of each run, earliest violating event first (ties: rule id). */
    public static Comparator<CellVerdict> byViolation() {
        return Comparator.comparing(CellVerdict::cell).thenComparingInt(RootCauses::line)
                .thenComparing(v -> v.rule().id());
    }

    /** The trace line of a FAIL's violating event; a FAIL without an excerpt sorts last. */
    static int line(CellVerdict verdict) {
        return verdict.verdict().violatingEvent().map(e -> e.line()).orElse(Integer.MAX_VALUE);
    }

    /** The root causes among {@code failures}, most frequent first (ties: catalogue id). */
    public static List<RootCause> of(List<CellVerdict> failures) {
        Map<Cell, List<CellVerdict>> byRun = new TreeMap<>();
        for (CellVerdict failure : failures) {
            byRun.computeIfAbsent(failure.cell(), c -> new ArrayList<>()).add(failure);
        }
        Map<String, List<CellVerdict>> rootsByRule = new LinkedHashMap<>();
        Map<String, TreeMap<String, Integer>> consequencesByRule = new TreeMap<>();
        for (List<CellVerdict> run : byRun.values()) {
            run.sort(byViolation());
            CellVerdict root = run.get(0);
            rootsByRule.computeIfAbsent(root.rule().id(), r -> new ArrayList<>()).add(root);
            TreeMap<String, Integer> consequences = consequencesByRule.computeIfAbsent(root.rule().id(), r -> new TreeMap<>());
            for (CellVerdict later : run.subList(1, run.size())) {
                consequences.merge(later.rule().id(), 1, Integer::sum);
            }
        }
        List<RootCause> causes = new ArrayList<>();
        for (Map.Entry<String, List<CellVerdict>> entry : rootsByRule.entrySet()) {
            List<CellVerdict> runs = entry.getValue();
            CellVerdict example = runs.stream().min(Comparator.comparingInt(RootCauses::line).thenComparing(CellVerdict::cell))
                    .orElseThrow();
            causes.add(new RootCause(entry.getKey(), List.copyOf(runs), consequencesByRule.get(entry.getKey()), example));
        }
        causes.sort(Comparator.comparingInt((RootCause c) -> -c.runs().size()).thenComparing(RootCause::ruleId));
        return causes;
    }

    /** {@code "E2E-01 ×3, RES-01 ×2"}, or empty. */
    public static String describe(TreeMap<String, Integer> consequences) {
        List<String> parts = new ArrayList<>();
        consequences.forEach((rule, n) -> parts.add(rule + (n > 1 ? " ×" + n : "")));
        return String.join(", ", parts);
    }
}
