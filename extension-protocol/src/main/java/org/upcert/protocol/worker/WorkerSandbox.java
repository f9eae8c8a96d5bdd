package org.upcert.protocol.worker;

import java.io.FilePermission;
import java.net.SocketPermission;
import java.security.Permission;
import java.util.function.BiConsumer;

/**
 * What the worker refuses an extension, and reports: exiting or halting the process, writing,
 * deleting or executing files (its only durable storage is {@code storage()}), connecting,
 * listening or accepting on sockets (its only network is {@code http()}), replacing this security
 * manager, reaching other processes (a {@code ProcessHandle} on anything but itself: its parent is
 * upcert), and starting threads beyond {@link #MAX_THREADS} per generation. Checks apply only
 * when extension code (a class of an {@link ExtensionClassLoader}) is on the stack, so the
 * worker's own protocol traffic is never affected. Everything else is allowed: reading files,
 * reflection on its own classes, and so on.
 *
 * <p>This is detection with a best-effort refusal. Java's security manager is deprecated and a
 * determined extension (Unsafe, JNI) can get past it; the container sandbox prevents these
 * things outright (docs/isolation.md). Without a security manager (a JDK that no longer allows
 * one) the harness still sees the consequences: an exit is a crash, a hang is killed.
 */
@SuppressWarnings("removal")
final class WorkerSandbox extends SecurityManager {
    /**
     * Threads one generation may have alive; a device caps a process's threads too. Below the
     * container's pids limit (256, the JVM's own threads included), so the refusal is the same
     * in a worker and in the container.
     */
    static final int MAX_THREADS = 200;

    private final StackWalker walker = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private final BiConsumer<String, String> report;
    private final ThreadLocal<Boolean> reporting = ThreadLocal.withInitial(() -> false);
    /**
     * What extension code changed of the JDK's state shared by the whole worker and not restored at
     * the next launch (a JDK factory, the security or logging configuration, the network defaults, a
     * thread that is not its own): the memory of a relaunched process must be empty, so a worker
     * whose launch touched any of these is replaced ({@link #drainTouched()}).
     */
    private final java.util.concurrent.ConcurrentSkipListSet<String> touched = new java.util.concurrent.ConcurrentSkipListSet<>();

    /** @param report called with (kind, what the extension did) for every refusal */
    WorkerSandbox(BiConsumer<String, String> report) {
        this.report = report;
    }

    @Override
    public void checkPermission(Permission permission) {
        check(permission);
    }

    @Override
    public void checkPermission(Permission permission, Object context) {
        check(permission);
    }

    /**
     * A thread of another group than the launch's (a worker's thread, a JDK pool's): its name and
     * state outlive the launch, so changing it is a way to keep memory across a kill.
     */
    @Override
    public void checkAccess(Thread thread) {
        if (!(thread.getThreadGroup() instanceof WorkerMain.GenerationGroup) && thread.getThreadGroup() != null
                && extensionOnStack()) {
            touched.add("a thread that is not its launch's (" + thread.getName() + ")");
        }
    }

    /** What extension code changed of the worker-wide JDK state since the last call, and forgets it. */
    java.util.List<String> drainTouched() {
        java.util.List<String> list = new java.util.ArrayList<>();
        for (String what = touched.pollFirst(); what != null; what = touched.pollFirst()) {
            list.add(what);
        }
        return list;
    }

    @Override
    public void checkAccess(ThreadGroup group) {
        if (group instanceof WorkerMain.GenerationGroup && group.activeCount() >= MAX_THREADS) {
            refuse("threads", "started more than " + MAX_THREADS + " threads");
        }
    }

    private void check(Permission permission) {
        if (permission instanceof FilePermission) {
            String actions = permission.getActions();
            if (actions.contains("write") || actions.contains("delete") || actions.contains("execute")) {
                refuse(actions.contains("execute") ? "process" : "file", actions + " " + permission.getName());
            }
        } else if (permission instanceof SocketPermission) {
            String actions = permission.getActions();
            if (actions.contains("connect") || actions.contains("listen") || actions.contains("accept")) {
                refuse("socket", actions.replace(",resolve", "") + " " + permission.getName());
            }
        } else if (permission instanceof RuntimePermission) {
            String name = permission.getName();
            if (name.equals("setFactory")) {
                touch("a JDK factory (setFactory: URL stream handlers, sockets, content handlers, redirects)");
            } else if (name.startsWith("exitVM")) {
                refuse("exit", "System.exit(" + name.substring(name.indexOf('.') + 1) + ")");
            } else if (name.equals("setSecurityManager")) {
                refuse("sandbox", "replaced the security manager");
            } else if (name.equals("manageProcess") && !askingForItself()) {
                // A handle on another process (its parent, of(pid), allProcesses) is how it would
                // signal upcert or its other workers; its own pid (ProcessHandle.current()) is harmless,
                // as getpid() is on a device.
                refuse("process", "reached another process through ProcessHandle");
            }
        } else if (permission instanceof java.security.SecurityPermission) {
            String name = permission.getName();
            if (name.startsWith("setProperty.") || name.startsWith("insertProvider") || name.startsWith("removeProvider")
                    || name.startsWith("setPolicy")) {
                touch("the security configuration (" + name + ")");
            } else if ((name.startsWith("putProviderProperty.") || name.startsWith("removeProviderProperty.")
                    || name.startsWith("clearProviderProperties.")) && extensionCalls("java.security.Provider")) {
                // a JDK provider filling itself in when first used is not the extension's doing
                touch("a security provider (" + name + ")");
            }
        } else if (permission instanceof java.util.logging.LoggingPermission && extensionCalls("java.util.logging.")) {
            // the worker sets the logging up before any launch; what changes it later is the extension
            touch("the logging configuration (java.util.logging " + permission.getName() + ")");
        } else if (permission instanceof java.net.NetPermission && permission.getName().startsWith("set")) {
            touch("a network default (" + permission.getName() + ")");
        } else if (permission.getClass().getName().equals("javax.net.ssl.SSLPermission") && permission.getName().startsWith("set")) {
            touch("a TLS default (" + permission.getName() + ")");
        }
    }

    private void touch(String what) {
        if (!reporting.get() && extensionOnStack()) {
            touched.add(what);
        }
    }

    /** Whether the code that called into the classes named {@code prefix…} is the extension's (not the JDK's). */
    private boolean extensionCalls(String prefix) {
        return !reporting.get() && walker.walk(frames -> frames
                .dropWhile(f -> !f.getClassName().startsWith(prefix))
                .dropWhile(f -> f.getClassName().startsWith(prefix))
                .findFirst()
                .map(f -> f.getDeclaringClass().getClassLoader() instanceof ExtensionClassLoader)
                .orElse(false));
    }

    private void refuse(String kind, String what) {
        if (reporting.get() || !extensionOnStack()) {
            return;
        }
        reporting.set(true);
        try {
            report.accept(kind, what);
        } finally {
            reporting.set(false);
        }
        throw new SecurityException("upcert sandbox: an extension may not " + describe(kind) + " (" + what + ")");
    }

    private static String describe(String kind) {
        return switch (kind) {
            case "exit" -> "exit its process";
            case "file" -> "write files: its durable storage is storage()";
            case "socket" -> "open sockets: its network is http()";
            case "process" -> "start processes";
            case "threads" -> "start threads without bound";
            default -> "replace the sandbox";
        };
    }

    private boolean askingForItself() {
        return walker.walk(frames -> frames.limit(12).anyMatch(
                f -> f.getClassName().equals("java.lang.ProcessHandleImpl") && f.getMethodName().equals("current")));
    }

    private boolean extensionOnStack() {
        return walker.walk(frames -> frames.anyMatch(f -> f.getDeclaringClass().getClassLoader() instanceof ExtensionClassLoader));
    }
}
