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

    /** The isolation {@code auto} stands for with this source. */
    public static String resolve(ExtensionSource source, String isolation) {
        if (!isolation.equals(AUTO)) {
            return isolation;
        }
        if (source instanceof CommandSource) {
            return "command";
        }
        return source.jarPath().isPresent() ? WORKER : IN_PROCESS;
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
            if (!resolved.equals("command")) {
                throw new IllegalArgumentException("an --extension-cmd extension runs in processes of its own; isolation "
                        + resolved + " is not available for it");
            }
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
        return source.jarPath().orElseThrow(() -> new IllegalArgumentException("isolation " + isolation
                + " runs an extension jar; " + source.describe() + " is a class on the class path (use in-process)"));
    }
}
