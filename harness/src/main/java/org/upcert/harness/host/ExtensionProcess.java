package org.upcert.harness.host;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * One launch of the extension's process: an instance and the threads that call it. The same
 * process serves calls until the system kills or ends it; then a new one is launched and only
 * storage carries over.
 *
 * <p>Calls run on the process's own thread, never the simulator's: a call that never returns or
 * loops without touching the API must not hang the harness. Waiting for it is the one real wait
 * in the simulator, bounded by {@code SystemPolicy.callWallTimeoutMs}; a call past the bound is
 * declared hung and its thread abandoned (daemon threads, interrupted).
 */
public final class ExtensionProcess {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** How a wait for the extension ended. */
    public sealed interface Completion {
        /** {@code processJobs} returned. */
        record Returned(ProcessingResult result) implements Completion {
        }

        /** {@code processJobs} threw (an {@link ExtensionKilled} included). */
        record Threw(Throwable exception) implements Completion {
        }

        /** Still running after the wall-clock bound. */
        record Hung() implements Completion {
        }
    }

    private final int generation;
    private final ExecutorService worker;
    private final ExecutorService notifier;
    private final UploadExtension instance;

    private ExtensionProcess(int generation, ExecutorService worker, ExecutorService notifier, UploadExtension instance) {
        this.generation = generation;
        this.worker = worker;
        this.notifier = notifier;
        this.instance = instance;
    }

    /**
     * Launches a process: makes the instance on the process's own thread (a constructor can hang
     * or throw as well as a call can).
     */
    public static ExtensionProcess launch(ExtensionSource source, int generation, long wallTimeoutMs) throws LaunchFailure {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> thread(r, "upcert-ext-" + generation + "-main"));
        ExecutorService notifier = Executors.newSingleThreadExecutor(r -> thread(r, "upcert-ext-" + generation + "-notify"));
        Future<UploadExtension> made = worker.submit(() -> {
            UploadExtension extension = source.newInstance();
            Thread.currentThread().setContextClassLoader(source.classLoader());
            return extension;
        });
        try {
            UploadExtension instance = made.get(wallTimeoutMs, TimeUnit.MILLISECONDS);
            if (instance == null) {
                throw new LaunchFailure("the extension factory returned null");
            }
            return new ExtensionProcess(generation, worker, notifier, instance);
        } catch (ExecutionException e) {
            worker.shutdownNow();
            notifier.shutdownNow();
            throw new LaunchFailure("the extension could not be created: " + e.getCause());
        } catch (TimeoutException e) {
            worker.shutdownNow();
            notifier.shutdownNow();
            throw new LaunchFailure("creating the extension did not finish within " + wallTimeoutMs + " ms of real time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchFailure("interrupted while creating the extension");
        }
    }

    public int generation() {
        return generation;
    }

    /** Starts {@code processJobs} on the process's thread. */
    public Future<ProcessingResult> startCall(ExtensionContext context) {
        return worker.submit(() -> instance.processJobs(context));
    }

    /** Waits (really, bounded) for a call started by {@link #startCall(ExtensionContext)}. */
    public Completion await(Future<ProcessingResult> call, long wallTimeoutMs) {
        try {
            return new Completion.Returned(call.get(wallTimeoutMs, TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            return new Completion.Threw(e.getCause());
        } catch (TimeoutException e) {
            return new Completion.Hung();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Completion.Hung();
        }
    }

    /**
     * Calls {@code willTerminate()} on the notifier thread (on a device it arrives on another
     * thread while {@code processJobs} may be running) and waits for it, bounded. Returns the
     * exception it threw, a timeout description, or null if it returned normally.
     */
    public String deliverTermination(long wallTimeoutMs) {
        Future<?> notice = notifier.submit(instance::willTerminate);
        try {
            notice.get(wallTimeoutMs, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return "willTerminate threw " + e.getCause();
        } catch (TimeoutException e) {
            return "willTerminate did not return within " + wallTimeoutMs + " ms of real time";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Ends the process: its threads are interrupted and abandoned. */
    public void destroy() {
        worker.shutdownNow();
        notifier.shutdownNow();
    }

    private static Thread thread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name + "-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }

    /** The process could not be launched. */
    public static final class LaunchFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public LaunchFailure(String message) {
            super(message);
        }
    }
}
