package org.upcert.harness.host;

import java.util.SortedMap;

/**
 * Where the extension's code runs for one simulation: in the harness's own JVM ({@link
 * InProcessHost}), or in processes of its own that speak the extension protocol
 * ({@code host.remote}: a JVM worker, any command, a container). The simulator sees only
 * {@link ExtensionProcess}es, so every isolation mode produces the same trace.
 */
public interface ExtensionHost extends AutoCloseable {

    /** The isolation reports name: {@code in-process}, {@code worker}, {@code command}, {@code container}. */
    String isolation();

    /** Launches the extension's simulated process number {@code generation}; bounded by {@code wallTimeoutMs} of real time. */
    ExtensionProcess launch(int generation, long wallTimeoutMs) throws ExtensionProcess.LaunchFailure;

    /**
     * Facts about the hosting for the run's summary, sorted by name: workers started and
     * replaced, bytes of output captured and dropped. Not part of the trace (they depend on the
     * isolation mode, the trace does not).
     */
    SortedMap<String, Object> facts();

    /** Ends everything the host started: no process, thread or temporary file outlives it. */
    @Override
    void close();
}
