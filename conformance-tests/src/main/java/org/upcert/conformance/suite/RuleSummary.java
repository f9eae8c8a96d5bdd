package org.upcert.conformance.suite;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.Thresholds;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * A rule judged over every run of a certification. The overall status is, in this order:
 * FAIL if any run failed it; SKIPPED if any run could not judge it (a skip is never a pass);
 * for a SHOULD rule, WARN if its figure combined over the runs is beyond its threshold; PASS if at
 * least one run exercised it; NOT_EXERCISED if some run could have met it but none did (the
 * extension used the rule's optional trigger, or the rule has none); NOT_APPLICABLE if every run
 * found it not applicable (the optional API was never used, or the OS level lacks it).
 *
 * <p>Exploration runs (drawn profiles, {@code explore:N}) are judged like any run, and their FAIL
 * is a FAIL; but they never make a rule PASS on their own: a rule only they exercised stays
 * NOT_EXERCISED, its note says so (docs/exploration.md) — unless every other run found the rule
 * NOT_APPLICABLE, which stands (a drawn profile that met the situation anyway and passed changes
 * nothing; one that failed is a FAIL). What a certificate says was exercised
 * rests on the documented profiles, not on whatever a generator happened to draw.
 *
 * @param rule the rule
 * @param counts how many runs gave each status
 * @param status the overall status
 * @param figure a SHOULD rule's figure combined over its runs; null if none
 * @param firstFailure the first FAIL in run order; null if none
 * @param firstSkip the first SKIPPED; null if none
 * @param first the first verdict of each status, in run order (for notes that say what happened)
 * @param explorationExercised how many of the runs that exercised the rule were exploration runs
 * @param exercisedBy per profile (in run order), the runs that exercised the rule (PASS, WARN or FAIL);
 *     exploration runs count under {@code "exploration"}; profiles where it was never exercised are left out
 */
public record RuleSummary(Rule rule, Map<Status, Integer> counts, Status status, Figure figure, CellVerdict firstFailure,
        CellVerdict firstSkip, Map<Status, CellVerdict> first, int explorationExercised, Map<String, Integer> exercisedBy) {

    /**
     * The fewest runs of a certification that should exercise each MUST rule: a mistake that shows
     * in one run of three is missed by a single run, and the default certification is tuned (and
     * kept by a test) so that every MUST rule meets this on the sample. Below it the reports say
     * the rule was thinly exercised; it never changes a verdict.
     */
    public static final int WELL_EXERCISED = 10;

    public static RuleSummary of(Rule rule, List<CellVerdict> verdicts) {
        EnumMap<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status status : Status.values()) {
            counts.put(status, 0);
        }
        EnumMap<Status, CellVerdict> first = new EnumMap<>(Status.class);
        // Run order (profile by profile), so the reports list profiles as the certification ran them.
        java.util.LinkedHashMap<String, Integer> exercisedBy = new java.util.LinkedHashMap<>();
        Figure figure = null;
        int explored = 0;
        for (CellVerdict cell : verdicts) {
            if (!cell.rule().id().equals(rule.id())) {
                continue;
            }
            Verdict verdict = cell.verdict();
            if (SuiteConfig.exploration(cell.cell()) && (verdict.status() == Status.PASS || verdict.status() == Status.WARN)) {
                explored++;
            }
            counts.merge(verdict.status(), 1, Integer::sum);
            if (exercising(verdict.status())) {
                exercisedBy.merge(SuiteConfig.exploration(cell.cell()) ? "exploration" : cell.cell().profile(), 1, Integer::sum);
            }
            if (verdict.figure() != null) {
                figure = figure == null ? verdict.figure() : figure.combine(verdict.figure());
            }
            first.putIfAbsent(verdict.status(), cell);
        }
        Status status;
        if (counts.get(Status.FAIL) > 0) {
            status = Status.FAIL;
        } else if (counts.get(Status.SKIPPED) > 0) {
            status = Status.SKIPPED;
        } else if (counts.get(Status.PASS) + counts.get(Status.WARN) - explored > 0) {
            status = !rule.must() && Thresholds.beyond(rule.id(), figure) ? Status.WARN : Status.PASS;
        } else if (counts.get(Status.NOT_EXERCISED) > 0 || (explored > 0 && counts.get(Status.NOT_APPLICABLE) == 0)) {
            // Exploration alone never makes a rule PASS; but where every other run found the rule not
            // applicable (e.g. a deployment target that puts its situation out of reach), a drawn
            // profile that met it anyway does not turn NOT_APPLICABLE into NOT_EXERCISED.
            status = Status.NOT_EXERCISED;
        } else if (counts.get(Status.NOT_APPLICABLE) > 0) {
            status = Status.NOT_APPLICABLE;
        } else {
            status = Status.NOT_EXERCISED; // no run at all
        }
        return new RuleSummary(rule, Map.copyOf(counts), status, figure, first.get(Status.FAIL), first.get(Status.SKIPPED),
                Map.copyOf(first), explored, java.util.Collections.unmodifiableMap(exercisedBy));
    }

    private static boolean exercising(Status status) {
        return status == Status.PASS || status == Status.WARN || status == Status.FAIL;
    }

    public int runs() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Runs that exercised the rule: the situation arose and was judged (PASS, WARN or FAIL). */
    public int exercised() {
        return counts.get(Status.PASS) + counts.get(Status.WARN) + counts.get(Status.FAIL);
    }

    /**
     * A MUST rule exercised by fewer than {@link #WELL_EXERCISED} runs (but more than none) of a
     * certification that had that many runs: a run or two of one profile (reproducing a FAIL) is
     * not meant to cover the catalogue, and saying so of every rule would be noise.
     */
    public boolean thinlyExercised() {
        // A rule NOT_APPLICABLE overall (a drawn profile met it anyway) is not thin: it does not apply.
        return rule.must() && status != Status.NOT_APPLICABLE && runs() >= WELL_EXERCISED && exercised() > 0
                && exercised() < WELL_EXERCISED;
    }

    /** {@code "12 of 48 (tiny-job-limit 3, everything 2, …)"}: the runs that exercised the rule, by profile. */
    public String exercisedLine() {
        StringBuilder line = new StringBuilder().append(exercised()).append(" of ").append(runs());
        if (!exercisedBy.isEmpty()) {
            StringBuilder by = new StringBuilder();
            exercisedBy.forEach((profile, n) -> by.append(by.length() == 0 ? "" : ", ").append(profile).append(' ').append(n));
            line.append(" (").append(by).append(')');
        }
        return line.toString();
    }

    /** {@code "PASS 12 · FAIL 0 · N/A 0 · NOT_EXERCISED 33 · SKIPPED 0"} (WARN only when there is one). */
    public String countsLine() {
        return "PASS " + counts.get(Status.PASS) + (counts.get(Status.WARN) > 0 ? " · WARN " + counts.get(Status.WARN) : "")
                + " · FAIL " + counts.get(Status.FAIL) + " · NOT_APPLICABLE " + counts.get(Status.NOT_APPLICABLE)
                + " · NOT_EXERCISED " + counts.get(Status.NOT_EXERCISED) + " · SKIPPED " + counts.get(Status.SKIPPED);
    }

    /**
     * What a report says beside the status: the first failure; why the rule did not apply; for
     * NOT_EXERCISED precisely what did not happen (the checker's own words from the first run) and
     * whether the profile that exercises it was part of this certification; the figure for a
     * SHOULD rule.
     */
    public String note(List<String> profilesRun) {
        return switch (status) {
            case FAIL -> firstFailure.cell().label() + ": " + firstFailure.verdict().message();
            case SKIPPED -> firstSkip.verdict().message();
            case NOT_APPLICABLE -> "not applicable: " + first.get(Status.NOT_APPLICABLE).verdict().message();
            case NOT_EXERCISED -> {
                if (explorationExercised > 0) {
                    yield "exercised only by " + explorationExercised + " exploration run" + (explorationExercised == 1 ? "" : "s")
                            + " (drawn profiles never stand in for the standard ones); profile " + rule.profile() + " exercises it";
                }
                CellVerdict example = first.get(Status.NOT_EXERCISED);
                String what = example == null ? "no run" : "in no run: " + example.verdict().message();
                yield what + (profilesRun.contains(rule.profile()) ? " (profile " + rule.profile() + ", meant to exercise it, ran"
                        + " and the situation did not arise in its runs: try more seeds)"
                        : "; profile " + rule.profile() + " exercises it and was not part of this certification");
            }
            case WARN -> "WARN: " + figure + " is " + Thresholds.of(rule.id()).map(t -> t.describe() + " — " + t.why())
                    .orElse("beyond its threshold");
            case PASS -> figure == null ? rule.text() : figure.toString();
        };
    }
}
