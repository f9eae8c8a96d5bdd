package org.upcert.harness.host.remote;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CPU time of the extension's OS processes (JVM workers, commands), for measuring the harness
 * ({@code upcert certify} with {@code -Dupcert.timings=true}, docs/performance.md): the processes
 * upcert killed, read just before the kill, plus those still running when asked. A worker is
 * killed, never waited for, so the shell's {@code time} of the upcert command does not count it.
 * Never enters a trace or a verdict.
 */
public final class ExtensionProcessCpu {
    private static final AtomicLong KILLED_NANOS = new AtomicLong();
    private static final AtomicLong KILLED = new AtomicLong();

    private ExtensionProcessCpu() {
    }

    /**
     * Notes the CPU time a process and its descendants used, just before they are killed (the
     * extension runs as a child of {@code unshare} and its namespace's init where the kernel
     * allows a PID namespace).
     */
    static void beforeKill(ProcessHandle process) {
        if (process.isAlive()) {
            KILLED_NANOS.addAndGet(treeNanos(process));
            KILLED.incrementAndGet();
        }
    }

    /** CPU so far of a process and its descendants still running, in nanoseconds. */
    static long treeNanos(ProcessHandle process) {
        return cpuNanos(process) + process.descendants().mapToLong(ExtensionProcessCpu::cpuNanos).sum();
    }

    /** CPU of the processes killed so far, in nanoseconds. */
    public static long killedNanos() {
        return KILLED_NANOS.get();
    }

    /** Processes killed so far. */
    public static long killed() {
        return KILLED.get();
    }

    /** CPU so far of the processes of this JVM still running (its workers and commands, and theirs), in nanoseconds. */
    public static long runningNanos() {
        return ProcessHandle.current().descendants().mapToLong(ExtensionProcessCpu::cpuNanos).sum();
    }

    /** Processes of this JVM still running. */
    public static long running() {
        return ProcessHandle.current().descendants().count();
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
