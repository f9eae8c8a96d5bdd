package org.upcert.harness.host;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.SortedMap;
import java.util.TreeMap;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * Runs the extension inside the harness's own JVM, in a class loader of its own per launch
 * (statics are lost on a relaunch, as on a device). Opt-in: fast for an edit-run loop and an
 * author's own JUnit build, but nothing stops the extension from exiting the JVM, reaching into
 * the harness or printing into its output. Reports name this isolation.
 *
 * <p>Calls run on the process's own thread, never the simulator's: a call that never returns or
 * loops without touching the API must not hang the harness. A call past the wall bound is
 * declared hung and its thread abandoned (daemon threads, interrupted): Java cannot stop it.
 */
public final class InProcessHost implements ExtensionHost {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final ExtensionSource source;
    private int launched;

    public InProcessHost(ExtensionSource source) {
        this.source = source;
    }

    @Override
    public String isolation() {
        return "in-process";
    }

    @Override
    public ExtensionProcess launch(int generation, long wallTimeoutMs) throws ExtensionProcess.LaunchFailure {
        launched++;
        return Launched.launch(source, generation, wallTimeoutMs);
    }

    @Override
    public SortedMap<String, Object> facts() {
        TreeMap<String, Object> facts = new TreeMap<>();
        facts.put("launches", launched);
        return facts;
    }

    @Override
    public void close() {
        // threads of the extension are daemons; nothing else to release
    }

    private record PendingCall(Future<ProcessingResult> future) implements ExtensionProcess.Call {
    }

    /** One launch: an instance and the threads that call it. */
    static final class Launched implements ExtensionProcess {
        private final int generation;
        private final ExecutorService worker;
        private final ExecutorService notifier;
        private final UploadExtension instance;

        private Launched(int generation, ExecutorService worker, ExecutorService notifier, UploadExtension instance) {
            this.generation = generation;
            this.worker = worker;
            this.notifier = notifier;
            this.instance = instance;
        }

        /** Makes the instance on the process's own thread (a constructor can hang or throw as well as a call can). */
        static Launched launch(ExtensionSource source, int generation, long wallTimeoutMs) throws LaunchFailure {
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
                return new Launched(generation, worker, notifier, instance);
            } catch (ExecutionException e) {
                worker.shutdownNow();
                notifier.shutdownNow();
                Throwable cause = e.getCause() instanceof java.util.ServiceConfigurationError && e.getCause().getCause() != null
                        ? e.getCause().getCause() : e.getCause();
                throw new LaunchFailure("the extension could not be created: " + cause);
            } catch (TimeoutException e) {
                worker.shutdownNow();
                notifier.shutdownNow();
                throw new LaunchFailure("creating the extension did not finish within " + wallTimeoutMs + " ms of real time");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchFailure("interrupted while creating the extension");
            }
        }

        @Override
        public int generation() {
            return generation;
        }

        @Override
        public Call startCall(CallContext context) {
            return new PendingCall(worker.submit(() -> instance.processJobs(context)));
        }

        @Override
        public Completion await(Call call, long quietWallMs, java.util.function.LongSupplier activity) {
            try {
                return new Completion.Returned(ExtensionProcess.awaitWhileActive(((PendingCall) call).future(), quietWallMs, activity));
            } catch (ExecutionException e) {
                Throwable t = e.getCause();
                String message = t.getMessage();
                return new Completion.Threw(t.getClass().getName() + (message == null ? "" : ": " + message));
            } catch (TimeoutException e) {
                return new Completion.Hung();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Completion.Hung();
            }
        }

        @Override
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
        @Override
        public void destroy(String reason) {
            worker.shutdownNow();
            notifier.shutdownNow();
        }

        private static Thread thread(Runnable runnable, String name) {
            Thread thread = new Thread(runnable, name + "-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
