package org.upcert.harness.host.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.function.Consumer;
import org.upcert.harness.host.remote.LaunchedProcess;

/**
 * One sandbox container as the harness sees it: its output streams, its end and how it ended.
 * A watcher thread waits for the container to end, reads its state (exit code, killed by the
 * kernel for memory) and removes it; only then is the process no longer {@link #isAlive() alive}.
 */
final class ContainerProcess implements LaunchedProcess {
    /** After the container is gone, how long its last output may take to arrive before the streams end. */
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(10);

    private final DockerClient client;
    private final String id;
    private final String name;
    private final Consumer<ContainerProcess> onEnd;
    private final Consumer<ContainerProcess> onOutputEnd;
    private final OutputPipe stdout = new OutputPipe();
    private final OutputPipe stderr = new OutputPipe();
    private volatile ResultCallback.Adapter<Frame> attachment;
    private volatile boolean attached;
    private volatile boolean outputEnded;
    private volatile boolean watching;
    private volatile String exit;

    /**
     * @param onEnd called once the container has ended and is removed
     * @param onOutputEnd called once no more output can arrive (the streams keep what is unread)
     */
    ContainerProcess(DockerClient client, String id, String name, Consumer<ContainerProcess> onEnd,
            Consumer<ContainerProcess> onOutputEnd) {
        this.client = client;
        this.id = id;
        this.name = name;
        this.onEnd = onEnd;
        this.onOutputEnd = onOutputEnd;
    }

    /** Attaches to the created container's stdout and stderr, before it starts, so nothing is missed. */
    void attach(Duration bound) throws ContainerSandboxException {
        attachment = client.attachContainerCmd(id)
                .withStdOut(true)
                .withStdErr(true)
                .withFollowStream(true)
                .withLogs(false)
                .exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onStart(Closeable stream) {
                        super.onStart(stream);
                        attached = true;
                    }

                    @Override
                    public void onNext(Frame frame) {
                        byte[] payload = frame.getPayload();
                        if (payload == null || payload.length == 0) {
                            return;
                        }
                        OutputPipe pipe = switch (frame.getStreamType()) {
                            case STDERR -> stderr;
                            default -> stdout;
                        };
                        try {
                            pipe.write(payload, 0, payload.length);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }

                    @Override
                    public void onError(Throwable throwable) {
                        endOutput();
                        try {
                            close();
                        } catch (IOException ignored) {
                            // the stream is gone either way
                        }
                    }

                    @Override
                    public void onComplete() {
                        endOutput();
                        super.onComplete();
                    }
                });
        if (!Bounded.within(bound, () -> attached || outputEnded)) {
            throw new ContainerSandboxException("could not attach to the output of container " + name + " within " + bound);
        }
    }

    /** Starts the thread that waits for the container's end, records it and removes the container. */
    void watch() {
        watching = true;
        Thread watcher = new Thread(this::awaitEndAndRemove, "container-" + name);
        watcher.setDaemon(true);
        watcher.start();
    }

    private void awaitEndAndRemove() {
        String how;
        try {
            // No bound: this thread lives as long as the container; a kill or close() ends both.
            client.waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode();
            InspectContainerResponse.ContainerState state = client.inspectContainerCmd(id).exec().getState();
            Long code = state.getExitCodeLong();
            how = describe(code == null ? -1 : code, Boolean.TRUE.equals(state.getOOMKilled()));
        } catch (RuntimeException e) {
            how = "container lost (" + e.getMessage() + ")";
        }
        remove();
        exit = how;
        onEnd.accept(this);
        if (!Bounded.within(OUTPUT_GRACE, () -> outputEnded)) {
            closeAttachment();
        }
    }

    /** {@code exited with status N}, {@code killed by signal N} (exit code 128 + N), {@code out of memory (container limit)}. */
    static String describe(long exitCode, boolean oomKilled) {
        if (oomKilled) {
            return "out of memory (container limit)";
        }
        if (exitCode > 128 && exitCode <= 128 + 64) {
            return "killed by signal " + (exitCode - 128);
        }
        return "exited with status " + exitCode;
    }

    /** True once the engine reports the container running, or it has already ended. */
    boolean startedOrEnded() {
        if (exit != null) {
            return true;
        }
        try {
            InspectContainerResponse.ContainerState state = client.inspectContainerCmd(id).exec().getState();
            return Boolean.TRUE.equals(state.getRunning()) || (state.getFinishedAt() != null
                    && !state.getFinishedAt().startsWith("0001-"));
        } catch (RuntimeException removedAlready) {
            return true;
        }
    }

    /** A launch that failed half-way: the container goes, and the process counts as ended. */
    void discard(String why) {
        remove();
        closeAttachment();
        if (exit == null) {
            exit = "did not start (" + why + ")";
        }
        if (!watching) {
            onEnd.accept(this);
        }
    }

    private void remove() {
        try {
            client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (RuntimeException gone) {
            // already removed (close(), or the engine's own clean-up)
        }
    }

    private void endOutput() {
        stdout.closeWriter();
        stderr.closeWriter();
        if (!outputEnded) {
            outputEnded = true;
            onOutputEnd.accept(this);
        }
    }

    private void closeAttachment() {
        endOutput();
        ResultCallback.Adapter<Frame> callback = attachment;
        if (callback != null) {
            try {
                callback.close();
            } catch (IOException ignored) {
                // closing a stream that already ended
            }
        }
    }

    /** The launcher is closing: nobody reads these streams any more. */
    void closeOutput() {
        closeAttachment();
        stdout.close();
        stderr.close();
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public boolean isAlive() {
        return exit == null;
    }

    @Override
    public void kill() {
        if (exit != null) {
            return;
        }
        try {
            client.killContainerCmd(id).withSignal("KILL").exec();
        } catch (RuntimeException notRunning) {
            // it ended (or is ending) on its own; the watcher records how
        }
    }

    @Override
    public boolean awaitExit(Duration bound) {
        return Bounded.within(bound, () -> exit != null);
    }

    @Override
    public String describeExit() {
        String how = exit;
        return how == null ? "running" : how;
    }

    /** The container's name ({@code upcert-<launcher>-<n>}). */
    String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + " (" + describeExit() + ")";
    }
}
