package org.upcert.harness.host.remote;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.upcert.protocol.Protocol;

/**
 * Starts JVM workers ({@code org.upcert.protocol.worker.WorkerMain}) for a Java extension jar, with
 * the same JVM as the harness and a fixed heap and stack, so that running out of memory or
 * overflowing the stack happens at the same point on every machine. An {@code OutOfMemoryError}
 * ends the worker at once (exit status 3), which the harness reports as the simulated process
 * running out of memory.
 */
public final class WorkerLauncher implements ProcessLauncher {
    /** The worker's heap: the same on every machine (a device's budget is far smaller; see memory faults). */
    public static final int HEAP_MB = 256;
    /** The stack of each thread: fixed, so a deep recursion overflows at the same depth everywhere. */
    public static final String STACK = "1m";

    private final Path jar;

    public WorkerLauncher(Path jar) {
        this.jar = jar.toAbsolutePath();
    }

    @Override
    public String isolation() {
        return "worker";
    }

    /**
     * The JVM options a worker runs with (the container sandbox uses them too). C1 only, and its
     * thresholds four times the default ({@code CompileThresholdScaling=4}): every relaunch defines
     * the extension's classes afresh, so their code is compiled again in each launch, most of it
     * for a few hundred calls; compiling later leaves more to the interpreter and less to C1 (a
     * 23-run certify of the sample, workers' CPU per thread from /proc, two pairs each: C1 5.5 ->
     * 3.0-3.5 s, the workers in all 15.8 -> 15.1 and 16.2 -> 13.3 s; at 10, C1 2.1 s but the
     * workers 13.4 -> 12.7 and 14.7 -> 13.6 s). Only timing changes: what a call does does not.
     */
    public static List<String> jvmOptions() {
        return List.of("-Xmx" + HEAP_MB + "m", "-Xms32m", "-Xss" + STACK, "-XX:+ExitOnOutOfMemoryError",
                "-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=4", "-XX:+UseSerialGC", "-Xshare:auto",
                "-Djava.security.manager=allow");
    }

    /** The same jar, unchanged since (path, size, modification time): an idle worker may serve it again. */
    @Override
    public java.util.Optional<String> reuseKey() {
        try {
            return java.util.Optional.of("worker|" + jar + "|" + java.nio.file.Files.size(jar) + "|"
                    + java.nio.file.Files.getLastModifiedTime(jar).toMillis());
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The folder of {@code UPCERT_WORKER_PROFILE}'s recordings (an absolute file name), writable to the worker; null when none. */
    private static Path profileFolder() {
        String profile = System.getenv("UPCERT_WORKER_PROFILE");
        if (profile != null && !profile.isBlank() && Path.of(profile).isAbsolute() && Path.of(profile).getParent() != null) {
            return Path.of(profile).getParent();
        }
        return null;
    }

    @Override
    public LaunchedProcess launch(LaunchRequest request) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Launchers.java());
        command.addAll(jvmOptions());
        // For profiling the worker (e.g. a flight recording); not for changing its heap or stack.
        String extra = System.getenv("UPCERT_WORKER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(java.util.Arrays.asList(extra.trim().split("\\s+")));
        }
        Path profileFolder = profileFolder();
        if (profileFolder != null) {
            // The recording's chunks, kept beside it: in the scratch folder (the JVM's temporary folder), the end of
            // the first run deleted them under a worker that serves the next runs, so its dump came out empty.
            command.add("-XX:FlightRecorderOptions:repository=" + profileFolder);
        }
        // Nothing in /tmp (the JVM's performance data), temporary files in its scratch folder.
        command.add("-XX:-UsePerfData");
        command.add("-Djava.io.tmpdir=" + request.scratch().toAbsolutePath());
        command.add("-cp");
        command.add(Launchers.workerClassPath());
        command.add(org.upcert.protocol.worker.WorkerMain.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).directory(request.scratch().toFile());
        Launchers.keepInheritedOnly(builder.environment());
        builder.environment().putAll(request.environment());
        builder.environment().put(Protocol.ENV_EXTENSION, jar.toString());
        // The security manager refuses files to extension code on the stack, and code can get past
        // it (a thread of JDK frames only, Unsafe, JNI): the kernel keeps every file system read-only
        // to the worker but its scratch folder, as for a command (docs/isolation.md).
        List<Path> writable = new ArrayList<>();
        if (profileFolder != null) {
            writable.add(profileFolder);
        }
        // A session of its own: a Ctrl-C at the terminal reaches upcert (which stops and reports), not
        // the workers; and a kill reaches everything a worker might have started.
        return LocalProcess.start(builder, Launchers.canSetsid(), request.scratch(), writable);
    }
}
