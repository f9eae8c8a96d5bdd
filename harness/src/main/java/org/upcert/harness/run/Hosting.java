package org.upcert.harness.run;

import java.nio.file.Path;
import java.util.List;
import org.upcert.harness.host.CommandSource;
import org.upcert.harness.host.ExtensionHost;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.host.InProcessHost;
import org.upcert.harness.host.remote.CommandLauncher;
import org.upcert.harness.host.remote.ProtocolHost;
import org.upcert.harness.host.remote.WorkerLauncher;

/**
 * Chooses where an extension's code runs for a run ({@code --isolation}, {@code --sandbox},
 * {@code --extension-cmd}). {@code auto}: a jar runs in a JVM worker process, a command in
 * processes of its own, a class already on the class path in process (an author's JUnit build,
 * upcert's own mutant tests).
 */
public final class Hosting {
    public static final String AUTO = "auto";
    public static final String IN_PROCESS = "in-process";
    public static final String WORKER = "worker";
    public static final String CONTAINER = "container";
    public static final List<String> NAMES = List.of(AUTO, WORKER, IN_PROCESS, CONTAINER);

    private Hosting() {
    }

    static void requireKnown(String isolation) {
        if (!NAMES.contains(isolation)) {
            throw new IllegalArgumentException("isolation must be one of " + NAMES + ", not '" + isolation + "'");
        }
    }

    /**
     * The isolation {@code auto} stands for with this source; throws {@link IllegalArgumentException}
     * for a combination that cannot run (a class on the class path in a worker or a container, a
     * command in process), so a command can refuse it before any run.
     */
    public static String resolve(ExtensionSource source, String isolation) {
        requireKnown(isolation);
        if (source instanceof CommandSource) {
            if (!isolation.equals(AUTO)) {
                throw new IllegalArgumentException("an --extension-cmd extension runs in processes of its own; isolation "
                        + isolation + " is not available for it");
            }
            return "command";
        }
        if (isolation.equals(AUTO)) {
            return source.jarPath().isPresent() ? WORKER : IN_PROCESS;
        }
        if (!isolation.equals(IN_PROCESS) && source.jarPath().isEmpty()) {
            throw new IllegalArgumentException("isolation " + isolation + " runs an extension jar; " + source.describe()
                    + " is a class on the class path (use in-process, or pass the jar)");
        }
        return isolation;
    }

    /**
     * Refuses, before any run, an isolation this machine cannot give: the container sandbox
     * without a Docker engine.
     */
    public static void requireAvailable(String resolvedIsolation) {
        if (resolvedIsolation.equals(CONTAINER)) {
            org.upcert.harness.host.container.DockerEngine.unavailableReason().ifPresent(reason -> {
                throw new IllegalArgumentException("--sandbox container needs a Docker engine: " + reason);
            });
        }
    }

    /**
     * Makes the host.
     *
     * @param outputLog where an out-of-process extension's stdout and stderr go (bounded), or null
     * @throws IllegalArgumentException when the source cannot run that way (a class on the class
     *     path in a worker, a command in process)
     */
    public static ExtensionHost create(ExtensionSource source, String isolation, Path outputLog) {
        String resolved = resolve(source, isolation);
        if (source instanceof CommandSource command) {
            return new ProtocolHost(new CommandLauncher(command.command(), command.workingDirectory(),
                    PythonClient.folder()), true, outputLog);
        }
        switch (resolved) {
            case IN_PROCESS:
                return new InProcessHost(source);
            case WORKER:
                return new ProtocolHost(new WorkerLauncher(requireJar(source, resolved)), false, outputLog);
            case CONTAINER:
                return new ProtocolHost(ContainerHosting.launcher(requireJar(source, resolved)), false, outputLog);
            default:
                throw new IllegalArgumentException("unknown isolation " + resolved);
        }
    }

    private static Path requireJar(ExtensionSource source, String isolation) {
        return source.jarPath().orElseThrow(() -> new IllegalStateException("resolve() lets " + isolation + " through only for a jar"));
    }
}
