package org.upcert.conformance.suite;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * A rule judged over every run of a certification. The overall status is, in this order:
 * FAIL if any run failed it; SKIPPED if any run could not judge it (a skip is never a pass);
 * PASS if at least one run exercised it; NOT_EXERCISED otherwise.
 *
 * @param rule the rule
 * @param counts how many runs gave each status
 * @param status the overall status
 * @param figure a SHOULD rule's figure combined over its runs; null if none
 * @param firstFailure the first FAIL in run order; null if none
 * @param firstSkip the first SKIPPED; null if none
 */
public record RuleSummary(Rule rule, Map<Status, Integer> counts, Status status, Figure figure, CellVerdict firstFailure,
        CellVerdict firstSkip) {

    public static RuleSummary of(Rule rule, List<CellVerdict> verdicts) {
        EnumMap<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status status : Status.values()) {
            counts.put(status, 0);
        }
        Figure figure = null;
        CellVerdict firstFailure = null;
        CellVerdict firstSkip = null;
        for (CellVerdict cell : verdicts) {
            if (!cell.rule().id().equals(rule.id())) {
                continue;
            }
            Verdict verdict = cell.verdict();
            counts.merge(verdict.status(), 1, Integer::sum);
            if (verdict.figure() != null) {
                figure = figure == null ? verdict.figure() : figure.combine(verdict.figure());
            }
            if (verdict.status() == Status.FAIL && firstFailure == null) {
                firstFailure = cell;
            }
            if (verdict.status() == Status.SKIPPED && firstSkip == null) {
                firstSkip = cell;
            }
        }
        Status status = counts.get(Status.FAIL) > 0 ? Status.FAIL
                : counts.get(Status.SKIPPED) > 0 ? Status.SKIPPED
                : counts.get(Status.PASS) > 0 ? Status.PASS
                : Status.NOT_EXERCISED;
        return new RuleSummary(rule, Map.copyOf(counts), status, figure, firstFailure, firstSkip);
    }

    public int runs() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** {@code "PASS 12 · FAIL 0 · NOT_EXERCISED 33 · SKIPPED 0"} */
    public String countsLine() {
        return "PASS " + counts.get(Status.PASS) + " · FAIL " + counts.get(Status.FAIL) + " · NOT_EXERCISED "
                + counts.get(Status.NOT_EXERCISED) + " · SKIPPED " + counts.get(Status.SKIPPED);
    }
}
