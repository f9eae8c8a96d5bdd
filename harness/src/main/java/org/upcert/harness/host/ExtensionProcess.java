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

        /** Still running, and silent: no API call for a whole quiet window of real time. */
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

    /**
     * Waits (really, bounded) for a call started by {@link #startCall(CallContext)}. The call is
     * declared {@link Completion.Hung} only when {@code activity} (its count of API calls) did not
     * change for a whole {@code quietWallMs} of real time: a call that keeps calling the API is
     * making progress in virtual time, and the virtual runtime limit stops it deterministically,
     * so a slow machine never turns a working call into a hung one. (Each API call costs virtual
     * time, so an active call reaches that limit after a bounded number of calls.)
     */
    Completion await(Call call, long quietWallMs, java.util.function.LongSupplier activity);

    /**
     * Waits for {@code future}, at most {@code quietWallMs} of real time after {@code activity}
     * last changed. Returns the result, or throws {@link TimeoutException} when the call was silent
     * for a whole window. For the hosts' {@link #await} implementations.
     */
    static <T> T awaitWhileActive(java.util.concurrent.Future<T> future, long quietWallMs,
            java.util.function.LongSupplier activity)
            throws java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException, InterruptedException {
        long seen = activity.getAsLong();
        while (true) {
            try {
                return future.get(quietWallMs, java.util.concurrent.TimeUnit.MILLISECONDS); // real wait, bounded by the window
            } catch (java.util.concurrent.TimeoutException silentOrBusy) {
                long now = activity.getAsLong();
                if (now == seen) {
                    throw silentOrBusy;
                }
                seen = now;
            }
        }
    }

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
