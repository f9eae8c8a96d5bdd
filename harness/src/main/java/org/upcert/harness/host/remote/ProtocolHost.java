package org.upcert.harness.host.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.upcert.api.ProcessingResult;
import org.upcert.harness.host.CallContext;
import org.upcert.harness.host.ExtensionHost;
import org.upcert.harness.host.ExtensionProcess;
import org.upcert.harness.host.SimulatedSystem;
import org.upcert.harness.sim.VirtualClock;
import org.upcert.protocol.ChannelStreams;
import org.upcert.protocol.Connection;
import org.upcert.protocol.Protocol;
import org.upcert.protocol.RpcError;
import org.upcert.protocol.Values;

/**
 * Hosts an extension in processes of its own, over the extension protocol. A JVM worker or a
 * container serves one simulated launch after another (a {@code launch} request makes a fresh
 * instance in a fresh class loader) and is replaced when it crashes, hangs, or leaves threads
 * behind at the end of a launch; a command is started anew for every simulated launch. Requests
 * from the process become {@link CallContext} calls ({@link ApiDispatcher}); replies carry the
 * virtual time and the next job sequence.
 *
 * <p>Every real wait is bounded: connecting, the hello, every request the harness sends. A call
 * past its wall bound is answered with a real SIGKILL. The extension's stdout and stderr are
 * drained, bounded, into {@code extension-output.log} (when the run has a folder) and never reach
 * upcert's own output.
 */
public final class ProtocolHost implements ExtensionHost {
    /** Real time a new process gets to connect and say hello (a cold JVM takes well under a second). */
    private static final Duration CONNECT_BOUND = Duration.ofSeconds(30);
    /** Real time for the small administrative requests ({@code exit}). */
    private static final Duration ADMIN_BOUND = Duration.ofSeconds(5);
    /** Contexts kept for late requests; older activations are refused without one. */
    private static final int CONTEXTS_KEPT = 16;

    private final ProcessLauncher launcher;
    private final boolean processPerLaunch;
    private final Path runDirectory;
    private final OutputStream log;
    // Shared by every host of this JVM: a pooled worker keeps the connection (and so the executor)
    // it was started with. Daemon threads, idle ones end after a minute.
    private static final ExecutorService DISPATCH = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "upcert-protocol-dispatch");
        thread.setDaemon(true);
        return thread;
    });
    /**
     * Idle workers by {@link ProcessLauncher#reuseKey()}: a worker whose run ended cleanly serves the
     * next run of the same jar, sparing a JVM start per run (each launch is a fresh class loader, so
     * nothing of the previous run is visible). At most one per core is kept; the rest are killed.
     * They halt on their own when this JVM exits (their connection closes).
     */
    private static final TreeMap<String, java.util.ArrayDeque<Peer>> IDLE = new TreeMap<>();
    private final TreeMap<Integer, CallContext> contexts = new TreeMap<>();
    private final ApiDispatcher dispatcher;
    private volatile SimulatedSystem system;
    private Peer peer;
    private int peers;
    private int replacedForThreads;
    private int replacedForJdkState;
    private int crashes;
    private long outputBytes;

    /**
     * @param launcher starts the processes
     * @param processPerLaunch a new OS process for every simulated launch (commands), or one
     *     process serving launches until it must be replaced (the JVM worker, the container)
     * @param outputLog where the extension's output goes (bounded), or null to keep only a tail
     */
    public ProtocolHost(ProcessLauncher launcher, boolean processPerLaunch, Path outputLog) {
        this.launcher = launcher;
        this.processPerLaunch = processPerLaunch;
        try {
            this.runDirectory = Files.createTempDirectory("upcert-host-");
            if (outputLog != null && outputLog.getParent() != null) {
                Files.createDirectories(outputLog.getParent());
            }
            this.log = outputLog == null ? null : Files.newOutputStream(outputLog);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the extension host", e);
        }
        this.dispatcher = new ApiDispatcher(this::context, new ApiDispatcher.Listener() {
            @Override
            public void refused(int activation, String api, String reason) {
                SimulatedSystem attached = system;
                if (attached != null) {
                    attached.refused(activation, api, reason);
                }
            }

            @Override
            public void violation(int activation, String kind, String what) {
                SimulatedSystem attached = system;
                if (attached != null) {
                    attached.sandboxViolation(activation, kind, what);
                }
            }
        });
    }

    /** The simulated system this host serves (the simulation attaches itself before the first launch). */
    public void attach(SimulatedSystem system) {
        this.system = system;
    }

    @Override
    public String isolation() {
        return launcher.isolation();
    }

    @Override
    public SortedMap<String, Object> facts() {
        TreeMap<String, Object> facts = new TreeMap<>();
        facts.put("processes", peers);
        facts.put("replacedForThreadsLeft", replacedForThreads);
        if (replacedForJdkState > 0) {
            facts.put("replacedForJdkState", replacedForJdkState);
        }
        facts.put("crashes", crashes);
        facts.put("outputBytes", outputBytes + (peer == null ? 0 : peer.outputBytes()));
        return facts;
    }

    private synchronized CallContext context(int activation) {
        return contexts.get(activation);
    }

    private synchronized void register(CallContext context) {
        contexts.put(context.activation(), context);
        while (contexts.size() > CONTEXTS_KEPT) {
            contexts.pollFirstEntry();
        }
    }

    @Override
    public ExtensionProcess launch(int generation, long wallTimeoutMs) throws ExtensionProcess.LaunchFailure {
        if (peer != null && (processPerLaunch || !peer.alive())) {
            retire(peer);
        }
        if (peer == null) {
            peer = startPeer();
        }
        ObjectNode params = Values.object();
        params.put("generation", generation);
        peer.reusable = false;
        try {
            peer.connection.request(Protocol.LAUNCH, params).get(wallTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RpcError error) {
                String exception = error.data().path("exception").asText(error.data().path("reason").asText(""));
                throw new ExtensionProcess.LaunchFailure("the extension could not be created: "
                        + (exception.isEmpty() ? error.getMessage() : exception));
            }
            String reason = peer.crashReason();
            retire(peer);
            throw new ExtensionProcess.LaunchFailure("the extension's process ended while it was being created: " + reason);
        } catch (TimeoutException e) {
            retire(peer);
            throw new ExtensionProcess.LaunchFailure("creating the extension did not finish within " + wallTimeoutMs
                    + " ms of real time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionProcess.LaunchFailure("interrupted while creating the extension");
        }
        return new RemoteProcess(peer, generation);
    }

    private Peer startPeer() throws ExtensionProcess.LaunchFailure {
        java.util.Optional<String> key = launcher.reuseKey();
        if (key.isPresent()) {
            Peer idle = takeIdle(key.get());
            if (idle != null) {
                idle.owner = this;
                idle.out.retarget(log);
                idle.err.retarget(log);
                peers++;
                return idle;
            }
        }
        int index = ++peers;
        LaunchedProcess process = null;
        Path scratch = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Names that tell the process nothing of the launches before it: its scratch folder (its
            // TMPDIR) and its socket (UPCERT_CHANNEL) were scratch-<n> and p<n>.sock, a count of them,
            // and the folder holding both kept every earlier launch's scratch folder until the run ended.
            // The JDK's random temporary name, as the run's folder already has; neither name is ever
            // traced (the trace stays a function of the plan, the extension and the build).
            scratch = Files.createTempDirectory(runDirectory, "scratch-");
            // The socket's name short: a Unix socket's path holds at most 107 bytes, and the run's folder
            // may lie deep (a java.io.tmpdir of the caller's; upcert's own tests put it 87 characters
            // down), so six of the scratch folder's random digits, not all nineteen. A stale one of the
            // same name (a start that failed before it was deleted) is removed first.
            String random = scratch.getFileName().toString().substring("scratch-".length());
            Path socket = runDirectory.resolve("p-" + random.substring(Math.max(0, random.length() - 6)) + ".sock");
            Files.deleteIfExists(socket);
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
            process = launcher.launch(new ProcessLauncher.LaunchRequest(socket, scratch,
                    Map.of(Protocol.ENV_CHANNEL, socket.toString())));
            OutputCapture out = new OutputCapture("out-" + index, process.stdout(), log);
            OutputCapture err = new OutputCapture("err-" + index, process.stderr(), log);
            AtomicReference<SocketChannel> accepted = new AtomicReference<>();
            LaunchedProcess started = process;
            Awaitility.await("the extension's process connects to " + socket).atMost(CONNECT_BOUND)
                    .pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).until(() -> {
                        SocketChannel channel = server.accept();
                        if (channel != null) {
                            accepted.set(channel);
                        }
                        return channel != null || !started.isAlive();
                    });
            SocketChannel channel = accepted.get();
            if (channel == null) {
                err.settle(1000);
                throw new ExtensionProcess.LaunchFailure("the extension's process " + process.describeExit()
                        + " before it connected" + lastLine(err.tail()));
            }
            channel.configureBlocking(true);
            Files.deleteIfExists(socket); // nobody else may connect
            Peer made = new Peer(index, process, out, err, scratch);
            made.owner = this;
            made.connection = new Connection("harness", ChannelStreams.in(channel), ChannelStreams.out(channel))
                    .stampEachMessage(message -> made.owner.stamp(message))
                    .writeRepliesDirectly() // the reader and DISPATCH threads are this class's own and never interrupted
                    // API calls are performed on the reader (CallContext takes the system's lock and
                    // deliverTermination waits only after Connection.beforeBlocking()); DISPATCH serves
                    // no request then, but stays the executor of a connection that is not so configured
                    .performRequestsOnReader()
                    .start((method, params) -> method.equals(Protocol.HELLO) ? made.hello(params)
                            : made.owner.dispatcher.handle(method, params), DISPATCH);
            try {
                made.helloDone.get(CONNECT_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                made.kill();
                throw new ExtensionProcess.LaunchFailure("the extension's process was refused: " + e.getCause().getMessage());
            } catch (TimeoutException e) {
                made.kill();
                throw new ExtensionProcess.LaunchFailure("the extension's process connected but sent no hello within "
                        + CONNECT_BOUND.toSeconds() + " s");
            }
            return made;
        } catch (ConditionTimeoutException e) {
            process.kill();
            forget(scratch);
            throw new ExtensionProcess.LaunchFailure("the extension's process did not connect within "
                    + CONNECT_BOUND.toSeconds() + " s of real time");
        } catch (IOException e) {
            if (process != null) {
                process.kill();
            }
            forget(scratch);
            throw new ExtensionProcess.LaunchFailure("cannot start the extension's process: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.kill();
            }
            forget(scratch);
            throw new ExtensionProcess.LaunchFailure("interrupted while starting the extension's process");
        }
    }

    private void stamp(com.fasterxml.jackson.core.JsonGenerator message) throws IOException {
        SimulatedSystem attached = system;
        if (attached != null) {
            message.writeNumberField("t", attached.clock().now());
            message.writeNumberField("nextJob", attached.jobs().nextJobSeq());
        }
    }

    /**
     * Deletes a process's scratch folder once the process is gone (best effort; the run's folder goes
     * at {@link #close()} anyway): a later launch that lists the run's folder must not count the
     * folders of the launches before it.
     */
    private static void forget(Path scratch) {
        if (scratch == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(scratch)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // gone already, or unreadable: close() removes what is left with the run's folder
        }
    }

    private void retire(Peer ending) {
        ending.kill();
        outputBytes += ending.outputBytes();
        if (ending == peer) {
            peer = null;
        }
    }

    /**
     * Ends every idle pooled worker now (they would end with this JVM anyway). For tests and tools
     * that must leave no process behind at a given moment.
     */
    public static void closeIdleWorkers() {
        List<Peer> idle = new ArrayList<>();
        synchronized (IDLE) {
            IDLE.values().forEach(idle::addAll);
            IDLE.clear();
        }
        idle.forEach(Peer::kill);
    }

    private static Peer takeIdle(String key) {
        synchronized (IDLE) {
            java.util.ArrayDeque<Peer> idle = IDLE.get(key);
            while (idle != null && !idle.isEmpty()) {
                Peer candidate = idle.pollFirst();
                if (candidate.alive()) {
                    return candidate;
                }
            }
            return null;
        }
    }

    /** Parks a worker that ended its run cleanly (no launch left, no call running), or kills it. */
    private void park(Peer idle, String key) {
        idle.out.retarget(null);
        idle.err.retarget(null);
        synchronized (IDLE) {
            java.util.ArrayDeque<Peer> parked = IDLE.computeIfAbsent(key, k -> new java.util.ArrayDeque<>());
            int total = IDLE.values().stream().mapToInt(java.util.ArrayDeque::size).sum();
            if (idle.alive() && total < Runtime.getRuntime().availableProcessors()) {
                idle.owner = null;
                outputBytes += idle.outputBytes();
                parked.addLast(idle);
                peer = null;
                return;
            }
        }
        retire(idle);
    }

    @Override
    public void close() {
        if (peer != null) {
            java.util.Optional<String> key = launcher.reuseKey();
            if (key.isPresent() && peer.reusable) {
                park(peer, key.get());
            } else {
                retire(peer);
            }
        }
        if (log != null) {
            try {
                synchronized (log) {
                    log.close();
                }
            } catch (IOException ignored) {
                // the log is best effort
            }
        }
        try (Stream<Path> files = Files.walk(runDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder that cannot be listed is gone already
        }
        try {
            launcher.close();
        } catch (Exception ignored) {
            // the launcher's own cleanup is best effort
        }
    }

    private static String lastLine(String tail) {
        String trimmed = tail.strip();
        if (trimmed.isEmpty()) {
            return "";
        }
        int newline = trimmed.lastIndexOf('\n');
        return ": " + (newline < 0 ? trimmed : trimmed.substring(newline + 1));
    }

    /** One OS process (or container) and its connection; it serves the host that owns it now. */
    private static final class Peer {
        volatile ProtocolHost owner;
        /** Set when its last launch ended cleanly ({@code exit} reported no thread left). */
        volatile boolean reusable;
        final int index;
        final LaunchedProcess process;
        final OutputCapture out;
        final OutputCapture err;
        /** Its scratch folder (TMPDIR, a worker's working folder), deleted when it is killed. */
        final Path scratch;
        final CompletableFuture<JsonNode> helloDone = new CompletableFuture<>();
        volatile Connection connection;
        volatile boolean killed;

        Peer(int index, LaunchedProcess process, OutputCapture out, OutputCapture err, Path scratch) {
            this.index = index;
            this.process = process;
            this.out = out;
            this.err = err;
            this.scratch = scratch;
        }

        CompletableFuture<JsonNode> hello(JsonNode params) {
            int version = params.path("protocol").asInt(-1);
            if (version != Protocol.VERSION) {
                RpcError refusal = new RpcError(Protocol.ERROR_INVALID_REQUEST, "the extension speaks protocol " + version
                        + "; this harness speaks protocol " + Protocol.VERSION);
                helloDone.completeExceptionally(refusal);
                return CompletableFuture.failedFuture(refusal);
            }
            ObjectNode welcome = Values.object();
            welcome.put("protocol", Protocol.VERSION);
            welcome.put("epoch", VirtualClock.EPOCH.toString());
            welcome.put("harness", "upcert");
            helloDone.complete(welcome);
            return CompletableFuture.completedFuture(welcome);
        }

        boolean alive() {
            return !killed && process.isAlive() && connection.isOpen();
        }

        long outputBytes() {
            return out.bytes() + err.bytes();
        }

        void kill() {
            killed = true;
            process.kill();
            if (connection != null) {
                connection.close();
            }
            process.awaitExit(Duration.ofSeconds(5));
            forget(scratch);
        }

        /** Why the process stopped answering: deterministic text for the trace. */
        String crashReason() {
            Connection.Closed closed = connection.closed().getNow(null);
            if (closed != null && closed.violation()) {
                kill();
                return "protocol violation: " + closed.reason();
            }
            process.awaitExit(Duration.ofSeconds(5));
            err.settle(1000);
            String exit = process.describeExit();
            if (err.tail().contains("java.lang.OutOfMemoryError")) {
                return "out of memory (" + exit + ")";
            }
            if (err.tail().contains(Launchers.PROCESS_LIMIT_MESSAGE)) {
                return "more than " + Launchers.PROCESSES + " processes in one launch (" + exit + ")";
            }
            return exit.equals("running") ? "closed the protocol connection" : exit;
        }
    }

    /** One simulated launch served by a peer. */
    private final class RemoteProcess implements ExtensionProcess {
        private final Peer peer;
        private final int generation;
        private volatile boolean callRunning;

        RemoteProcess(Peer peer, int generation) {
            this.peer = peer;
            this.generation = generation;
        }

        private record PendingCall(CompletableFuture<JsonNode> reply) implements Call {
        }

        @Override
        public int generation() {
            return generation;
        }

        @Override
        public Call startCall(CallContext context) {
            register(context);
            ObjectNode params = Values.object();
            params.put("generation", generation);
            params.put("activation", context.activation());
            params.put("os", context.osVersion());
            params.put("uploadUrlBase", context.uploadUrlBase().toString());
            params.set("configuration", Values.strings(context.configuration()));
            callRunning = true;
            return new PendingCall(peer.connection.request(Protocol.PROCESS_JOBS, params));
        }

        @Override
        public Completion await(Call call, long quietWallMs, java.util.function.LongSupplier activity) {
            CompletableFuture<JsonNode> reply = ((PendingCall) call).reply();
            try {
                JsonNode result = ExtensionProcess.awaitWhileActive(reply, quietWallMs, activity);
                callRunning = false;
                if (result == null || result.isNull()) {
                    return new Completion.Returned(null);
                }
                try {
                    return new Completion.Returned(ProcessingResult.valueOf(result.asText()));
                } catch (IllegalArgumentException e) {
                    crashes++;
                    peer.kill();
                    return new Completion.Crashed("protocol violation: processJobs answered " + result);
                }
            } catch (ExecutionException e) {
                callRunning = false;
                Throwable cause = e.getCause() instanceof CompletionException && e.getCause().getCause() != null
                        ? e.getCause().getCause() : e.getCause();
                if (cause instanceof RpcError error) {
                    if (error.code() == Protocol.ERROR_CRASHED) {
                        crashes++;
                        peer.kill();
                        return new Completion.Crashed(error.data().path("reason").asText(error.getMessage()));
                    }
                    return new Completion.Threw(error.data().path("exception").asText(error.getMessage()));
                }
                crashes++;
                return new Completion.Crashed(peer.crashReason());
            } catch (TimeoutException e) {
                // A hung call gets a real SIGKILL: no spinning thread outlives it.
                peer.kill();
                return new Completion.Hung();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                peer.kill();
                return new Completion.Hung();
            }
        }

        @Override
        public String deliverTermination(long wallTimeoutMs) {
            if (!peer.alive()) {
                return "the process is gone";
            }
            // Sent from inside an API call when the notice arrives during one: that call may be performed
            // on the reader, which must go on reading for the answer to arrive.
            Connection.beforeBlocking();
            try {
                peer.connection.request(Protocol.WILL_TERMINATE, Values.object()).get(wallTimeoutMs, TimeUnit.MILLISECONDS);
                return null;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RpcError error && error.code() == Protocol.ERROR_THREW) {
                    return "willTerminate threw " + error.data().path("exception").asText(error.getMessage());
                }
                return "willTerminate failed: " + cause.getMessage();
            } catch (TimeoutException e) {
                return "willTerminate did not return within " + wallTimeoutMs + " ms of real time";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }

        @Override
        public void destroy(String reason) {
            if (processPerLaunch || callRunning || !peer.alive()) {
                retire(peer);
                return;
            }
            try {
                JsonNode ended = peer.connection.request(Protocol.EXIT, Values.object())
                        .get(ADMIN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
                boolean threadsLeft = ended.path("threadsLeft").asInt(0) != 0;
                // JDK state shared by the worker that it cannot set back (a URL handler factory, the
                // security or logging configuration…): a relaunched process keeps nothing in memory.
                boolean jdkStateChanged = !ended.path("jdkStateChanged").isEmpty();
                peer.reusable = !threadsLeft && !jdkStateChanged;
                if (!peer.reusable) {
                    // Java cannot stop them: the worker goes, and the next launch gets a new one.
                    if (threadsLeft) {
                        replacedForThreads++;
                    } else {
                        replacedForJdkState++;
                    }
                    retire(peer);
                }
            } catch (ExecutionException | TimeoutException e) {
                retire(peer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                retire(peer);
            }
        }
    }


}
