package org.upcert.harness.run;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT, or SIGTERM) while a command runs simulations: the runs under way stop at their
 * next event, no new run starts, and the JVM's exit waits, bounded, until the command has written
 * the reports of what finished, marked INTERRUPTED.
 *
 * <p>A command opens a {@link Guard} around its runs and its report writing. The guard's JVM
 * shutdown hook does nothing on a normal exit (the guard is closed by then and the hook removed);
 * during an interrupt it calls {@link #request()} and waits for the guard to close. The JVM then
 * exits with the signal's status (130 for SIGINT), whatever the command returns.
 *
 * <p>The state is per JVM, as a signal is: once requested, every later simulation stops at once.
 */
public final class Interruption {
    private static final Set<Simulation> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean requested;

    private Interruption() {
    }

    /** Whether an interrupt has been requested in this JVM. */
    public static boolean requested() {
        return requested;
    }

    /** Stops every simulation under way (at its next event) and every one started from now on. */
    public static void request() {
        requested = true;
        for (Simulation simulation : RUNNING) {
            simulation.requestStop();
        }
    }

    static void started(Simulation simulation) {
        RUNNING.add(simulation);
        if (requested) {
            simulation.requestStop(); // the request came between the check and the registration
        }
    }

    static void ended(Simulation simulation) {
        RUNNING.remove(simulation);
    }

    /**
     * Guards a command's runs and reports: until the guard is closed, a JVM shutdown (Ctrl-C)
     * requests the interrupt and waits up to {@code bound} for the command to close the guard.
     */
    public static Guard guard(Duration bound) {
        Guard guard = new Guard(bound);
        Runtime.getRuntime().addShutdownHook(guard.hook);
        return guard;
    }

    /** Open while a command's runs and reports are under way; close it once the reports are written. */
    public static final class Guard implements AutoCloseable {
        private final CountDownLatch closed = new CountDownLatch(1);
        private final Thread hook;

        private Guard(Duration bound) {
            this.hook = new Thread(() -> {
                if (closed.getCount() == 0) {
                    return;
                }
                request();
                try {
                    closed.await(bound.toMillis(), TimeUnit.MILLISECONDS); // real wait, bounded
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "upcert-interrupt");
        }

        @Override
        public void close() {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook is running and has just been released
            }
        }
    }
}
