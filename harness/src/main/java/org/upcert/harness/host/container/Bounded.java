package org.upcert.harness.host.container;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.pollinterval.IterativePollInterval;

/**
 * Every real wait of the container sandbox, bounded, through Awaitility: polled in the waiting
 * thread (no extra thread per wait), first at once, then every 5 ms growing to 100 ms. Awaitility
 * is told not to catch other threads' uncaught exceptions: in the harness those are the
 * extension's business, never a failed wait.
 */
final class Bounded {
    private static final Duration FIRST_POLL = Duration.ofMillis(5);
    private static final Duration LONGEST_POLL = Duration.ofMillis(100);

    private Bounded() {
    }

    /** Waits at most {@code bound} for {@code condition}; true if it held in time. */
    static boolean within(Duration bound, Callable<Boolean> condition) {
        try {
            if (bound.isZero() || bound.isNegative()) {
                return condition.call();
            }
            Awaitility.await()
                    .atMost(bound)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(IterativePollInterval.iterative(
                            d -> d.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : d.multipliedBy(2), FIRST_POLL))
                    .pollInSameThread()
                    .dontCatchUncaughtExceptions()
                    .until(condition);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
