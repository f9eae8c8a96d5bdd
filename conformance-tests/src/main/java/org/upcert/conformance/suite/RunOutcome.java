package org.upcert.conformance.suite;

import java.util.ArrayList;
import java.util.List;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * One simulated cell: its evidence and trace, or the harness fault that prevented it (a harness
 * fault is never the extension's fault: it makes the cell's verdicts SKIPPED, never PASS), or the
 * interrupt (Ctrl-C) that stopped it before it finished (SKIPPED too, and not a harness fault).
 *
 * @param cell the cell
 * @param evidence what checkers judge; null after a harness fault or an interrupt
 * @param traceText the whole trace; null after a harness fault or an interrupt
 * @param harnessFault what went wrong in upcert itself; null when the run finished
 * @param wallMillis how long the simulation took
 * @param interrupted whether Ctrl-C stopped the run, or kept it from starting
 * @param impossible why no extension could pass this pairing of cloud and profile, so it was not
 *        run (its verdicts are NOT_APPLICABLE with this reason); null for a run
 */
public record RunOutcome(Cell cell, RunEvidence evidence, String traceText, String harnessFault, long wallMillis,
        boolean interrupted, String impossible) {

    public RunOutcome(Cell cell, RunEvidence evidence, String traceText, String harnessFault, long wallMillis) {
        this(cell, evidence, traceText, harnessFault, wallMillis, false, null);
    }

    /** A run Ctrl-C stopped, or kept from starting: nothing in it can be judged. */
    public static RunOutcome interrupted(Cell cell, long wallMillis) {
        return new RunOutcome(cell, null, null, null, wallMillis, true, null);
    }

    /** A pairing of cloud and profile no extension could pass ({@code CloudDialects.impossibleOn}): not run. */
    public static RunOutcome impossible(Cell cell, String why) {
        return new RunOutcome(cell, null, null, null, 0, false, why);
    }

    public boolean ran() {
        return harnessFault == null && !interrupted && impossible == null;
    }

    /**
     * One activation as the trace shows it: when the system called, why, and how the call ended.
     *
     * @param number the activation number
     * @param t when it started (virtual ms)
     * @param reason why the system called
     * @param end how it ended: {@code returned PROCESSING}, {@code killed (runtime limit)}, …
     * @param calls the API calls it made
     * @param changes the job changes it committed
     */
    public record Activation(int number, long t, String reason, String end, long calls, long changes) {
    }

    /**
     * The activations of the run, in order (for Allure's steps and the timeline): read from the
     * trace once per run and shared by every cell of it (each rule's test asks; a certification
     * has some 2,600 cells, and reading every trace again for each was a tenth of its CPU).
     */
    public List<Activation> activations() {
        return evidence.derived(Activations.class, Activations::of).list();
    }

    /** The activations of one run, as a reading of its evidence. */
    private record Activations(List<Activation> list) {
        static Activations of(RunEvidence evidence) {
            return new Activations(List.copyOf(read(evidence)));
        }
    }

    private static List<Activation> read(RunEvidence evidence) {
        List<Activation> activations = new ArrayList<>();
        TraceEvent start = null;
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("call.start")) {
                start = event;
            } else if (event.name().equals("call.end") && start != null) {
                String outcome = event.text("outcome");
                String end = switch (outcome) {
                    case "returned" -> "returned " + event.text("result");
                    case "killed" -> "killed (" + event.text("reason") + ")";
                    case "threw" -> "threw " + event.text("exception");
                    default -> outcome;
                };
                activations.add(new Activation(start.activation(), start.t(), start.text("reason"), end, event.number("calls"),
                        event.number("changes")));
                start = null;
            }
        }
        return activations;
    }
}
