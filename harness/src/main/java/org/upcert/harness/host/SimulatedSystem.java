package org.upcert.harness.host;

import java.net.URI;
import java.util.SortedMap;
import java.util.concurrent.locks.ReentrantLock;
import org.upcert.harness.jobs.JobStore;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.sim.VirtualClock;
import org.upcert.harness.trace.Trace;
import org.upcert.harness.upload.ExtensionNetwork;

/** What a call's {@link CallContext} needs from the simulated system. */
public interface SimulatedSystem {

    /**
     * Held by whoever runs simulator code: the simulator thread, or an extension thread inside an
     * API call. Never held while extension code runs, so a hung extension cannot wedge it.
     */
    ReentrantLock lock();

    VirtualClock clock();

    Trace trace();

    SimulatedLibrary library();

    JobStore jobs();

    AppGroupFiles files();

    ExtensionNetwork network();

    SystemPolicy policy();

    /** The workload: its OS level decides which API fields exist. */
    org.upcert.harness.plan.Workload workload();

    URI uploadUrlBase();

    SortedMap<String, String> configuration();

    /** The process serving the current call. */
    ExtensionProcess process();

    /**
     * The process's memory budget now: {@link DeviceCosts#MEMORY_BUDGET_BYTES}, lowered or squeezed
     * while a {@code memory.pressure} fault is open.
     */
    default long memoryBudgetBytes() {
        return DeviceCosts.MEMORY_BUDGET_BYTES;
    }

    /**
     * Whether downloading an offloaded original from iCloud fails now (an {@code icloud.download}
     * fault), for {@code requestData}; asked only for offloaded assets.
     */
    default boolean iCloudDownloadFails() {
        return false;
    }

    /** The bytes of {@code resource} as the system uploads them (the run's payload mode). */
    default byte[] payload(org.upcert.api.AssetResource resource) {
        throw new UnsupportedOperationException("no payloads in this system");
    }

    /** Log lines of the extension in this run so far, traced or not ({@link CallContext#LOG_LINES_PER_RUN}). */
    long runLogLines();

    /** Counts {@code lines} more log lines of the run; called holding {@link #lock()}. */
    void countRunLogLines(long lines);

    /** Runs the system's own events (transfers ending, ...) due up to virtual time {@code t}. */
    void runSystemEventsUpTo(long t);

    /** Runs the next of the system's own events if it is due at or before {@code t}; returns whether one ran. */
    boolean runNextSystemEventUpTo(long t);

    /**
     * The time of the first scheduled event due at or before {@code t} that may end the extension's
     * process (a device restart, an OS update, an app update), or {@link Long#MAX_VALUE}; runs nothing.
     */
    long processEndingEventUpTo(long t);

    /**
     * Records a refused call made after its context became invalid. Thread-safe: it may come
     * from any thread at any time; the simulator traces refusals at its next deterministic point.
     */
    void refused(int activation, String api, String reason);

    /**
     * Records what the extension's sandbox refused it (an exit, a file written outside storage, a
     * socket). Thread-safe, traced at the simulator's next deterministic point like refusals.
     */
    void sandboxViolation(int activation, String kind, String what);

    /** How many times the app was updated (app.upgrade): a call that sees this change was running during an update. */
    default int appUpdates() {
        return 0;
    }

    /**
     * A {@code willTerminate} was not answered within the wall bound: counted with the hung calls
     * toward the run's bound of them ({@code extension-failing}).
     */
    default void noticeUnanswered() {
    }
}
