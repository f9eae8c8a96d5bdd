package org.upcert.harness.host.remote;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the operating-system process (or container) that runs an extension and speaks the
 * extension protocol ({@code docs/protocol.md}) over the Unix-domain socket it is given. One
 * launcher per run; it may start several processes over the run (a worker replaced after a
 * crash, a kill or threads left running; one process per simulated process for commands).
 *
 * <p>Implementations: {@link WorkerLauncher} (a JVM worker for Java extensions), {@link
 * CommandLauncher} (any command, any language), and the container sandbox in {@code
 * org.upcert.harness.host.container}.
 */
public interface ProcessLauncher extends AutoCloseable {

    /** The isolation this launcher gives, as every report names it: {@code worker}, {@code command}, {@code container}. */
    String isolation();

    /**
     * Starts one process. It must connect to {@code request.channel()} (the harness listens there
     * already; the path is also in the environment as {@code UPCERT_CHANNEL}) and send its
     * {@code hello}. The process's stdout and stderr are the extension's own and are drained by the
     * harness, bounded; they never carry the protocol.
     */
    LaunchedProcess launch(LaunchRequest request) throws IOException;

    /**
     * A key under which a process this launcher started may serve later runs, or empty if each run
     * needs its own. A JVM worker makes a fresh class loader for every launch, so an idle worker
     * can serve the next run of the same jar: that saves a JVM start per run.
     */
    default java.util.Optional<String> reuseKey() {
        return java.util.Optional.empty();
    }

    /** Releases what the launcher holds for the whole run (an image, a temporary folder). */
    @Override
    default void close() {
    }

    /**
     * What a process needs to be started.
     *
     * @param channel the Unix-domain socket the harness listens on (a host path)
     * @param scratch an empty folder of this process's own (its working directory where the
     *     isolation allows one); deleted by the harness afterwards
     * @param environment extra environment variables ({@code UPCERT_CHANNEL} included)
     */
    record LaunchRequest(Path channel, Path scratch, Map<String, String> environment) {
        public LaunchRequest {
            environment = Map.copyOf(environment);
        }
    }
}
