package org.upcert.harness.host.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.host.remote.LaunchedProcess;
import org.upcert.harness.host.remote.ProcessLauncher.LaunchRequest;

/**
 * The container sandbox for real: a probe program ({@link ContainerProbe}) runs in the container
 * instead of the worker and reports over the protocol's Unix-domain socket what the sandbox let it
 * do. Without a Docker engine every test here is SKIPPED (never passed): start one with
 * {@code scripts/start-docker.sh}. The image (the probe's jar on the small runtime) is built once
 * and reused by later runs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContainerLauncherTest {
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    static Path shared;

    private static ContainerLauncher launcher;
    private static Path extensionJar;

    @TempDir
    Path temp;

    @BeforeAll
    static void startLauncher() throws IOException {
        if (!DockerEngine.isAvailable()) {
            return; // every test reports SKIPPED, with the reason
        }
        Path probeJar = probeJar(shared.resolve("probe.jar"));
        extensionJar = shared.resolve("extension.jar");
        Files.write(extensionJar, new byte[1234]);
        launcher = ContainerLauncher.create(WorkerImage.of(List.of(probeJar)), extensionJar,
                ContainerLauncher.Options.defaults().withMainClass(ContainerProbe.class.getName()));
    }

    @BeforeEach
    void needsDocker() {
        Assumptions.assumeTrue(launcher != null, () -> DockerEngine.unavailableReason().orElse("no container launcher"));
    }

    @AfterAll
    static void nothingLeftRunning() {
        if (launcher == null) {
            return;
        }
        String id = launcher.id();
        launcher.close();
        assertEquals(List.of(), containersOf(launcher, id), "containers left after close()");
    }

    @Test
    void theProbeReachesTheHarnessOverTheUnixSocketAsAnUnprivilegedUser() throws Exception {
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            LaunchedProcess process = launch(channel, Map.of("PROBE", "hello"));
            String hello = channel.accept(BOUND).nextLine(BOUND);

            assertTrue(hello.startsWith("hello "), hello);
            assertNotEquals("0", value(hello, "uid"), "the container runs as root: " + hello);
            assertEquals("0000000000000000", value(hello, "caps"), "capabilities left: " + hello);
            assertEquals("1", value(hello, "nnp"), "no-new-privileges not set: " + hello);
            assertEquals("1234", value(hello, "extension"), "the extension jar is not mounted: " + hello);
            assertEquals("/upcert/scratch", value(hello, "cwd"));
            assertEquals("/upcert/scratch", value(hello, "tmp"));
            assertTrue(process.awaitExit(BOUND), "the probe did not end");
            assertEquals("exited with status 0", process.describeExit());
            assertFalse(process.isAlive());
            assertEquals("probe stdout\n", drain(process.stdout()));
            assertEquals("probe stderr\n", drain(process.stderr()));
            assertEquals(0, launcher.running());
        }
    }

    @Test
    void anExitStatusIsReported() throws Exception {
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            LaunchedProcess process = launch(channel, Map.of("PROBE", "hello", "PROBE_EXIT", "3"));
            channel.accept(BOUND);
            assertTrue(process.awaitExit(BOUND));
            assertEquals("exited with status 3", process.describeExit());
        }
    }

    @Test
    void theRootFileSystemIsReadOnlyAndOnlyTheScratchFolderTakesWrites() throws Exception {
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            List<String> paths = List.of("/written-by-probe", "/opt/upcert/lib/x.jar", "/etc/passwd", "/tmp/x",
                    "/dev/shm/x", "/upcert/extension.jar", "/upcert/scratch/mine");
            LaunchedProcess process = launch(channel, Map.of("PROBE", "write", "PROBE_PATHS", String.join(",", paths)));
            channel.accept(BOUND);
            List<String> results = linesUntilDone(channel);

            assertEquals(paths.size(), results.size(), results.toString());
            for (String result : results) {
                if (result.startsWith("write /upcert/scratch/")) {
                    assertTrue(result.endsWith(" ok"), result);
                } else {
                    assertFalse(result.endsWith(" ok"), "the sandbox let the probe write: " + result);
                }
            }
            assertTrue(results.get(0).contains("Read-only file system"), results.get(0));
            assertTrue(process.awaitExit(BOUND));
            assertEquals(1234, Files.size(extensionJar), "the extension jar changed");
        }
    }

    @Test
    void thereIsNoNetworkNotEvenTheHostsLoopback() throws Exception {
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"));
                ServerSocket loopback = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket everywhere = new ServerSocket()) {
            everywhere.bind(new InetSocketAddress(0));
            loopback.setSoTimeout(1);
            everywhere.setSoTimeout(1);
            List<String> targets = new ArrayList<>();
            targets.add("127.0.0.1:" + loopback.getLocalPort());
            for (InetAddress address : hostAddresses()) {
                targets.add(address.getHostAddress() + ":" + everywhere.getLocalPort());
            }
            LaunchedProcess process = launch(channel, Map.of("PROBE", "network", "PROBE_TARGETS", String.join(",", targets)));
            channel.accept(BOUND);
            List<String> results = linesUntilDone(channel);

            assertEquals("interfaces lo", results.get(0), "the container sees a network interface besides its own loopback");
            assertEquals(targets.size() + 1, results.size(), results.toString());
            for (String result : results.subList(1, results.size())) {
                assertFalse(result.endsWith(" ok"), "the probe reached the host: " + result);
            }
            assertTrue(process.awaitExit(BOUND));
            assertNothingAccepted(loopback);
            assertNothingAccepted(everywhere);
        }
    }

    @Test
    void thePidsLimitStopsAThreadBomb() throws Exception {
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            LaunchedProcess process = launch(channel, Map.of("PROBE", "threads"));
            String result = channel.accept(BOUND).nextLine(BOUND);

            String[] words = result.split(" ", 3);
            int started = Integer.parseInt(words[1]);
            assertTrue(started < ContainerLauncher.PIDS_LIMIT, "started " + started + " threads: " + result);
            assertTrue(started > ContainerLauncher.PIDS_LIMIT / 2, "too few threads before the limit: " + result);
            assertTrue(words[2].contains("OutOfMemoryError"), result);
            assertTrue(process.awaitExit(BOUND));
        }
    }

    @Test
    void exceedingTheMemoryLimitGetsTheContainerKilledAndSaysSo() throws Exception {
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            LaunchedProcess process = launch(channel, Map.of("PROBE", "memory"));
            channel.accept(BOUND);
            assertTrue(process.awaitExit(Duration.ofSeconds(60)), "still running: " + process.describeExit());

            assertEquals("out of memory (container limit)", process.describeExit());
            List<String> lines = new ArrayList<>();
            for (String line; (line = channel.nextLine(BOUND)) != null; ) {
                lines.add(line);
            }
            assertFalse(lines.contains("survived"), lines.toString());
            assertTrue(lines.contains("allocated 384"), "killed before reaching its limit: " + lines);
        }
    }

    @Test
    void killEndsTheContainerAtOnceAndRemovesIt() throws Exception {
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            LaunchedProcess process = launch(channel, Map.of("PROBE", "sleep"));
            assertEquals("ready", channel.accept(BOUND).nextLine(BOUND));
            assertTrue(process.isAlive());
            assertEquals("running", process.describeExit());

            Instant start = Instant.now();
            process.kill();
            assertTrue(process.awaitExit(Duration.ofSeconds(10)), "kill() did not end the container within 10 s");
            Duration took = Duration.between(start, Instant.now());

            assertEquals("killed by signal 9", process.describeExit());
            assertFalse(process.isAlive());
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "kill took " + took);
            assertNull(channel.nextLine(BOUND), "the socket stays open after the kill");
            String name = ((ContainerProcess) process).name();
            assertFalse(exists(name), "container " + name + " was not removed");
            process.kill(); // idempotent
        }
    }

    @Test
    void closingTheLauncherKillsAndRemovesItsContainers() throws Exception {
        ContainerLauncher second = ContainerLauncher.create(WorkerImage.of(List.of(probeJar(temp.resolve("probe.jar")))),
                extensionJar, launcher.options());
        String id = second.id();
        try (HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            LaunchedProcess process = second.launch(new LaunchRequest(channel.socket(), temp.resolve("scratch"), Map.of("PROBE", "sleep")));
            assertEquals("ready", channel.accept(BOUND).nextLine(BOUND));
            assertEquals(1, second.running());

            second.close();

            assertFalse(process.isAlive());
            assertEquals("killed by signal 9", process.describeExit());
            assertEquals(List.of(), containersOf(second, id));
        } finally {
            second.close();
        }
    }

    @Test
    void theRealWorkerStartsOnTheImagesRuntimeAndSaysHello() throws Exception {
        try (ContainerLauncher workers = ContainerLauncher.create(WorkerImage.worker(), extensionJar, ContainerLauncher.Options.defaults());
                HarnessChannel channel = new HarnessChannel(temp.resolve("channel"))) {
            LaunchedProcess worker = workers.launch(new LaunchRequest(channel.socket(), temp.resolve("scratch"), Map.of()));
            String hello = channel.accept(BOUND).nextLine(BOUND);

            assertTrue(hello.contains("\"upcert-java-worker\""), hello);
            assertTrue(worker.isAlive(), worker.describeExit());
            worker.kill();
            assertTrue(worker.awaitExit(BOUND));
            assertEquals("killed by signal 9", worker.describeExit());
        }
    }

    // --- helpers ---

    private LaunchedProcess launch(HarnessChannel channel, Map<String, String> environment) throws IOException {
        return launcher.launch(new LaunchRequest(channel.socket(), temp.resolve("scratch"), environment));
    }

    private static List<String> linesUntilDone(HarnessChannel channel) {
        List<String> lines = new ArrayList<>();
        for (String line; !"done".equals(line = channel.nextLine(BOUND)); ) {
            if (line == null) {
                throw new AssertionError("the probe ended before it was done: " + lines);
            }
            lines.add(line);
        }
        return lines;
    }

    private static String value(String line, String key) {
        for (String word : line.split(" ")) {
            if (word.startsWith(key + "=")) {
                return word.substring(key.length() + 1);
            }
        }
        return null;
    }

    private static String drain(InputStream stream) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(BOUND.toSeconds(), TimeUnit.SECONDS);
    }

    private static void assertNothingAccepted(ServerSocket server) throws IOException {
        try {
            server.accept().close();
            throw new AssertionError("a connection from the container reached " + server.getLocalSocketAddress());
        } catch (java.net.SocketTimeoutException expected) {
            // nothing came
        }
    }

    /** This machine's own non-loopback IPv4 addresses (the container must not reach them either). */
    private static List<InetAddress> hostAddresses() throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                nic.inetAddresses().filter(a -> a instanceof Inet4Address).forEach(addresses::add);
            }
        }
        return addresses;
    }

    private static boolean exists(String name) {
        try {
            launcher.engine().client().inspectContainerCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static List<String> containersOf(ContainerLauncher which, String id) {
        return which.engine().client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(ContainerLauncher.LAUNCHER_LABEL, id)).exec()
                .stream().map(c -> c.getNames()[0]).toList();
    }

    /** The probe's classes in a jar, with fixed times: the same bytes every run, so the image is reused. */
    static Path probeJar(Path jar) throws IOException {
        Path classes = Path.of(ContainerProbe.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path folder = classes.resolve(ContainerProbe.class.getPackageName().replace('.', '/'));
        List<Path> files;
        try (Stream<Path> all = Files.list(folder)) {
            files = all.filter(p -> p.getFileName().toString().matches("ContainerProbe(\\$.*)?\\.class")).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
            for (Path file : files) {
                JarEntry entry = new JarEntry(classes.relativize(file).toString());
                entry.setLastModifiedTime(FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
                jarOut.putNextEntry(entry);
                Files.copy(file, jarOut);
                jarOut.closeEntry();
            }
        }
        return jar;
    }
}
