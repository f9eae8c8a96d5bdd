package org.upcert.harness.host;

/**
 * What the extension's own work costs on the simulated device, beyond the fixed cost of each API
 * call: virtual CPU time for enumerating the library and reading originals, in proportion to their
 * size, and memory for what the API hands it. Every figure is upcert's decision (the sources give
 * a memory limit and a runtime limit, nothing per asset or per byte); docs/simulator.md, "Memory
 * and CPU", gives the reasons.
 *
 * <p><b>The memory measure</b> is a model, the same in every isolation mode and on every machine:
 * the process's base plus the <em>working set of the call</em> — everything the API handed the
 * extension since {@code processJobs} began (each asset of a fetch result, each job of a
 * {@code fetchJobs} result, the bytes of each storage read, of each HTTP response body and of
 * each original read), held until the call returns and counted again when fetched again (upcert
 * cannot see the extension let go of it). Over the budget the process is killed without notice
 * (jetsam), as measured on devices (reference §6: "Memory limit about 32 MB (runningboardd);
 * exceeding it means a jetsam kill and relaunch loop").
 */
public final class DeviceCosts {
    private DeviceCosts() {
    }

    private static final long MIB = 1024 * 1024;

    /** The per-process memory budget: about 32 MB, measured (reference §6; YAIIU #81). */
    public static final long MEMORY_BUDGET_BYTES = 32 * MIB;
    /** The process's own footprint before it is handed anything (runtime, code, PhotoKit): upcert decides. */
    public static final long PROCESS_BASE_BYTES = 4 * MIB;
    /** One asset of a fetch result, with its resources' descriptors: upcert decides. */
    public static final long ASSET_BYTES = 256;
    /** One job of a {@code fetchJobs} result (its destination request, headers, response headers): upcert decides. */
    public static final long JOB_BYTES = 1024;

    /**
     * Enumerating the library costs this many microseconds per asset returned: 100,000 assets
     * take 0.5 simulated seconds, so enumerating a large library at every call fits the 60 s
     * runtime limit. upcert decides.
     */
    public static final long ENUMERATION_MICROS_PER_ASSET = 5;
    /**
     * Reading an original (and hashing it) runs at 50 MB/s of its declared size: a 2.4 MB photo
     * costs 48 ms, a 45 MB video 0.9 s; a typical 300-asset library (2.8–4.3 GB on seeds 1–5)
     * takes 56–87 s, about the runtime limit, and memory-and-cpu's 1,500 assets (16–25 GB) 5–8
     * minutes. upcert decides (flash read through the photo library daemon and a digest at
     * background priority).
     */
    public static final long PAYLOAD_READ_BYTES_PER_MS = 50_000;

    /** Virtual ms to enumerate {@code assets} assets. */
    public static long enumerationMillis(long assets) {
        return assets * ENUMERATION_MICROS_PER_ASSET / 1_000;
    }

    /** Virtual ms to read an original of {@code declaredBytes}. */
    public static long payloadReadMillis(long declaredBytes) {
        return declaredBytes / PAYLOAD_READ_BYTES_PER_MS;
    }

    /**
     * Virtual ms to download an offloaded original of {@code declaredBytes} from iCloud first, at
     * 100 Mbit/s (the uploader's rate for the same download).
     */
    public static long iCloudDownloadMillis(long declaredBytes) {
        return declaredBytes * 8 / 100_000;
    }

    /** {@code bytes} in MiB with one decimal, for trace reasons. */
    public static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }
}
