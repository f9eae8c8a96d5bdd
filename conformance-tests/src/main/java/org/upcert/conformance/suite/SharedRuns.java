package org.upcert.conformance.suite;

import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.Interruption;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * Each (profile, seed, cloud) of a configuration is simulated once, and its trace is shared by
 * every rule that judges it. The first request for a configuration starts all of its runs, each a
 * single-threaded simulation, {@link #parallelism} at a time, so runs of different seeds proceed in
 * parallel while the tests of the first ones are already judging. A run is judged (and its timeline
 * written) on a thread of its own, not on the simulation's: the slot starts its next simulation at
 * once instead of after the judging, so the simulations keep the cores busy to the last run.
 *
 * <p>One per certification ({@link CertificationState#runs}): a certification's runs, counts and
 * observer are its own, so that certifications in one JVM may run at once. The threads are the
 * JVM's: one pool bounds the simulations of every certification under way.
 */
public final class SharedRuns {
    /** A simulation is bounded by its own virtual clock and hang watchdog; this bounds the real wait on top. */
    private static final long RUN_TIMEOUT_MINUTES = 30;
    /** Guards the pools, which every certification of the JVM shares: one bound on the simulations at once. */
    private static final Object POOLS = new Object();
    private static ThreadPoolExecutor pool;
    /** Judges each simulated run, so that a simulation slot never waits for the judging of its last run. */
    private static ThreadPoolExecutor judges;
    private final Object lock = new Object();
    private final TreeMap<String, CompletableFuture<RunOutcome>> runs = new TreeMap<>();
    private final AtomicInteger startedRuns = new AtomicInteger();
    /** The configurations whose runs were all started (by identity): asking again changes nothing. */
    private final java.util.Set<SuiteConfig> startedConfigs = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final AtomicInteger finishedRuns = new AtomicInteger();
    private final AtomicInteger interruptedRuns = new AtomicInteger();
    /** Told of every run of this certification that finished ({@link #observe}). */
    private volatile java.util.function.Consumer<RunOutcome> observer;

    /** The runs of one certification ({@link CertificationState#runs}). */
    SharedRuns() {
    }

    /** The runs of the certification {@code config} belongs to. */
    public static SharedRuns of(SuiteConfig config) {
        return config.certificationState().runs();
    }

    /** The outcome of one cell, simulating it (and starting the rest of its configuration) if need be. */
    public RunOutcome outcome(SuiteConfig config, Cell cell) {
        CompletableFuture<RunOutcome> future;
        synchronized (lock) {
            start(config);
            future = runs.get(key(config, cell));
            if (future == null) {
                future = submit(config, cell);
            }
        }
        try {
            return future.get(RUN_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RunOutcome(cell, null, null, "interrupted while waiting for the run", 0);
        } catch (ExecutionException | TimeoutException e) {
            return new RunOutcome(cell, null, null, "the run did not finish: " + e, 0);
        }
    }

    /** Starts every run of the configuration that is not already under way. */
    public void start(SuiteConfig config) {
        synchronized (lock) {
            if (!startedConfigs.add(config)) {
                return; // every cell asks (some 2,800 in a certification): the runs were started at the first
            }
            for (Cell cell : config.cells()) {
                if (!runs.containsKey(key(config, cell))) {
                    submit(config, cell);
                }
            }
        }
    }

    /**
     * Tells {@code eachRun} of every run of this certification that finishes from now on (null: no
     * one), on the thread that judged the run, after it was judged and before its cells are reported.
     * Runs of other certifications simulated meanwhile in the JVM have runs of their own, and are not
     * told here. What it throws makes the run a harness fault.
     */
    public void observe(java.util.function.Consumer<RunOutcome> eachRun) {
        observer = eachRun;
    }

    /** Runs started and finished so far (for progress lines). */
    public int started() {
        return startedRuns.get();
    }

    public int finished() {
        return finishedRuns.get();
    }

    /** Runs Ctrl-C stopped half-way or kept from starting. */
    public int interrupted() {
        return interruptedRuns.get();
    }

    /** Forgets every run (the next request simulates afresh). */
    public void clear() {
        synchronized (lock) {
            runs.clear();
            startedConfigs.clear();
            startedRuns.set(0);
            finishedRuns.set(0);
            interruptedRuns.set(0);
        }
    }

    /**
     * How many runs are simulated at once: one per core when the extension runs in the upcert JVM;
     * one more when it runs in processes of its own (worker, command, container), where a run
     * alternates between the simulator and the extension's process, each waiting for the other
     * at every API call, so that one run per core leaves a core idle at each hand-over.
     * {@code -Dupcert.parallel-runs=N} sets it (for measuring).
     */
    public static int parallelism(SuiteConfig config) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        int asked = Integer.getInteger("upcert.parallel-runs", 0);
        if (asked > 0) {
            return asked;
        }
        String isolation;
        try {
            isolation = config.resolvedIsolation();
        } catch (RuntimeException e) {
            return cores; // reported where the extension is loaded
        }
        return isolation.equals("in-process") ? cores : cores + 1;
    }

    private CompletableFuture<RunOutcome> submit(SuiteConfig config, Cell cell) {
        startedRuns.incrementAndGet();
        CompletableFuture<RunOutcome> future = CompletableFuture.supplyAsync(() -> simulated(config, cell), pool(parallelism(config)))
                .thenApplyAsync(run -> judged(config, run), judges());
        runs.put(key(config, cell), future);
        return future;
    }

    /** The simulation threads of the JVM, {@code threads} of them from now on. */
    private static ThreadPoolExecutor pool(int threads) {
        synchronized (POOLS) {
            if (pool == null) {
                pool = new ThreadPoolExecutor(threads, threads, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "upcert-run");
                    thread.setDaemon(true);
                    return thread;
                });
            } else if (pool.getMaximumPoolSize() != threads) {
                // another configuration in the same JVM: the pool follows (growing, the maximum first)
                if (threads > pool.getMaximumPoolSize()) {
                    pool.setMaximumPoolSize(threads);
                    pool.setCorePoolSize(threads);
                } else {
                    pool.setCorePoolSize(threads);
                    pool.setMaximumPoolSize(threads);
                }
            }
            return pool;
        }
    }

    private static ThreadPoolExecutor judges() {
        synchronized (POOLS) {
            if (judges == null) {
                judges = newJudges();
            }
            return judges;
        }
    }

    private static ThreadPoolExecutor newJudges() {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        return new ThreadPoolExecutor(cores, cores, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "upcert-judge");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Simulates one cell and judges it. Never throws: a fault of the harness becomes the outcome. */
    public static RunOutcome simulate(SuiteConfig config, Cell cell) {
        SharedRuns runs = of(config);
        return runs.judged(config, runs.simulated(config, cell));
    }

    /**
     * A cell simulated and not yet judged: its result, or the outcome that ends it already (a harness
     * fault, an interrupt, a pairing no extension could pass: {@code result} null).
     */
    private record Simulated(Cell cell, RunResult result, RunOutcome ended, long started, long wallMillis) {
    }

    /** Simulates one cell; judges nothing. Never throws: a fault of the harness becomes the outcome. */
    private Simulated simulated(SuiteConfig config, Cell cell) {
        long started = System.nanoTime(); // wall-clock ok: measures the harness, never enters a trace
        long cpu = SuiteTimings.threadCpu();
        try {
            if (Interruption.requested()) {
                interruptedRuns.incrementAndGet();
                return ended(RunOutcome.interrupted(cell, 0), started); // Ctrl-C: no new run starts
            }
            // the version the configuration read: a file edited since changes no cell (ProfileSnapshot)
            RunPlan plan = PlanExpander.expand(config.profile(cell.profile()), cell.seed()).plan();
            // at the level the run will have: a deployment target raises a lower profile (docs/scope.md)
            java.util.Optional<String> impossible = org.upcert.harness.cloud.CloudDialects.impossibleOn(cell.cloud(),
                    plan.raisedTo(config.source().declaredScope().deploymentLevel()).workload(),
                    config.assumptions().contains(RunOptions.ASSUME_BODY_IN_HEADERS));
            if (impossible.isPresent()) {
                return ended(RunOutcome.impossible(cell, impossible.get()), started); // never a FAIL no extension could avoid
            }
            RunOptions options = RunOptions.inMemory().withCloud(cell.cloud()).withTransport(config.transport())
                    .withIsolation(config.isolation()).withAssumptions(config.assumptions()).withHangAfterMs(config.hangAfterMs())
                    .withUpgradeTo(config.upgradeSource());
            RunResult result = Simulation.run(plan, config.source(), options);
            if (Interruption.requested() && result.summary().endReason().equals("interrupted")) {
                interruptedRuns.incrementAndGet();
                return ended(RunOutcome.interrupted(cell, millisSince(started)), started); // stopped half-way: not a run to judge
            }
            return new Simulated(cell, result, null, started, millisSince(started));
        } catch (Exception | Error e) {
            return ended(fault(cell, e, started), started);
        } finally {
            config.certificationState().timings().run(cell.profile() + "/" + cell.seed(), started, System.nanoTime(), SuiteTimings.threadCpu() - cpu); // wall-clock ok
        }
    }

    private static Simulated ended(RunOutcome outcome, long started) {
        return new Simulated(outcome.cell(), null, outcome, started, outcome.wallMillis());
    }

    /**
     * Judges a simulated cell (every rule, once), writes its timeline and tells the observer: the
     * outcome the cells report. Never throws: a fault of the harness becomes the outcome.
     */
    private RunOutcome judged(SuiteConfig config, Simulated run) {
        try {
            if (run.result() == null) {
                return run.ended();
            }
            RunOutcome outcome = new RunOutcome(run.cell(), RunEvidence.of(run.result()), run.result().traceText(), null, run.wallMillis());
            if (config.reports() != null) {
                RunTimelines.writeRun(config.reports(), run.cell(), run.result().traceText(), outcome.evidence());
            }
            CellJudge.judgeAhead(config, outcome);
            java.util.function.Consumer<RunOutcome> watching = observer;
            if (watching != null) {
                watching.accept(outcome);
            }
            return outcome;
        } catch (Exception | Error e) {
            return fault(run.cell(), e, run.started());
        } finally {
            finishedRuns.incrementAndGet();
        }
    }

    /** What a throwable of the harness makes of a run: a harness fault, or the interrupt that caused it. */
    private RunOutcome fault(Cell cell, Throwable e, long started) {
        // An Error too (an OutOfMemoryError on an enormous trace, a StackOverflowError): the
        // run's objects are unreachable once this returns, the other runs go on, and the
        // run's cells are SKIPPED as a harness fault (exit 3), never a crash of the whole suite.
        if (Interruption.requested()) {
            // Ctrl-C also reaches the extension's processes in the terminal's process group:
            // what breaks while the run is being stopped is the interrupt, not a harness fault
            interruptedRuns.incrementAndGet();
            return RunOutcome.interrupted(cell, millisSince(started));
        }
        return new RunOutcome(cell, null, null, e.getClass().getSimpleName() + ": " + e.getMessage(), millisSince(started));
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos); // wall-clock ok
    }

    /** A run's key: what it ran, the profile's version included (two configurations may read one file at two times). */
    private static String key(SuiteConfig config, Cell cell) {
        return String.join("|", List.of(config.extension(), config.transport(), config.isolation(), String.join(",", config.assumptions()), Long.toString(config.hangAfterMs()), cell.profile(),
                SuiteConfig.exploration(cell) ? "drawn" : config.snapshot().sha256OrUnreadable(cell.profile()), Long.toString(cell.seed()),
                cell.cloud()));
    }
}
