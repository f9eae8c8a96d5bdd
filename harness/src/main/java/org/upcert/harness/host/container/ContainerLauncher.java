package org.upcert.harness.host.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.upcert.harness.host.remote.LaunchedProcess;
import org.upcert.harness.host.remote.ProcessLauncher;
import org.upcert.harness.host.remote.WorkerLauncher;
import org.upcert.protocol.worker.WorkerMain;

/**
 * The container sandbox: each {@link #launch launch} starts a container from the {@link
 * WorkerImage} running {@code java <flags> -cp '/opt/upcert/lib/*' <main class>}, and the
 * container
 *
 * <ul>
 *   <li>has a read-only root file system, no {@code /dev/shm} and no network ({@code --network
 *       none}: only a loopback of its own; every HTTP call goes through the protocol);
 *   <li>has {@link #MEMORY_LIMIT_BYTES a memory limit} (no swap) and {@link #PIDS_LIMIT a limit on
 *       processes and threads};
 *   <li>holds no capabilities ({@code --cap-drop ALL}), cannot gain privileges
 *       ({@code no-new-privileges}) and runs as a user that is not root: the harness's own user, or
 *       {@code nobody} (65534) when the harness runs as root;
 *   <li>sees the extension jar read-only at {@value #EXTENSION_JAR} ({@code UPCERT_EXTENSION}), the
 *       folder of the protocol's Unix-domain socket at {@value #CHANNEL_FOLDER} ({@code
 *       UPCERT_CHANNEL} names the socket in it) and its own scratch folder, its working directory, at
 *       {@value #SCRATCH_FOLDER}; nothing else of the host.
 * </ul>
 *
 * A hard kill is {@code docker kill} (SIGKILL); a container is removed as soon as it has ended,
 * and {@link #close()} kills and removes any left. The extension's stdout and stderr come from the
 * engine's attach stream (the daemon keeps no log of them). The protocol's channel folder is
 * shared with the container: the harness keeps nothing else in it.
 *
 * <p>When the harness runs as root, {@link #launch} hands the socket and the scratch folder to
 * {@code nobody} and lets group {@code nogroup} through the channel folder, so the container can
 * connect without being root.
 */
public final class ContainerLauncher implements ProcessLauncher {
    /**
     * 512 MiB, swap included: room for the worker's fixed heap ({@link WorkerLauncher#HEAP_MB} MiB,
     * the same as in process mode), its metaspace, code and thread stacks, the same on every
     * machine. An extension that needs more (native memory, a leak off the heap) is killed by the
     * kernel, and the exit says {@code out of memory (container limit)} instead of the host swapping
     * or another process dying.
     */
    public static final long MEMORY_LIMIT_BYTES = 512L * 1024 * 1024;

    /**
     * 256 processes and threads: a worker JVM runs about 20 threads, which leaves an extension room
     * for its own pools, while a thread or fork bomb (the 5,000-thread hostile extension) fails inside
     * the container instead of exhausting the host's process table.
     */
    public static final long PIDS_LIMIT = 256;

    /** The JVM worker of the extension protocol (module {@code extension-protocol}). */
    public static final String WORKER_MAIN_CLASS = WorkerMain.class.getName();

    /**
     * Flags every container's JVM gets, whatever {@link Options#jvmFlags()} says: no {@code
     * /tmp/hsperfdata} (the root is read-only and has no {@code /tmp}), temporary files in the
     * process's own scratch folder.
     */
    public static final List<String> CONTAINER_JVM_FLAGS = List.of("-XX:-UsePerfData", "-Djava.io.tmpdir=" + "/upcert/scratch");

    /** Inside the container: the extension jar (read-only). */
    public static final String EXTENSION_JAR = "/upcert/extension.jar";

    /** Inside the container: the folder of the protocol's socket. */
    public static final String CHANNEL_FOLDER = "/upcert/channel";

    /** Inside the container: the process's own scratch folder, its working directory and {@code java.io.tmpdir}. */
    public static final String SCRATCH_FOLDER = "/upcert/scratch";

    /** The environment variable naming the protocol's socket. */
    public static final String CHANNEL_VARIABLE = "UPCERT_CHANNEL";

    /** The environment variable naming the extension jar. */
    public static final String EXTENSION_VARIABLE = "UPCERT_EXTENSION";

    /** The label every sandbox container carries: the launcher that started it. */
    static final String LAUNCHER_LABEL = "org.upcert.launcher";

    private final DockerEngine engine;
    private final String image;
    private final Options options;
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final Path workFolder;
    private final Path extensionCopy;
    private final AtomicInteger launches = new AtomicInteger();
    private final Set<ContainerProcess> live = ConcurrentHashMap.newKeySet();
    /** Containers whose output may still arrive (closed with the launcher). */
    private final Set<ContainerProcess> withOutput = ConcurrentHashMap.newKeySet();
    private final Thread cleanupOnExit;
    private volatile boolean closed;

    /**
     * How the containers are started. {@link #defaults()} gives the worker's main class, the
     * worker's JVM flags ({@link WorkerLauncher#jvmOptions()}: the same fixed heap and stack as in
     * process mode, so an extension runs out of memory at the same point in both), {@link
     * #MEMORY_LIMIT_BYTES} and {@link #PIDS_LIMIT}.
     *
     * @param mainClass the class {@code java} runs
     * @param jvmFlags the JVM's flags (heap, stack, collector…); {@link #CONTAINER_JVM_FLAGS} come after them
     * @param environment extra environment for every container (a launch's own comes on top)
     * @param memoryLimitBytes the container's memory limit, swap included
     * @param pidsLimit the container's limit on processes and threads
     * @param startBound how long a container may take to be attached and running
     * @param buildBound how long building the worker image may take (the first use only)
     */
    public record Options(String mainClass, List<String> jvmFlags, Map<String, String> environment,
            long memoryLimitBytes, long pidsLimit, Duration startBound, Duration buildBound) {
        public Options {
            Objects.requireNonNull(mainClass, "mainClass");
            jvmFlags = List.copyOf(jvmFlags);
            environment = Map.copyOf(environment);
            if (memoryLimitBytes < 16L * 1024 * 1024) {
                throw new IllegalArgumentException("a memory limit under 16 MiB cannot run a JVM: " + memoryLimitBytes);
            }
            if (pidsLimit < 16) {
                throw new IllegalArgumentException("a pids limit under 16 cannot run a JVM: " + pidsLimit);
            }
        }

        public static Options defaults() {
            return new Options(WORKER_MAIN_CLASS, WorkerLauncher.jvmOptions(), Map.of(), MEMORY_LIMIT_BYTES, PIDS_LIMIT,
                    Duration.ofSeconds(30), Duration.ofMinutes(5));
        }

        public Options withMainClass(String className) {
            return new Options(className, jvmFlags, environment, memoryLimitBytes, pidsLimit, startBound, buildBound);
        }

        public Options withJvmFlags(List<String> flags) {
            return new Options(mainClass, flags, environment, memoryLimitBytes, pidsLimit, startBound, buildBound);
        }

        public Options withEnvironment(Map<String, String> variables) {
            return new Options(mainClass, jvmFlags, variables, memoryLimitBytes, pidsLimit, startBound, buildBound);
        }

        public Options withMemoryLimit(long bytes) {
            return new Options(mainClass, jvmFlags, environment, bytes, pidsLimit, startBound, buildBound);
        }

        public Options withPidsLimit(long limit) {
            return new Options(mainClass, jvmFlags, environment, memoryLimitBytes, limit, startBound, buildBound);
        }

        public Options withStartBound(Duration bound) {
            return new Options(mainClass, jvmFlags, environment, memoryLimitBytes, pidsLimit, bound, buildBound);
        }

        public Options withBuildBound(Duration bound) {
            return new Options(mainClass, jvmFlags, environment, memoryLimitBytes, pidsLimit, startBound, bound);
        }
    }

    private ContainerLauncher(DockerEngine engine, String image, Options options, Path workFolder, Path extensionCopy) {
        this.engine = engine;
        this.image = image;
        this.options = options;
        this.workFolder = workFolder;
        this.extensionCopy = extensionCopy;
        this.cleanupOnExit = new Thread(this::removeContainersByLabel, "upcert-container-cleanup-" + id);
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }

    /**
     * A launcher for one run: connects to the engine, builds the worker image if the engine does
     * not have it yet (bounded by {@link Options#buildBound()}), and keeps a read-only copy of the
     * extension jar for the whole run. Fails with the reason, before any run, when there is no
     * engine or the image cannot be built.
     */
    public static ContainerLauncher create(WorkerImage image, Path extensionJar, Options options) throws ContainerSandboxException {
        if (!Files.isRegularFile(extensionJar)) {
            throw new ContainerSandboxException("extension jar not found: " + extensionJar);
        }
        DockerEngine engine = DockerEngine.connect();
        String tag = image.ensureBuilt(engine, options.buildBound());
        Path work = null;
        try {
            work = Files.createTempDirectory("upcert-sandbox-");
            Path copy = work.resolve("extension.jar");
            Files.copy(extensionJar, copy);
            Files.setPosixFilePermissions(copy, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
                    PosixFilePermission.OTHERS_READ));
            return new ContainerLauncher(engine, tag, options, work, copy);
        } catch (IOException e) {
            WorkerImage.deleteRecursively(work);
            throw new ContainerSandboxException("cannot prepare the extension jar for the container sandbox: " + e, e);
        }
    }

    @Override
    public String isolation() {
        return "container";
    }

    /** The image the containers run ({@code upcert-worker:<hash>}). */
    public String image() {
        return image;
    }

    public DockerEngine engine() {
        return engine;
    }

    public Options options() {
        return options;
    }

    @Override
    public LaunchedProcess launch(LaunchRequest request) throws IOException {
        if (closed) {
            throw new IllegalStateException("the container launcher is closed");
        }
        Path channel = request.channel().toAbsolutePath().normalize();
        if (!Files.exists(channel, LinkOption.NOFOLLOW_LINKS)) {
            throw new ContainerSandboxException("the protocol's socket " + channel + " does not exist: the harness must listen before it launches");
        }
        Path scratch = request.scratch().toAbsolutePath().normalize();
        Files.createDirectories(scratch);
        String user = containerUser(channel, scratch);

        Map<String, String> environment = new TreeMap<>(options.environment());
        environment.putAll(request.environment());
        environment.put(CHANNEL_VARIABLE, CHANNEL_FOLDER + "/" + channel.getFileName());
        environment.put(EXTENSION_VARIABLE, EXTENSION_JAR);
        List<String> command = new ArrayList<>();
        command.add(WorkerImage.JAVA);
        command.addAll(options.jvmFlags());
        command.addAll(CONTAINER_JVM_FLAGS);
        command.addAll(List.of("-cp", WorkerImage.CLASS_PATH, options.mainClass()));

        HostConfig host = HostConfig.newHostConfig()
                .withReadonlyRootfs(true)
                .withNetworkMode("none")
                .withIpcMode("none")
                .withMemory(options.memoryLimitBytes())
                .withMemorySwap(options.memoryLimitBytes())
                .withPidsLimit(options.pidsLimit())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withBinds(
                        new Bind(extensionCopy.toString(), new Volume(EXTENSION_JAR), AccessMode.ro),
                        new Bind(channel.getParent().toString(), new Volume(CHANNEL_FOLDER), AccessMode.rw),
                        new Bind(scratch.toString(), new Volume(SCRATCH_FOLDER), AccessMode.rw))
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE))
                .withAutoRemove(false);
        String name = "upcert-" + id + "-" + launches.incrementAndGet();
        DockerClient client = engine.client();
        CreateContainerResponse created;
        try {
            created = client.createContainerCmd(image)
                    .withName(name)
                    .withLabels(Map.of(LAUNCHER_LABEL, id, WorkerImage.LABEL, "sandbox"))
                    .withCmd(command)
                    .withEnv(environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())
                    .withUser(user)
                    .withWorkingDir(SCRATCH_FOLDER)
                    .withNetworkDisabled(true)
                    .withAttachStdin(false)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withTty(false)
                    .withHostConfig(host)
                    .exec();
        } catch (RuntimeException e) {
            throw new ContainerSandboxException("the engine refused the worker container: " + e.getMessage(), e);
        }
        ContainerProcess process = new ContainerProcess(client, created.getId(), name, live::remove, withOutput::remove);
        live.add(process);
        withOutput.add(process);
        try {
            process.attach(options.startBound());
            client.startContainerCmd(created.getId()).exec();
            process.watch();
            if (!Bounded.within(options.startBound(), process::startedOrEnded)) {
                throw new ContainerSandboxException("the worker container " + name + " was not running after " + options.startBound());
            }
        } catch (ContainerSandboxException e) {
            process.discard(e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            process.discard(e.getMessage());
            throw new ContainerSandboxException("the engine could not start the worker container " + name + ": " + e.getMessage(), e);
        }
        return process;
    }

    /**
     * The user the container runs as: the owner of the socket (the harness's user), unless that is
     * root; then {@code nobody}, who is given the socket and the scratch folder, while group
     * {@code nogroup} may pass through the channel folder (and nothing more).
     */
    private static String containerUser(Path channel, Path scratch) throws IOException {
        int uid = (Integer) Files.getAttribute(channel, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(channel, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (uid != 0) {
            return uid + ":" + gid;
        }
        int nobody = WorkerImage.NOBODY;
        Path folder = channel.getParent();
        Files.setAttribute(folder, "unix:gid", nobody);
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(folder);
        permissions.add(PosixFilePermission.GROUP_EXECUTE);
        Files.setPosixFilePermissions(folder, permissions);
        for (Path own : List.of(channel, scratch)) {
            Files.setAttribute(own, "unix:uid", nobody, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(own, "unix:gid", nobody, LinkOption.NOFOLLOW_LINKS);
        }
        return nobody + ":" + nobody;
    }

    /** Containers started by this launcher that have not ended yet. */
    public int running() {
        return live.size();
    }

    /**
     * Kills every container still running, waits (at most 10 s) for them to be removed, removes any
     * container of this launcher the engine still knows, and deletes the extension's copy.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ContainerProcess process : live) {
            process.kill();
        }
        Bounded.within(Duration.ofSeconds(10), live::isEmpty);
        removeContainersByLabel();
        for (ContainerProcess process : withOutput) {
            process.closeOutput();
        }
        WorkerImage.deleteRecursively(workFolder);
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private void removeContainersByLabel() {
        try {
            DockerClient client = engine.client();
            List<Container> left = client.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(LAUNCHER_LABEL, id)).exec();
            for (Container container : left) {
                try {
                    client.removeContainerCmd(container.getId()).withForce(true).withRemoveVolumes(true).exec();
                } catch (RuntimeException gone) {
                    // removed meanwhile
                }
            }
        } catch (RuntimeException engineGone) {
            // nothing more can be done from here
        }
    }

    /** The label value that marks this launcher's containers (for tests that look for leftovers). */
    String id() {
        return id;
    }

    @Override
    public String toString() {
        return "container sandbox (" + image + ", " + engine.describe() + ")";
    }
}
