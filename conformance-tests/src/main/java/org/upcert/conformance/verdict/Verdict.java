package org.upcert.conformance.verdict;

import java.util.List;
import java.util.Objects;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * The result of judging one rule on one run. {@link Status#NOT_EXERCISED} and
 * {@link Status#SKIPPED} are never a pass: a rule no run exercised has not been shown to hold.
 *
 * @param ruleId the rule's stable id, e.g. {@code ACK-01}
 * @param status the outcome
 * @param message why (for a FAIL: the violation in one sentence)
 * @param excerpt for a FAIL, the violating event and the few before it; else empty
 * @param figure what a SHOULD rule measured; null for MUST rules and unexercised SHOULD rules
 */
public record Verdict(String ruleId, Status status, String message, List<TraceEvent> excerpt, Figure figure) {

    /** Verdict outcomes. */
    public enum Status { PASS, FAIL, NOT_EXERCISED, SKIPPED }

    public Verdict {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        excerpt = List.copyOf(excerpt);
    }

    public Verdict(String ruleId, Status status, String message, List<TraceEvent> excerpt) {
        this(ruleId, status, message, excerpt, null);
    }

    public static Verdict pass(String ruleId, String message) {
        return new Verdict(ruleId, Status.PASS, message, List.of());
    }

    public static Verdict fail(String ruleId, String message, List<TraceEvent> excerpt) {
        return new Verdict(ruleId, Status.FAIL, message, excerpt);
    }

    /**
     * A SHOULD rule's verdict: exercised, with the figure it measured. SHOULD rules never fail
     * certification; how good the figure is, the report shows.
     */
    public static Verdict measured(String ruleId, Figure figure, String message) {
        return new Verdict(ruleId, Status.PASS, message, List.of(), Objects.requireNonNull(figure, "figure"));
    }

    public static Verdict notExercised(String ruleId, String why) {
        return new Verdict(ruleId, Status.NOT_EXERCISED, why, List.of());
    }

    public static Verdict skipped(String ruleId, String why) {
        return new Verdict(ruleId, Status.SKIPPED, why, List.of());
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
