package org.upcert.harness.run;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * How to run (not what: that is the {@link org.upcert.harness.plan.RunPlan}).
 *
 * @param traceFile where to write the trace; null keeps it in memory
 * @param cloud the cloud dialect name
 * @param progress called after every activation (on the simulator thread); may be null
 */
public record RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress) {

    public static RunOptions inMemory() {
        return new RunOptions(null, "generic-put", null);
    }

    public RunOptions withTraceFile(Path file) {
        return new RunOptions(file, cloud, progress);
    }

    public RunOptions withProgress(Consumer<RunProgress> listener) {
        return new RunOptions(traceFile, cloud, listener);
    }

    /** A snapshot for progress displays. */
    public record RunProgress(long virtualMillis, int activations, long uploaded, long resources, long traceEvents) {
    }
}
