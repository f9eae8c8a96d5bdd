package org.upcert.conformance.hostile;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * Extensions written to subvert the harness, each doing one hostile thing in {@code processJobs}.
 * They are packaged into a jar of their own by {@link HostileCorpusTest} and run out of process,
 * as an author's jar would be. None of them does any real work: whatever else they fail, the
 * test asserts the verdict that names what they did, and that the harness stays in charge.
 */
public final class HostileExtensions {
    private HostileExtensions() {
    }

    /** The file a hostile extension writes around {@code storage()} (a fixed path: the worker sees nothing of the test JVM). */
    public static final String OUTSIDE_FILE = "/tmp/upcert-hostile-outside-storage.txt";

    /**
     * While no job awaits acknowledgement: one job for the library's first resource, to the destination
     * {@code destination} makes of it (a refusal is logged). The hostile part is the destination.
     */
    static void createOneJob(ExtensionContext context,
            java.util.function.Function<org.upcert.api.AssetResource, org.upcert.api.UploadRequest> destination) {
        createOneJob(context, java.util.function.UnaryOperator.identity(), destination);
    }

    /** As {@link #createOneJob(ExtensionContext, java.util.function.Function)}, for the resource {@code resource} makes of it. */
    static void createOneJob(ExtensionContext context, java.util.function.UnaryOperator<org.upcert.api.AssetResource> named,
            java.util.function.Function<org.upcert.api.AssetResource, org.upcert.api.UploadRequest> destination) {
        List<org.upcert.api.Asset> assets = context.library().fetchAssets();
        if (assets.isEmpty() || !context.library().fetchJobs(org.upcert.api.JobAction.ACKNOWLEDGE).isEmpty()) {
            return;
        }
        org.upcert.api.AssetResource resource = named.apply(assets.get(0).resources().get(0));
        try {
            context.library().performChanges(changes -> changes.createJob(resource, destination.apply(resource)));
        } catch (org.upcert.api.PhotosException e) {
            context.log().info("refused: " + e.getMessage());
        }
    }

    abstract static class Base implements UploadExtension {
        @Override
        public void willTerminate() {
        }
    }

    /** {@code System.exit(0)}: on a device, the process ends; it must never become upcert's exit code. */
    public static final class ExitsZero extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            System.exit(0);
            return ProcessingResult.COMPLETED;
        }
    }

    /** {@code System.exit(3)}: upcert's "harness fault" code, which must not be forged. */
    public static final class ExitsThree extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            Runtime.getRuntime().halt(3);
            return ProcessingResult.COMPLETED;
        }
    }

    /** Reaches for the harness's job store by reflection, to acknowledge jobs without the API. */
    public static final class ReflectsIntoHarness extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            try {
                Class<?> store = Class.forName("org.upcert.harness.jobs.JobStore");
                context.log().error("harness class reachable: " + store);
            } catch (ClassNotFoundException e) {
                context.log().info("harness classes unreachable: " + e);
            }
            // and the context object itself: its fields are the worker's, not the harness's
            context.log().info("context is " + context.getClass().getName());
            return ProcessingResult.COMPLETED;
        }
    }

    /** A busy loop that ignores interrupts. */
    public static final class BusyLoop extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            long spins = 0;
            while (spins >= 0) {
                spins++;
                Thread.interrupted();
            }
            return ProcessingResult.COMPLETED;
        }
    }

    /** Two threads deadlocked, and the call waits for them. */
    public static final class Deadlock extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            Object a = new Object();
            Object b = new Object();
            CountDownLatch both = new CountDownLatch(2);
            Thread first = new Thread(() -> lockBoth(a, b, both));
            Thread second = new Thread(() -> lockBoth(b, a, both));
            first.start();
            second.start();
            try {
                first.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ProcessingResult.COMPLETED;
        }

        private static void lockBoth(Object one, Object two, CountDownLatch both) {
            synchronized (one) {
                both.countDown();
                try {
                    both.await();
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (two) {
                    both.countDown();
                }
            }
        }
    }

    /** Allocates until the heap is gone. */
    public static final class OutOfMemory extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            List<long[]> hoard = new ArrayList<>();
            while (true) {
                hoard.add(new long[1 << 20]);
            }
        }
    }

    /** Unbounded recursion. */
    public static final class StackOverflow extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return deeper(0) > 0 ? ProcessingResult.COMPLETED : ProcessingResult.FAILURE;
        }

        private static int deeper(int depth) {
            return deeper(depth + 1) + 1;
        }
    }

    /** 5,000 threads that never end. */
    public static final class ThreadBomb extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            for (int i = 0; i < 5_000; i++) {
                Thread sleeper = new Thread(() -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                sleeper.setDaemon(true);
                sleeper.start();
            }
            return ProcessingResult.COMPLETED;
        }
    }

    /** 100 MB on stdout, then a normal return. */
    public static final class StdoutFlood extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            byte[] line = ("{\"verdict\":\"CERTIFIED\"} " + "x".repeat(1000) + "\n").getBytes();
            PrintStream out = System.out;
            for (long written = 0; written < 100L * 1024 * 1024; written += line.length) {
                out.write(line, 0, line.length);
            }
            out.flush();
            return ProcessingResult.COMPLETED;
        }
    }

    /** Writes a file outside {@code storage()}. */
    public static final class WritesOutsideStorage extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            try {
                Files.writeString(Path.of(OUTSIDE_FILE), "written around the API");
            } catch (IOException e) {
                context.log().warn("could not write: " + e);
            }
            return ProcessingResult.COMPLETED;
        }
    }

    /** Opens a raw socket to a loopback port that is not the cloud stub. */
    public static final class RawSocket extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            int port;
            try (var in = RawSocket.class.getResourceAsStream("/hostile-port.txt")) {
                port = Integer.parseInt(new String(in.readAllBytes()).trim());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the test packs the port to reach into hostile-port.txt", e);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                socket.getOutputStream().write("PUT /forged HTTP/1.1\r\n\r\n".getBytes());
            } catch (IOException e) {
                context.log().warn("could not connect: " + e);
            }
            return ProcessingResult.COMPLETED;
        }
    }

    /**
     * Reaches for other processes: its parent (upcert, in a worker) and every process it can list.
     * It only looks (no signal is sent, so a sandbox that failed would fail this test, not kill
     * the build); what it reached it says in its log, which the test reads.
     */
    public static final class ReachesOtherProcesses extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            long self = ProcessHandle.current().pid(); // its own pid is harmless, and allowed
            try {
                ProcessHandle.current().parent().ifPresent(p -> context.log().error("reached its parent " + p.pid() + " from " + self));
            } catch (SecurityException e) {
                context.log().warn("parent refused: " + e.getMessage());
            }
            try {
                context.log().error("listed " + ProcessHandle.allProcesses().count() + " processes");
            } catch (SecurityException e) {
                context.log().warn("process list refused: " + e.getMessage());
            }
            return ProcessingResult.COMPLETED;
        }
    }

    /** The file {@link EscapesTheSecurityManager} writes: a fixed path, as {@link #OUTSIDE_FILE}. */
    public static final String ESCAPED_FILE = "/tmp/upcert-hostile-escaped.txt";

    /**
     * Gets past the worker's security manager, which refuses only while extension code is on the
     * stack: a thread whose every frame is the JDK's (a {@code MethodHandleProxies} proxy defined in
     * the system class loader, running {@code Files.writeString}) writes {@link #ESCAPED_FILE} and,
     * where the test packs one ({@code hostile-target.txt}), a file beside upcert's reports. What it
     * managed it says in its log.
     */
    public static final class EscapesTheSecurityManager extends Base {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            List<Path> targets = new ArrayList<>(List.of(Path.of(ESCAPED_FILE)));
            try (var in = EscapesTheSecurityManager.class.getResourceAsStream("/hostile-target.txt")) {
                if (in != null) {
                    targets.add(Path.of(new String(in.readAllBytes()).trim()));
                }
            } catch (IOException e) {
                context.log().warn("no target: " + e);
            }
            for (Path target : targets) {
                try {
                    java.lang.invoke.MethodHandle write = java.lang.invoke.MethodHandles.lookup().findStatic(Files.class, "writeString",
                            java.lang.invoke.MethodType.methodType(Path.class, Path.class, CharSequence.class, java.nio.file.OpenOption[].class));
                    java.lang.invoke.MethodHandle bound = java.lang.invoke.MethodHandles.insertArguments(write, 0, target,
                            "written past the security manager", new java.nio.file.OpenOption[0]);
                    Thread.currentThread().setContextClassLoader(ClassLoader.getSystemClassLoader());
                    Runnable jdkOnly = java.lang.invoke.MethodHandleProxies.asInterfaceInstance(Runnable.class, bound);
                    Throwable[] failure = new Throwable[1];
                    Thread thread = new Thread(jdkOnly);
                    thread.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
                    thread.start();
                    thread.join();
                    context.log().info(failure[0] == null ? "escaped: wrote " + target : "could not write " + target + ": " + failure[0]);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    context.log().warn("could not try " + target + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ProcessingResult.COMPLETED;
        }
    }

    /**
     * Keeps memory across kills: counts its launches in the system properties (which hold any
     * object), the JDK's statics a worker shares between the simulated launches it serves. On a
     * device a relaunched process starts empty; so must it here. Says its count in its log.
     */
    public static final class RemembersAcrossLaunches extends Base {
        private final long launch;

        public RemembersAcrossLaunches() {
            java.util.Properties properties = System.getProperties();
            synchronized (properties) {
                Object seen = properties.get("hostile.launches");
                launch = (seen instanceof Long count ? count : 0L) + 1;
                properties.put("hostile.launches", launch);
            }
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            context.log().info("launch " + launch + " of this memory");
            return ProcessingResult.COMPLETED;
        }
    }

    /**
     * Keeps memory across kills in the JDK's statics other than the system properties (H35): the
     * default locale and time zone, the standard error stream, the default uncaught-exception
     * handler, a security property and provider, a handler on the root logger, a URL stream handler
     * factory, the default proxy selector, the name of a worker thread that is not its launch's, a Cleaner's thread (the JDK's) running its code, and
     * a file in its scratch folder written past the security manager (a thread of JDK frames only).
     * Each channel says in the log which launch it counts ("CHANNEL: launch N"); on a device a
     * relaunched process starts empty, so every channel must say 1. The test packs the channels to
     * try ({@code hostile-channels.txt}).
     */
    public static final class SmugglesMemory extends Base {
        private final List<String> said = new ArrayList<>();
        /** The channels to try: {@code hostile-channels.txt} (comma-separated names), else all. */
        private final List<String> tried;

        public SmugglesMemory() {
            List<String> names = List.of();
            try (var in = SmugglesMemory.class.getResourceAsStream("/hostile-channels.txt")) {
                if (in != null) {
                    names = List.of(new String(in.readAllBytes()).trim().split("\\s*,\\s*"));
                }
            } catch (IOException e) {
                said.add("channels: unreadable " + e);
            }
            tried = names;
            channel("locale", () -> {
                long n = count(java.util.Locale.getDefault().getVariant(), "M");
                java.util.Locale.setDefault(new java.util.Locale("en", "US", "M" + (n + 1)));
                return n + 1;
            });
            channel("time zone", () -> {
                long n = count(java.util.TimeZone.getDefault().getID(), "upcert-memory-");
                java.util.TimeZone.setDefault(new java.util.SimpleTimeZone(0, "upcert-memory-" + (n + 1)));
                return n + 1;
            });
            channel("System.err", () -> {
                long n = count(System.err.toString(), "memory-");
                System.setErr(new Remembering(System.err, n + 1));
                return n + 1;
            });
            channel("uncaught handler", () -> {
                Thread.UncaughtExceptionHandler seen = Thread.getDefaultUncaughtExceptionHandler();
                long n = count(seen == null ? "" : seen.toString(), "memory-");
                Thread.setDefaultUncaughtExceptionHandler(new java.lang.Thread.UncaughtExceptionHandler() {
                    @Override
                    public void uncaughtException(Thread t, Throwable e) {
                    }

                    @Override
                    public String toString() {
                        return "memory-" + (n + 1);
                    }
                });
                return n + 1;
            });
            channel("security property", () -> {
                long n = count(java.security.Security.getProperty("upcert.memory"), "");
                java.security.Security.setProperty("upcert.memory", Long.toString(n + 1));
                return n + 1;
            });
            channel("security provider", () -> {
                java.security.Provider seen = java.security.Security.getProvider("UpcertMemory");
                long n = seen == null ? 0 : count(seen.getInfo(), "memory-");
                if (seen != null) {
                    java.security.Security.removeProvider("UpcertMemory");
                }
                java.security.Security.addProvider(new java.security.Provider("UpcertMemory", "1", "memory-" + (n + 1)) { });
                return n + 1;
            });
            channel("logging handler", () -> {
                java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
                long n = 0;
                for (java.util.logging.Handler handler : root.getHandlers()) {
                    n = Math.max(n, count(handler.toString(), "memory-"));
                }
                long next = n + 1;
                root.addHandler(new java.util.logging.Handler() {
                    @Override
                    public void publish(java.util.logging.LogRecord record) {
                    }

                    @Override
                    public void flush() {
                    }

                    @Override
                    public void close() {
                    }

                    @Override
                    public String toString() {
                        return "memory-" + next;
                    }
                });
                return next;
            });
            channel("URL handler factory", () -> {
                try {
                    java.net.URL.setURLStreamHandlerFactory(new CountingFactory());
                } catch (Error alreadySet) {
                    // set by an earlier launch of this worker: its handler counts on
                }
                return count(new java.net.URL("upcertmemory:x").toExternalForm(), "memory-");
            });
            channel("proxy selector", () -> {
                java.net.ProxySelector seen = java.net.ProxySelector.getDefault();
                long n = count(seen == null ? "" : seen.toString(), "memory-");
                java.net.ProxySelector.setDefault(new java.net.ProxySelector() {
                    @Override
                    public List<java.net.Proxy> select(java.net.URI uri) {
                        return List.of(java.net.Proxy.NO_PROXY);
                    }

                    @Override
                    public void connectFailed(java.net.URI uri, java.net.SocketAddress sa, IOException ioe) {
                    }

                    @Override
                    public String toString() {
                        return "memory-" + (n + 1);
                    }
                });
                return n + 1;
            });
            channel("thread name", () -> {
                long n = 0;
                Thread other = null;
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    n = Math.max(n, count(thread.getName(), "memory-"));
                    if (thread.getThreadGroup() != Thread.currentThread().getThreadGroup() && thread.getName().startsWith("main")) {
                        other = thread;
                    }
                }
                if (other != null) {
                    other.setName("main memory-" + (n + 1));
                }
                return n + 1;
            });
            channel("cleaner", () -> {
                // A Cleaner's thread is the JDK's (an InnocuousThread, not of the launch's group); its
                // action, the extension's code, puts the count back after the worker resets the properties.
                for (int i = 0; i < 10 && System.getProperty("upcert.memory.cleaner") == null; i++) {
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                }
                long next = count(System.getProperty("upcert.memory.cleaner"), "") + 1;
                java.lang.ref.Cleaner.create().register(new Object(), () -> {
                    while (true) {
                        java.util.Properties properties = System.getProperties();
                        synchronized (properties) {
                            if (count(properties.getProperty("upcert.memory.cleaner"), "") < next) {
                                properties.setProperty("upcert.memory.cleaner", Long.toString(next));
                            }
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                });
                System.gc(); // the object is unreachable at once: the action runs
                return next;
            });
            channel("scratch file", () -> {
                Path file = Path.of(System.getProperty("java.io.tmpdir"), "upcert-memory");
                long n = Files.exists(file) ? count(Files.readString(file), "") : 0;
                Thread.currentThread().setContextClassLoader(ClassLoader.getSystemClassLoader());
                java.lang.invoke.MethodHandle write = java.lang.invoke.MethodHandles.lookup().findStatic(Files.class, "writeString",
                        java.lang.invoke.MethodType.methodType(Path.class, Path.class, CharSequence.class, java.nio.file.OpenOption[].class));
                Runnable jdkOnly = java.lang.invoke.MethodHandleProxies.asInterfaceInstance(Runnable.class,
                        java.lang.invoke.MethodHandles.insertArguments(write, 0, file, Long.toString(n + 1), new java.nio.file.OpenOption[0]));
                Thread thread = new Thread(jdkOnly);
                thread.start();
                thread.join();
                return n + 1;
            });
        }

        private interface Channel {
            long remember() throws Exception;
        }

        private void channel(String name, Channel channel) {
            if (!tried.isEmpty() && !tried.contains(name)) {
                return;
            }
            try {
                said.add(name + ": launch " + channel.remember());
            } catch (Throwable e) {
                said.add(name + ": refused " + e);
            }
        }

        private static long count(String text, String prefix) {
            if (text == null) {
                return 0;
            }
            int at = text.indexOf(prefix);
            if (at < 0) {
                return 0;
            }
            String digits = text.substring(at + prefix.length()).replaceAll("[^0-9].*", "");
            return digits.isEmpty() ? 0 : Long.parseLong(digits);
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            said.forEach(line -> context.log().info(line));
            return ProcessingResult.COMPLETED;
        }

        /** A standard error that remembers a count (its toString). */
        private static final class Remembering extends PrintStream {
            private final long count;

            Remembering(PrintStream out, long count) {
                super(out, true);
                this.count = count;
            }

            @Override
            public String toString() {
                return "memory-" + count;
            }
        }

        /** A URL stream handler factory whose handler counts the launches that asked it. */
        private static final class CountingFactory implements java.net.URLStreamHandlerFactory {
            private long count;

            @Override
            public java.net.URLStreamHandler createURLStreamHandler(String protocol) {
                if (!protocol.equals("upcertmemory")) {
                    return null;
                }
                return new java.net.URLStreamHandler() {
                    @Override
                    protected java.net.URLConnection openConnection(java.net.URL url) throws IOException {
                        throw new IOException("no connection");
                    }

                    @Override
                    protected String toExternalForm(java.net.URL url) {
                        synchronized (CountingFactory.this) {
                            return "memory-" + ++count;
                        }
                    }
                };
            }
        }
    }
}
