package org.upcert.harness.host.remote;

import java.io.InputStream;
import java.time.Duration;

/**
 * A process started by a {@link ProcessLauncher}: the harness reads its output, watches it end
 * and kills it for real when the simulated system kills it or a call outlives its wall bound.
 */
public interface LaunchedProcess {

    /** The extension's stdout (never the protocol channel). The harness drains it, bounded. */
    InputStream stdout();

    /** The extension's stderr. The harness drains it, bounded. */
    InputStream stderr();

    boolean isAlive();

    /**
     * Kills the process for real and at once: SIGKILL of its process group, {@code docker kill}
     * for a container. Returns without waiting; idempotent.
     */
    void kill();

    /** Waits, at most {@code bound} of real time, for the process to end; true if it ended. */
    boolean awaitExit(Duration bound);

    /**
     * How the process ended, for a trace line and a verdict: {@code exited with status 3},
     * {@code killed by signal 9}, {@code out of memory (container limit)}; {@code running} while it runs.
     */
    String describeExit();
}
