package org.upcert.conformance.rules;

import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/**
 * The documented threshold of every SHOULD rule: a figure beyond it is a {@link Verdict.Status#WARN}
 * — shown beside the FAILs in every report, never deciding certification, never printed as PASS
 * beside an alarming figure. The limits are upcert's judgement (none of them is Apple's number);
 * each says why, and docs/verdicts.md lists them.
 */
public final class Thresholds {

    /**
     * One SHOULD rule's threshold: WARN when the figure's value is above {@code limit}.
     *
     * @param ruleId the rule
     * @param limit the largest value that still passes (a fraction for ratios, else the figure's unit)
     * @param unit {@code "%"} for a ratio's limit, else the figure's unit ({@code "ms"})
     * @param why why this limit, in one sentence
     */
    public record Threshold(String ruleId, double limit, String unit, String why) {

        /** {@code "above 10%"} or {@code "above 30000 ms"}. */
        public String describe() {
            return unit.equals("%") ? "above " + plain(100 * limit) + "%" : "above " + plain(limit) + " " + unit;
        }

        private static String plain(double value) {
            return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
        }
    }

    private static final TreeMap<String, Threshold> BY_RULE = new TreeMap<>();

    static {
        add("CAP-02", 0.10, "%", "a call at the limit with finished jobs unacknowledged wastes the activation; an occasional one is"
                + " a race with the system finishing jobs, one call in ten is a habit");
        add("CAP-03", 0.25, "%", "a quarter of the job slots left empty while photos wait roughly halves the backup's pace on a"
                + " device that calls rarely");
        add("ACK-03", 0.05, "%", "an acknowledgement without a write before it loses the job's outcome if the process dies right"
                + " after; a few can be jobs the extension deliberately forgets");
        add("RTY-04", 0.10, "%", "trying again before Retry-After elapsed is refused again and counts against the app's quota;"
                + " a few early attempts are incidental (a new job made for another reason)");
        add("RES-05", 30_000, "ms", "a p99 call duration above half the 60 s runtime limit measured on devices leaves too little margin:"
                + " a slower device or a larger library reaches the kill");
        add("TRM-05", 1, "blocks per notice", "finishing the block in progress after willTerminate is allowed (at most one per"
                + " notice); more blocks on average mean work went on after the notice");
        add("DUP-02", 0.05, "%", "re-uploading bytes the cloud already holds costs the user's data plan and battery; lost responses"
                + " make some unavoidable");
    }

    private Thresholds() {
    }

    private static void add(String ruleId, double limit, String unit, String why) {
        BY_RULE.put(ruleId, new Threshold(ruleId, limit, unit, why));
    }

    /** The threshold of a SHOULD rule. */
    public static Optional<Threshold> of(String ruleId) {
        return Optional.ofNullable(BY_RULE.get(ruleId));
    }

    /** Every threshold, by rule id. */
    public static TreeMap<String, Threshold> all() {
        return new TreeMap<>(BY_RULE);
    }

    /**
     * A measured SHOULD verdict judged against its threshold: WARN when its figure is beyond it,
     * unchanged otherwise (and for any verdict without a figure).
     */
    public static Verdict apply(Verdict verdict) {
        Threshold threshold = BY_RULE.get(verdict.ruleId());
        if (threshold == null || verdict.figure() == null || verdict.status() != Verdict.Status.PASS) {
            return verdict;
        }
        if (verdict.figure().value() > threshold.limit()) {
            return verdict.withStatus(Verdict.Status.WARN, verdict.message() + " — WARN: " + verdict.figure() + " is "
                    + threshold.describe() + " (" + threshold.why() + ")");
        }
        return verdict;
    }

    /** Whether a combined figure of a rule is beyond its threshold. */
    public static boolean beyond(String ruleId, Figure figure) {
        Threshold threshold = BY_RULE.get(ruleId);
        return threshold != null && figure != null && figure.value() > threshold.limit();
    }
}
