package org.upcert.harness.plan;

/**
 * One concrete fault of an expanded plan, pinned to a deterministic point of the run. The fault
 * engine (profiles) expands schedules and probabilities into these; the simulator only executes
 * them. Process faults are pinned to (activation number, API call number within that call): the
 * n-th call an extension makes is the same on every replay, a wall-clock moment is not.
 */
public sealed interface PlannedFault permits PlannedFault.HardKill, PlannedFault.TerminationNotice {

    /** The fault kind as profiles and traces name it. */
    String kind();

    /** The activation (1-based) the fault belongs to. */
    int activation();

    /**
     * The process is killed without notice at the start of the extension's {@code atCall}-th API
     * call (1-based) in activation {@code activation}: that call and everything after it never
     * happen. If the call returns first, the kill hits the idle process right after it.
     */
    record HardKill(int activation, int atCall) implements PlannedFault {
        public HardKill {
            requirePositive(activation, atCall);
        }

        @Override
        public String kind() {
            return "process.kill";
        }
    }

    /**
     * {@code willTerminate()} is delivered before the extension's {@code atCall}-th API call in
     * activation {@code activation}; the call then has the policy's grace period to return.
     */
    record TerminationNotice(int activation, int atCall) implements PlannedFault {
        public TerminationNotice {
            requirePositive(activation, atCall);
        }

        @Override
        public String kind() {
            return "process.notice";
        }
    }

    private static void requirePositive(int activation, int atCall) {
        if (activation < 1 || atCall < 1) {
            throw new IllegalArgumentException("activation and atCall are 1-based");
        }
    }
}
