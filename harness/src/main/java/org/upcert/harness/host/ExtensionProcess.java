package org.upcert.harness.host;

import org.upcert.api.ProcessingResult;

/**
 * One launch of the extension's (simulated) process, whatever hosts it: the same instance serves
 * calls until the system kills it or ends it; then the simulator launches a new one and only
 * storage carries over. Waiting for the extension is the one real wait in the simulator, always
 * bounded.
 */
public interface ExtensionProcess {

    /** How a wait for the extension ended. */
    sealed interface Completion {
        /** {@code processJobs} returned (null result included). */
        record Returned(ProcessingResult result) implements Completion {
        }

        /** {@code processJobs} threw: "class: message" (an escaping kill included). */
        record Threw(String exception) implements Completion {
        }

        /** Still running after the wall-clock bound. */
        record Hung() implements Completion {
        }

        /**
         * The process itself died or was declared dead: it exited, ran out of memory, overflowed its
         * stack, broke the protocol. The reason is deterministic text for the trace.
         */
        record Crashed(String reason) implements Completion {
        }
    }

    /** A started {@code processJobs} call. */
    interface Call {
    }

    int generation();

    /** Starts {@code processJobs} with {@code context}. */
    Call startCall(CallContext context);

    /** Waits (really, bounded) for a call started by {@link #startCall(CallContext)}. */
    Completion await(Call call, long wallTimeoutMs);

    /**
     * Delivers {@code willTerminate()} (on a device it arrives on another thread while
     * {@code processJobs} may be running) and waits for it, bounded. Returns what went wrong (it
     * threw, did not return in time) or null.
     */
    String deliverTermination(long wallTimeoutMs);

    /**
     * Ends the process ({@code reason}: idle, terminated, killed, crashed). A host that runs it in
     * a real process may reuse that process for the next launch, or kill it for real.
     */
    void destroy(String reason);

    /** The process could not be launched; the message says why (a throwing constructor's exception included). */
    final class LaunchFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public LaunchFailure(String message) {
            super(message);
        }
    }
}
