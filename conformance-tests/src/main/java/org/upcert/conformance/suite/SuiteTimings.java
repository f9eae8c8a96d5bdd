package org.upcert.conformance.suite;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.upcert.harness.host.remote.ExtensionProcessCpu;

/**
 * Where a certification's wall time goes, printed by {@code certify} when the JVM runs with
 * {@code -Dupcert.timings=true} (docs/performance.md): when the first run started and the last
 * ended, the CPU of the threads that ran the simulations, judged and reported, and the CPU of the
 * upcert JVM and of the extension's processes. It measures the harness; nothing here enters a
 * trace, a verdict or a report.
 */
public final class SuiteTimings {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final LongAccumulator firstStart = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private final LongAccumulator lastEnd = new LongAccumulator(Math::max, Long.MIN_VALUE);
    private final LongAdder runWall = new LongAdder();
    private final LongAdder runCpu = new LongAdder();
    private final LongAdder judgeCpu = new LongAdder();
    /** The run judged ahead last (when it was, System.nanoTime, and what): how much of the tail after the last run is judging. */
    private long lastJudged = Long.MIN_VALUE;
    private String lastJudgedRun = "";
    private final LongAdder reportCpu = new LongAdder();
    /** When the certification started (System.nanoTime). */
    private final long started;
    /** Each run's name, start, end and CPU: which runs are longest, and how the last ones end (the tail). */
    private final java.util.concurrent.ConcurrentLinkedQueue<RunTime> runs = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private record RunTime(String name, long start, long end, long cpu, long processCpu) {
    }

    /** The timings of one certification ({@link CertificationState#timings}), started at {@code startedNanos} (System.nanoTime). */
    public SuiteTimings(long startedNanos) {
        this.started = startedNanos;
    }

    /** Whether {@code -Dupcert.timings=true}. */
    public static boolean enabled() {
        return Boolean.getBoolean("upcert.timings");
    }

    /** The upcert JVM's CPU time so far in nanoseconds (0 where the JVM cannot tell). */
    private static long processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** The current thread's CPU time in nanoseconds (0 where the JVM cannot tell). */
    static long threadCpu() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    }

    void run(String name, long startNanos, long endNanos, long cpuNanos) {
        runs.add(new RunTime(name, startNanos, endNanos, cpuNanos, processCpu()));
        firstStart.accumulate(startNanos);
        lastEnd.accumulate(endNanos);
        runWall.add(endNanos - startNanos);
        runCpu.add(cpuNanos);
    }

    void judged(long cpuNanos) {
        judgeCpu.add(cpuNanos);
    }

    /** A run judged ahead, on a judge thread, from {@code startNanos} to {@code endNanos}, with {@code cpuNanos} of its CPU. */
    void judgedAhead(String name, long startNanos, long endNanos, long cpuNanos) {
        judged(cpuNanos);
        synchronized (this) {
            if (endNanos > lastJudged) {
                lastJudged = endNanos;
                lastJudgedRun = String.format(Locale.ROOT, "%s, %.2f s wall, %.2f s CPU", name, (endNanos - startNanos) / 1e9, cpuNanos / 1e9);
            }
        }
    }

    void reported(long cpuNanos) {
        reportCpu.add(cpuNanos);
    }

    /**
     * The runs that decide the end: when the last one started and when the last few ended (after the
     * last start, a slot that falls free stays idle), and the longest runs with their simulation CPU.
     */
    private void tail(StringBuilder text, long start) {
        List<RunTime> all = new ArrayList<>(runs);
        if (all.isEmpty()) {
            return;
        }
        long lastStart = all.stream().mapToLong(RunTime::start).max().getAsLong();
        List<RunTime> byEnd = new ArrayList<>(all);
        byEnd.sort(Comparator.comparingLong(RunTime::end).reversed());
        StringBuilder ends = new StringBuilder();
        for (RunTime run : byEnd.subList(0, Math.min(4, byEnd.size()))) {
            ends.append(String.format(Locale.ROOT, "%s%s %.2f", ends.length() == 0 ? "" : ", ", run.name(), (run.end() - start) / 1e9));
        }
        text.append(String.format(Locale.ROOT, "  last run started           %6.2f   (the last to end: %s; the upcert JVM's CPU after the last: %.1f s)%n",
                (lastStart - start) / 1e9, ends, Math.max(0, processCpu() - byEnd.get(0).processCpu()) / 1e9));
        List<RunTime> byWall = new ArrayList<>(all);
        byWall.sort(Comparator.comparingLong((RunTime run) -> run.end() - run.start()).reversed());
        StringBuilder longest = new StringBuilder();
        for (RunTime run : byWall.subList(0, Math.min(6, byWall.size()))) {
            longest.append(String.format(Locale.ROOT, "%s%s %.1f s (%.1f s CPU)", longest.length() == 0 ? "" : ", ", run.name(),
                    (run.end() - run.start()) / 1e9, run.cpu() / 1e9));
        }
        text.append("  longest runs                ").append(longest).append(String.format(Locale.ROOT, "%n"));
    }

    /**
     * The lines to print: phases as seconds since the certification started, then CPU.
     *
     * @param suiteEnd when the JUnit launcher returned (System.nanoTime)
     * @param bundleEnd when the bundle was written (System.nanoTime)
     * @param runCount the runs of the certification
     */
    public String describe(long suiteEnd, long bundleEnd, int runCount) {
        long start = started;
        double jvmToCertify = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3 - (bundleEnd - start) / 1e9;
        long processCpu = processCpu();
        long killed = ExtensionProcessCpu.killedNanos();
        long running = ExtensionProcessCpu.runningNanos();
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "upcert timings (wall s since certify started; %d cores, load average %.2f)%n",
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        text.append(String.format(Locale.ROOT, "  JVM start -> certify        %6.2f s before%n", jvmToCertify));
        if (firstStart.get() != Long.MAX_VALUE) {
            text.append(String.format(Locale.ROOT, "  first run started          %6.2f%n", (firstStart.get() - start) / 1e9));
            text.append(String.format(Locale.ROOT, "  last run ended             %6.2f   (%d runs, %.1f s of run wall in all, %.1f s CPU of the simulation threads)%n",
                    (lastEnd.get() - start) / 1e9, runCount, runWall.sum() / 1e9, runCpu.sum() / 1e9));
            tail(text, start);
        }
        synchronized (this) {
            if (lastJudged != Long.MIN_VALUE) {
                text.append(String.format(Locale.ROOT, "  last run judged            %6.2f   (%s)%n", (lastJudged - start) / 1e9, lastJudgedRun));
            }
        }
        text.append(String.format(Locale.ROOT, "  suite ended                %6.2f   (judging %.1f s CPU, Allure reports of the cells %.1f s CPU)%n",
                (suiteEnd - start) / 1e9, judgeCpu.sum() / 1e9, reportCpu.sum() / 1e9));
        text.append(String.format(Locale.ROOT, "  bundle written             %6.2f%n", (bundleEnd - start) / 1e9));
        text.append(String.format(Locale.ROOT, "  CPU: upcert JVM %.1f s (since it started), extension processes %.1f s (%d killed, %d running)"
                + ", total %.1f s%n", processCpu / 1e9, (killed + running) / 1e9, ExtensionProcessCpu.killed(),
                ExtensionProcessCpu.running(), (processCpu + killed + running) / 1e9));
        return text.toString();
    }
}
