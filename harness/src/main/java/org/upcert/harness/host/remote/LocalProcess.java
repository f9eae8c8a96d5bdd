package org.upcert.harness.host.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LaunchedProcess} that is an OS process on this machine, in a PID namespace of its own
 * where the kernel allows it ({@link Launchers#pidNamespace()}: it can neither see nor signal
 * upcert). {@link #kill()} sends SIGKILL to the process, its descendants and, when it was started
 * as a session leader ({@code setsid}), its whole process group, so nothing the extension started
 * keeps running; in a namespace, whatever escaped the group dies with the namespace.
 */
final class LocalProcess implements LaunchedProcess {
    private final Process process;
    private final boolean groupLeader;
    private final java.util.concurrent.atomic.AtomicBoolean cpuNoted = new java.util.concurrent.atomic.AtomicBoolean();

    LocalProcess(Process process, boolean groupLeader) {
        this.process = process;
        this.groupLeader = groupLeader;
    }

    static LocalProcess start(ProcessBuilder builder, boolean useSetsid) throws IOException {
        return start(builder, useSetsid, null, null);
    }

    /**
     * Starts the process under the extension limits ({@link Launchers#limits}: its data segment, the
     * size of a file, the processes of its launch), in namespaces of its own where the kernel allows them.
     *
     * @param scratch the process's own folder, which gets a file system of its own of bounded size
     *     where it gets a mount namespace; or null
     * @param writable the other folders the process may write, where the kernel allows a read-only
     *     view of the rest ({@link Launchers#readOnlyFileSystem()}); null (and no scratch) to leave its
     *     file systems as they are
     */
    static LocalProcess start(ProcessBuilder builder, boolean useSetsid, Path scratch, List<Path> writable) throws IOException {
        return start(builder, useSetsid, scratch, writable, null);
    }

    /** As {@link #start(ProcessBuilder, boolean, Path, List)}, with a protocol-log folder of the launch's own (or null). */
    static LocalProcess start(ProcessBuilder builder, boolean useSetsid, Path scratch, List<Path> writable, Launchers.LogFolder log)
            throws IOException {
        boolean readOnly = (writable != null || scratch != null) && Launchers.readOnlyFileSystem();
        boolean namespaces = readOnly || Launchers.pidNamespace();
        builder.command().addAll(0, Launchers.limits(namespaces));
        if (readOnly) {
            builder.command().addAll(0, Launchers.inReadOnlyNamespaces(scratch, writable == null ? List.of() : writable, log));
        } else if (namespaces) {
            builder.command().addAll(0, Launchers.inPidNamespace());
        }
        if (useSetsid) {
            builder.command().add(0, Launchers.SETSID);
        }
        return new LocalProcess(builder.start(), useSetsid);
    }

    /** The OS process id. */
    long pid() {
        return process.pid();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void kill() {
        long pid = process.pid();
        if (cpuNoted.compareAndSet(false, true)) {
            ExtensionProcessCpu.beforeKill(process.toHandle());
        }
        killOrder(process.toHandle()).forEach(ProcessHandle::destroyForcibly);
        if (groupLeader) {
            try {
                Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + pid).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                kill.waitFor(2, TimeUnit.SECONDS);
            } catch (IOException e) {
                // no kill(1): the process and its descendants were killed above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The process first, then its descendants as they were just before (killed, it no longer has
     * them). The other way round, {@code unshare} (the process, in a namespace) could see its child,
     * the namespace's init, die of SIGKILL before its own SIGKILL arrived, and util-linux 2.38 then
     * exits with status 1 ("sigprocmask unblock failed": it cannot re-raise SIGKILL on itself): a kill
     * read as "exited with status 1" now and then under load (CommandLauncherTest).
     */
    static List<ProcessHandle> killOrder(ProcessHandle root) {
        List<ProcessHandle> order = new java.util.ArrayList<>();
        order.add(root);
        root.descendants().forEach(order::add);
        return order;
    }

    @Override
    public boolean awaitExit(Duration bound) {
        try {
            return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String describeExit() {
        if (process.isAlive()) {
            return "running";
        }
        int status = process.exitValue();
        // A shell reports death by signal N as 128 + N; Java reports the same.
        return status > 128 && status < 160 ? "killed by signal " + (status - 128) : "exited with status " + status;
    }
}
