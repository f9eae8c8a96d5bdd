package org.upcert.conformance.verdict;

import java.util.List;
import java.util.Objects;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * The result of judging one rule on one run. {@link Status#NOT_EXERCISED} and
 * {@link Status#SKIPPED} are never a pass: a rule no run exercised has not been shown to hold.
 * {@link Status#NOT_APPLICABLE} is not a pass either, but it never blocks certification: the rule's
 * trigger is an optional API the extension never used, or one its OS level lacks.
 * {@link Status#WARN} is a SHOULD rule whose figure is beyond its documented threshold.
 *
 * @param ruleId the rule's stable id, e.g. {@code ACK-01}
 * @param status the outcome
 * @param message why (for a FAIL: the violation in one sentence), always one line: it may quote what
 *        the extension wrote (an exception's message, a log line, a file name), and a line feed or a
 *        carriage return there would start a line of the extension's choosing inside upcert's output
 *        (a forged {@code reproduce:} line under a FAIL, a verdict line the Maven plugin reads), so
 *        control characters, line separators and bidirectional controls are kept escaped
 *        ({@code \n}, {@code \\u001b}) as the trace's JSON writes them (docs/isolation.md, H43)
 * @param excerpt for a FAIL, the violating event and the few before it; else empty
 * @param figure what a SHOULD rule measured; null for MUST rules and unexercised SHOULD rules
 */
public record Verdict(String ruleId, Status status, String message, List<TraceEvent> excerpt, Figure figure) {

    /**
     * Verdict outcomes (catalogue v2 semantics, RULES.md). The order is the order reports list them.
     * <ul>
     *   <li>PASS: exercised and held (a SHOULD rule: its figure within its threshold);
     *   <li>WARN: a SHOULD rule's figure beyond its threshold; never decides, never hidden;
     *   <li>FAIL: violated (MUST rules only);
     *   <li>NOT_APPLICABLE: the rule's trigger is an optional API the extension never used, or one
     *       its OS level lacks; never blocks certification, always listed;
     *   <li>NOT_EXERCISED: upcert did not produce the situation the rule needs; a MUST rule left
     *       so makes a certification INCOMPLETE;
     *   <li>SKIPPED: could not be judged (harness fault, interruption); never a pass.
     * </ul>
     */
    public enum Status { PASS, WARN, FAIL, NOT_APPLICABLE, NOT_EXERCISED, SKIPPED }

    public Verdict {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(status, "status");
        message = org.upcert.harness.cli.TerminalText.printable(Objects.requireNonNull(message, "message"));
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

    /** A SHOULD rule whose figure is beyond its threshold: shown beside the FAILs, never deciding. */
    public static Verdict warn(String ruleId, Figure figure, String message) {
        return new Verdict(ruleId, Status.WARN, message, List.of(), Objects.requireNonNull(figure, "figure"));
    }

    /** The rule's trigger is an optional API the extension never used, or one its OS level lacks. */
    public static Verdict notApplicable(String ruleId, String why) {
        return new Verdict(ruleId, Status.NOT_APPLICABLE, why, List.of());
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

    /** The same verdict with another status and message (figure and excerpt kept). */
    public Verdict withStatus(Status newStatus, String newMessage) {
        return new Verdict(ruleId, newStatus, newMessage, excerpt, figure);
    }

    /**
     * The event that violated the rule: the last of a FAIL's excerpt (checkers end their excerpt at
     * it); empty for other verdicts and for a FAIL without an excerpt.
     */
    public java.util.Optional<TraceEvent> violatingEvent() {
        return status != Status.FAIL || excerpt.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(excerpt.get(excerpt.size() - 1));
    }
}
