package org.upcert.protocol.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.protocol.ChannelStreams;
import org.upcert.protocol.Connection;
import org.upcert.protocol.Protocol;
import org.upcert.protocol.RpcError;
import org.upcert.protocol.Values;

/**
 * The JVM worker's entry point: connects to the harness ({@code UPCERT_CHANNEL}), says hello, and
 * hosts the extension jar ({@code UPCERT_EXTENSION}) generation by generation until the harness
 * closes the connection; then it halts, whatever threads the extension left.
 *
 * <p>Its stdout and stderr belong to the extension (the harness captures them, bounded); the
 * worker itself prints only a fatal start-up problem to stderr.
 */
public final class WorkerMain {
    /** How long {@code exit} waits for a generation's threads to end before reporting them as left behind. */
    private static final long EXIT_GRACE_MS = 250;

    private final Connection connection;
    private final Path jar;
    private final AtomicLong virtualTime = new AtomicLong();
    private final AtomicLong nextJob = new AtomicLong(1);
    private volatile Instant epoch = Instant.EPOCH;
    private volatile Generation generation;
    private volatile RemoteContext current;
    private final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);

    private WorkerMain(Connection connection, Path jar) {
        this.connection = connection;
        this.jar = jar;
    }

    public static void main(String[] args) {
        String channel = System.getenv(Protocol.ENV_CHANNEL);
        String jar = args.length > 0 ? args[0] : System.getenv(Protocol.ENV_EXTENSION);
        if (channel == null || jar == null) {
            System.err.println("upcert worker: set " + Protocol.ENV_CHANNEL + " and " + Protocol.ENV_EXTENSION);
            Runtime.getRuntime().halt(2);
        }
        try {
            SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
            socket.connect(UnixDomainSocketAddress.of(channel));
            // Streams no interrupt can close: the extension's threads, which may be interrupted at any
            // time, write their own API calls (one hand-off to a writer thread less per call).
            ChannelStreams.Pair streams = ChannelStreams.immuneToInterrupts(socket);
            Connection connection = new Connection("worker", streams.in(), streams.out())
                    .writeRequestsDirectly()
                    .writeRepliesDirectly();
            new WorkerMain(connection, Path.of(jar)).serve();
        } catch (IOException | RuntimeException e) {
            System.err.println("upcert worker: " + e);
            Runtime.getRuntime().halt(2);
        }
    }

    private void serve() {
        Runnable profile = System.getenv("UPCERT_WORKER_PROFILE") == null ? () -> { } : WorkerProfile.startIfAsked();
        ExecutorService dispatch = Executors.newCachedThreadPool(daemon("upcert-worker-dispatch", null));
        connection.observeEachMessage(message -> {
            JsonNode t = message.get("t");
            if (t != null && t.canConvertToLong()) {
                virtualTime.set(t.asLong());
            }
            JsonNode next = message.get("nextJob");
            if (next != null && next.canConvertToLong()) {
                nextJob.set(next.asLong());
            }
        });
        pristineProperties.putAll(System.getProperties());
        pristine = new JdkDefaults();
        // The sandbox is in place before the harness can ask for anything: no extension code runs unwatched.
        try {
            WorkerSandbox watching = new WorkerSandbox(this::reportViolation);
            System.setSecurityManager(watching);
            sandbox = watching;
        } catch (UnsupportedOperationException e) {
            // A JDK without a security manager: the harness still sees exits and hangs (docs/isolation.md).
        }
        connection.start(this::handle, dispatch);
        ObjectNode hello = Values.object();
        hello.put("protocol", Protocol.VERSION);
        hello.put("client", "upcert-java-worker");
        hello.put("language", "java");
        hello.put("pid", ProcessHandle.current().pid());
        try {
            JsonNode welcome = connection.call(Protocol.HELLO, hello);
            epoch = Instant.parse(welcome.path("epoch").asText("1970-01-01T00:00:00Z"));
        } catch (RpcError | RuntimeException e) {
            System.err.println("upcert worker: the harness refused the hello: " + e.getMessage());
            Runtime.getRuntime().halt(2);
        }
        ready.countDown();
        connection.closed().join();
        profile.run();
        Runtime.getRuntime().halt(0);
    }

    /** The system properties as the worker started, before any extension code ran. */
    private final Properties pristineProperties = new Properties();
    /** The other JDK defaults a launch may change and the next launch gets back as the worker started. */
    private JdkDefaults pristine;
    /** The security manager, or null on a JDK without one. */
    private volatile WorkerSandbox sandbox;

    /**
     * The JDK's process-wide defaults that extension code may set without being refused (a process
     * on a device may) and that the worker restores before every launch, as a relaunched process
     * starts with them: the standard streams, the default uncaught-exception handler, the default
     * locales and time zone. What it cannot restore the sandbox notes instead, and the worker is
     * replaced ({@link WorkerSandbox#drainTouched()}). Made before any extension code runs, which
     * also sets java.util.logging up (its handlers are made on first use, which would otherwise
     * happen with the extension on the stack).
     */
    private static final class JdkDefaults {
        final java.io.InputStream in = System.in;
        final java.io.PrintStream out = System.out;
        final java.io.PrintStream err = System.err;
        final Thread.UncaughtExceptionHandler uncaught = Thread.getDefaultUncaughtExceptionHandler();
        final java.util.Locale locale = java.util.Locale.getDefault();
        final java.util.Locale display = java.util.Locale.getDefault(java.util.Locale.Category.DISPLAY);
        final java.util.Locale format = java.util.Locale.getDefault(java.util.Locale.Category.FORMAT);
        final java.util.TimeZone zone = java.util.TimeZone.getDefault();

        JdkDefaults() {
            java.util.logging.Logger.getLogger("").getHandlers();
        }

        void restore() {
            if (System.in != in) {
                System.setIn(in);
            }
            if (System.out != out) {
                System.setOut(out);
            }
            if (System.err != err) {
                System.setErr(err);
            }
            if (Thread.getDefaultUncaughtExceptionHandler() != uncaught) {
                Thread.setDefaultUncaughtExceptionHandler(uncaught);
            }
            java.util.Locale.setDefault(locale);
            java.util.Locale.setDefault(java.util.Locale.Category.DISPLAY, display);
            java.util.Locale.setDefault(java.util.Locale.Category.FORMAT, format);
            java.util.TimeZone.setDefault(zone);
        }
    }

    /**
     * Empties the scratch folder (the worker's working folder and {@code java.io.tmpdir}): the
     * security manager refuses the extension files, but code that gets past it can write there,
     * and a relaunched process must not find what the last one wrote. Not while a flight recording
     * keeps its repository there ({@code UPCERT_WORKER_PROFILE}).
     */
    private void emptyScratch() {
        if (System.getenv("UPCERT_WORKER_PROFILE") != null) {
            return;
        }
        Path scratch = Path.of(pristineProperties.getProperty("java.io.tmpdir", "")).toAbsolutePath();
        if (!scratch.equals(Path.of("").toAbsolutePath())) {
            return; // not the folder the harness gave this worker (a worker started by hand)
        }
        try (java.util.stream.Stream<Path> entries = java.nio.file.Files.walk(scratch)) {
            entries.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(scratch)).forEach(p -> {
                try {
                    java.nio.file.Files.deleteIfExists(p);
                } catch (IOException e) {
                    // read-only or gone: nothing of it can be written anew either
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            // an unreadable scratch folder: nothing in it can be read back either
        }
    }

    private CompletionStage<JsonNode> handle(String method, JsonNode params) {
        try {
            // The harness may ask before this side has read the hello's answer (the epoch): wait for it.
            ready.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_INTERNAL, "interrupted"));
        }
        try {
            switch (method) {
                case Protocol.LAUNCH:
                    return launch((int) Values.number(params, "generation"));
                case Protocol.PROCESS_JOBS:
                    return processJobs(params);
                case Protocol.WILL_TERMINATE:
                    return willTerminate();
                case Protocol.EXIT:
                    return CompletableFuture.completedFuture(exit());
                default:
                    return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_METHOD_NOT_FOUND, "no method " + method));
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_INVALID_PARAMS, e.getMessage()));
        }
    }

    // --- generations ---------------------------------------------------------------------

    /** The threads of one simulated launch: extension threads started from them belong here too. */
    static final class GenerationGroup extends ThreadGroup {
        GenerationGroup(int generation) {
            super("upcert-extension-gen-" + generation);
        }
    }

    private static final class Generation {
        final int number;
        final GenerationGroup group;
        final ExtensionClassLoader loader;
        final ExecutorService main;
        final ExecutorService notifier;
        final ReentrantLock blocks = new ReentrantLock();
        UploadExtension instance;

        Generation(int number, ExtensionClassLoader loader) {
            this.number = number;
            this.group = new GenerationGroup(number);
            this.loader = loader;
            this.main = Executors.newSingleThreadExecutor(daemon("upcert-ext-" + number + "-main", group));
            this.notifier = Executors.newSingleThreadExecutor(daemon("upcert-ext-" + number + "-notify", group));
        }
    }

    private CompletionStage<JsonNode> launch(int number) {
        if (generation != null) {
            exit();
        }
        // A relaunched process keeps nothing in memory. Its classes are new (a class loader of its own),
        // but the JDK's statics are this worker's: the system properties hold any object, and an
        // extension kept its ledger there across kills (H28). Each launch starts from the worker's own.
        Properties fresh = new Properties();
        fresh.putAll(pristineProperties);
        System.setProperties(fresh);
        // The same for the JDK's other defaults it can set back (H35), and its scratch folder.
        pristine.restore();
        emptyScratch();
        ExtensionClassLoader loader;
        try {
            loader = new ExtensionClassLoader(jar.toUri().toURL());
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_INVALID_PARAMS, "bad jar path " + jar));
        }
        Generation made = new Generation(number, loader);
        generation = made;
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        made.main.execute(() -> {
            Thread.currentThread().setContextClassLoader(loader);
            try {
                List<Class<? extends UploadExtension>> providers = ExtensionProvider.types(loader);
                if (providers.size() != 1) {
                    reply.completeExceptionally(RpcError.of(Protocol.ERROR_THREW, "the jar declares " + providers.size()
                            + " UploadExtension providers; it must declare one", "exception", "none"));
                    return;
                }
                made.instance = ExtensionProvider.newInstance(providers.get(0));
                ObjectNode result = Values.object();
                result.put("extension", made.instance.getClass().getName());
                reply.complete(result);
            } catch (ServiceConfigurationError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                reply.completeExceptionally(failure(cause, "the extension could not be created"));
            } catch (Throwable e) {
                reply.completeExceptionally(failure(e, "the extension could not be created"));
            }
        });
        return reply;
    }

    private CompletionStage<JsonNode> processJobs(JsonNode params) {
        Generation running = requireGeneration();
        int activation = (int) Values.number(params, "activation");
        RemoteContext context = new RemoteContext(connection, activation, URI.create(Values.text(params, "uploadUrlBase")),
                java.util.Collections.unmodifiableSortedMap(Values.readStrings(params.get("configuration"), "configuration")),
                Values.text(params, "os"), clock(), new RemoteContext.JobIds() {
                    @Override
                    public long next() {
                        return nextJob.get();
                    }

                    @Override
                    public void advanceTo(long next) {
                        nextJob.set(next);
                    }
                }, running.blocks);
        current = context;
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        running.main.execute(() -> {
            try {
                ProcessingResult result = running.instance.processJobs(context);
                context.flushLogCount();
                context.flushLookups();
                context.end();
                reply.complete(result == null ? Values.object().nullNode() : Values.object().textNode(result.name()));
            } catch (Throwable e) {
                if (!(e instanceof ProcessKilled)) {
                    try {
                        context.flushLogCount(); // the lines before the throw happened (and may cost time)
                    } catch (Throwable killed) {
                        // killed while charging them: the call ends as the harness says
                    }
                }
                context.end();
                reply.completeExceptionally(failure(e, "processJobs threw"));
            }
        });
        return reply;
    }

    private CompletionStage<JsonNode> willTerminate() {
        Generation running = requireGeneration();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        running.notifier.execute(() -> {
            try {
                running.instance.willTerminate();
                reply.complete(Values.object().nullNode());
            } catch (Throwable e) {
                reply.completeExceptionally(failure(e, "willTerminate threw"));
            }
        });
        return reply;
    }

    /** Ends the generation: its executors stop, and threads still alive after a short grace are reported. */
    private JsonNode exit() {
        Generation ending = generation;
        ObjectNode result = Values.object();
        if (ending == null) {
            result.put("threadsLeft", 0);
            return result;
        }
        generation = null;
        ending.main.shutdownNow();
        ending.notifier.shutdownNow();
        // An executor reports termination while its last thread is still finishing: join the
        // generation's threads themselves, all within one bound.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_GRACE_MS); // wall-clock ok: a bounded real wait
        List<String> names = new ArrayList<>();
        int alive = 0;
        try {
            Thread[] threads = new Thread[Math.max(16, ending.group.activeCount() * 2)];
            int count = ending.group.enumerate(threads, true);
            for (int i = 0; i < count; i++) {
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()); // wall-clock ok
                if (remaining > 0) {
                    threads[i].join(remaining);
                }
                if (threads[i].isAlive()) {
                    alive++;
                    if (names.size() < 10) {
                        names.add(threads[i].getName());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        result.put("threadsLeft", alive);
        WorkerSandbox watching = sandbox;
        result.set("jdkStateChanged", Values.texts(watching == null ? List.of() : watching.drainTouched()));
        result.set("threads", Values.texts(names));
        if (alive == 0) {
            try {
                ending.loader.close();
            } catch (IOException ignored) {
                // the loader's jar stays open; the worker is long-lived but generations are few
            }
        }
        return result;
    }

    private Generation requireGeneration() {
        Generation running = generation;
        if (running == null || running.instance == null) {
            throw new IllegalArgumentException("no extension is launched");
        }
        return running;
    }

    private static RpcError failure(Throwable e, String what) {
        if (e instanceof ProcessKilled) {
            return new RpcError(Protocol.ERROR_KILLED, e.getMessage());
        }
        if (e instanceof StackOverflowError) {
            return RpcError.of(Protocol.ERROR_CRASHED, what + ": stack overflow", "reason", "stack overflow (" + e + ")");
        }
        if (e instanceof VirtualMachineError) {
            return RpcError.of(Protocol.ERROR_CRASHED, what + ": " + e, "reason", String.valueOf(e));
        }
        String message = e.getMessage();
        return RpcError.of(Protocol.ERROR_THREW, what + ": " + e, "exception",
                e.getClass().getName() + (message == null ? "" : ": " + message));
    }

    private void reportViolation(String kind, String what) {
        ObjectNode params = Values.object();
        RemoteContext context = current;
        params.put("call", context == null ? 0 : context.activation());
        params.put("kind", kind);
        params.put("what", what);
        try {
            connection.call(Protocol.SANDBOX_VIOLATION, params);
        } catch (RpcError | RuntimeException ignored) {
            // the refusal stands whether or not the harness heard of it
        }
    }

    private Clock clock() {
        return new org.upcert.protocol.VirtualTimeClock(epoch, virtualTime::get);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name, ThreadGroup group) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(group, runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
