package org.upcert.harness.run;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * How to run (not what: that is the {@link org.upcert.harness.plan.RunPlan}).
 *
 * @param traceFile where to write the trace; null keeps it in memory
 * @param cloud the cloud dialect name
 * @param progress called after every activation (on the simulator thread); may be null
 * @param transport how requests reach the cloud stub: {@code loopback} (real HTTP, the default)
 *     or {@code direct} (in-JVM, no socket; the same trace, faster)
 * @param isolation where the extension's code runs ({@link Hosting}): {@code auto} (a jar in a
 *     worker process, a command in its own processes, a class on the class path in process),
 *     {@code worker}, {@code in-process}, {@code container}
 */
public record RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress, String transport, String isolation) {

    public RunOptions {
        if (!transport.equals("loopback") && !transport.equals("direct")) {
            throw new IllegalArgumentException("transport must be loopback or direct, not '" + transport + "'");
        }
        Hosting.requireKnown(isolation);
    }

    public RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress, String transport) {
        this(traceFile, cloud, progress, transport, Hosting.AUTO);
    }

    public RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress) {
        this(traceFile, cloud, progress, "loopback");
    }

    public static RunOptions inMemory() {
        return new RunOptions(null, "generic-put", null, "loopback");
    }

    public RunOptions withTraceFile(Path file) {
        return new RunOptions(file, cloud, progress, transport, isolation);
    }

    public RunOptions withProgress(Consumer<RunProgress> listener) {
        return new RunOptions(traceFile, cloud, listener, transport, isolation);
    }

    /** The cloud dialect to serve, by the name {@code --cloud} takes. */
    public RunOptions withCloud(String dialect) {
        return new RunOptions(traceFile, dialect, progress, transport, isolation);
    }

    public RunOptions withTransport(String name) {
        return new RunOptions(traceFile, cloud, progress, name, isolation);
    }

    /** Where the extension's code runs: {@code auto}, {@code worker}, {@code in-process}, {@code container}. */
    public RunOptions withIsolation(String name) {
        return new RunOptions(traceFile, cloud, progress, transport, name);
    }

    /** A snapshot for progress displays. */
    public record RunProgress(long virtualMillis, int activations, long uploaded, long resources, long traceEvents) {
    }
}
