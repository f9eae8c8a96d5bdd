package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * The hostile corpus (issue 10): extensions that try to decide their own certificate, run as an
 * author's jar is run, in a JVM worker of their own. For each: a verdict that names what it did,
 * the harness alive and in charge (exit code 1, never 0 or 3), the reports written, upcert's
 * stdout its own, nothing left running. Each certification is one short run ({@code baseline},
 * seed 1); a run whose process keeps crashing or hanging ends after a few such activations.
 */
// Alone: its worker cases count every worker process of this JVM (another class's certify has its own), and
// its bombs must not share the machine. Its cases run one after the other (JUnit runs an @Isolated class's
// children on one thread); within the container case, the cases that mostly wait run at once (atOnce).
@Isolated
public class HostileCorpusTest {
    /** The rules a hostile extension of this corpus is shown to FAIL. */
    public static final java.util.Set<String> RULES_CAUGHT = java.util.Set.of("ISO-01", "RES-04", "E2E-01");
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Outcome(int code, String out, String err, JsonNode certification) {
        String verdict(String rule) {
            for (JsonNode r : certification.path("rules")) {
                if (r.path("id").asText().equals(rule)) {
                    return r.path("verdict").asText();
                }
            }
            return "absent";
        }
    }

    /** Packs one hostile extension (and its nested classes) into a jar with its service entry. */
    static Path jar(Class<?> type, Path dir, String... extraResource) throws IOException {
        return org.upcert.conformance.testing.ExtensionJars.pack(type, "HostileExtensions", dir,
                extraResource.length == 2 ? java.util.Map.of(extraResource[0], extraResource[1]) : java.util.Map.of());
    }

    private static Outcome certify(Path jar, Path out, String... more) throws IOException {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("certify", "--extension", jar.toString(),
                "--profiles", "baseline", "--seed", "1", "--out", out.toString(), "--json", "--quiet"));
        args.addAll(java.util.List.of(more));
        int code = cli.execute(args.toArray(new String[0]));
        Path report = out.resolve("certification.json");
        assertTrue(Files.isRegularFile(report), "certification.json is written: " + stderr);
        assertTrue(Files.isRegularFile(out.resolve("CERTIFICATION.md")), "CERTIFICATION.md is written");
        // upcert's stdout is upcert's alone: one JSON object, whatever the extension printed
        JsonNode printed = JSON.readTree(stdout.toString());
        assertEquals("NOT_CERTIFIED", printed.path("verdict").asText(), stdout.toString());
        return new Outcome(code, stdout.toString(), stderr.toString(), JSON.readTree(report.toFile()));
    }

    /** Where a case runs: in a JVM worker (the default for a jar), or in the container sandbox. */
    private record Mode(String isolation, String... options) {
        static final Mode WORKER = new Mode("worker");
        static final Mode CONTAINER = new Mode("container", "--sandbox", "container");
    }

    private static Outcome certify(Class<?> type, Path dir, Mode mode, String... resource) throws IOException {
        return certify(jar(type, dir, resource), dir.resolve(mode.isolation() + "-" + type.getSimpleName()), mode.options());
    }

    private static void assertJudged(Outcome outcome, String rule, Mode mode) {
        assertEquals(1, outcome.code(), "exit code 1 (not certified), never 0 or 3: " + outcome.err());
        assertEquals("FAIL", outcome.verdict(rule), rule + " names what the extension did");
        assertEquals(mode.isolation(), outcome.certification().path("runs").path("isolation").asText());
    }

    // --- the cases, each asserted the same way in every mode ---------------------------------

    private static void exits(Path dir, Mode mode) throws IOException {
        Outcome zero = certify(HostileExtensions.ExitsZero.class, dir, mode);
        assertJudged(zero, "ISO-01", mode);
        assertJudged(zero, "RES-04", mode);
        Outcome three = certify(HostileExtensions.ExitsThree.class, dir, mode);
        assertJudged(three, "ISO-01", mode);
        assertJudged(three, "RES-04", mode);
    }

    private static void reflection(Path dir, Mode mode) throws IOException {
        assertJudged(certify(HostileExtensions.ReflectsIntoHarness.class, dir, mode), "E2E-01", mode);
    }

    /**
     * A hang costs real time by nature: each hung activation waits out the hang bound before its
     * process is killed. These cases give a bound of 2 s instead of the default 10 s
     * ({@code --hang-after}), so the corpus proves the same in a fifth of the time.
     */
    private static final String[] HANG_AFTER = {"--hang-after", "2s"};

    private static void busyLoop(Path dir, Mode mode) throws IOException {
        Outcome outcome = certifyHang(HostileExtensions.BusyLoop.class, dir, mode);
        assertJudged(outcome, "RES-04", mode);
    }

    private static void deadlock(Path dir, Mode mode) throws IOException {
        assertJudged(certifyHang(HostileExtensions.Deadlock.class, dir, mode), "RES-04", mode);
    }

    private static Outcome certifyHang(Class<?> type, Path dir, Mode mode) throws IOException {
        String[] options = java.util.stream.Stream.concat(java.util.Arrays.stream(mode.options()), java.util.Arrays.stream(HANG_AFTER))
                .toArray(String[]::new);
        Outcome outcome = certify(jar(type, dir), dir.resolve(mode.isolation() + "-" + type.getSimpleName()), options);
        assertTrue(outcome.certification().path("runs").path("reproduce").asText().contains("--hang-after 2000ms"),
                "the reproduce line keeps the hang bound: " + outcome.certification().path("runs").path("reproduce"));
        return outcome;
    }

    private static void crashes(Path dir, Mode mode) throws IOException {
        assertJudged(certify(HostileExtensions.OutOfMemory.class, dir, mode), "RES-04", mode);
        assertJudged(certify(HostileExtensions.StackOverflow.class, dir, mode), "RES-04", mode);
    }

    private static void threads(Path dir, Mode mode) throws IOException {
        assertJudged(certify(HostileExtensions.ThreadBomb.class, dir, mode), "ISO-01", mode);
    }

    private static void stdoutFlood(Path dir, Mode mode) throws IOException {
        Outcome outcome = certify(HostileExtensions.StdoutFlood.class, dir, mode);
        assertEquals(1, outcome.code());
        assertFalse(outcome.out().contains("xxxxxxxxxx"), "the extension's output stays out of upcert's stdout");
        assertTrue(outcome.out().length() < 1_000_000, "upcert's stdout is its summary only");
    }

    private static void filesOutsideStorage(Path dir, Mode mode) throws IOException {
        Files.deleteIfExists(Path.of(HostileExtensions.OUTSIDE_FILE));
        assertJudged(certify(HostileExtensions.WritesOutsideStorage.class, dir, mode), "ISO-01", mode);
        assertFalse(Files.exists(Path.of(HostileExtensions.OUTSIDE_FILE)), "the file was not written");
    }

    private static void rawSocket(Path dir, Mode mode) throws IOException {
        try (Listener listener = new Listener()) {
            assertJudged(certify(HostileExtensions.RawSocket.class, dir, mode, "hostile-port.txt",
                    Integer.toString(listener.port())), "ISO-01", mode);
            assertEquals(0, listener.accepted.get(), "no connection reached the port");
        }
    }

    private static void otherProcesses(Path dir, Mode mode) throws IOException {
        Outcome outcome = certify(HostileExtensions.ReachesOtherProcesses.class, dir, mode);
        assertJudged(outcome, "ISO-01", mode);
    }

    // --- in a worker ---------------------------------------------------------------------------

    @Test
    @Timeout(180)
    @DisplayName("a handle on another process (its parent is upcert) is refused and reported; its own pid is not")
    void otherProcesses(@TempDir Path dir) throws IOException {
        otherProcesses(dir, Mode.WORKER);
    }

    @Test
    @Timeout(180)
    @DisplayName("System.exit(0) and halt(3) are refused and the process crashing, never upcert's exit code")
    void exits(@TempDir Path dir) throws IOException {
        exits(dir, Mode.WORKER);
    }

    @Test
    @Timeout(180)
    @DisplayName("reflection finds no harness in the worker: nothing is acknowledged behind the API")
    void reflection(@TempDir Path dir) throws IOException {
        reflection(dir, Mode.WORKER);
    }

    @Test
    @Timeout(300)
    @DisplayName("a busy loop that ignores interrupts and a deadlock are killed for real, and the run ends")
    void hangs(@TempDir Path dir) throws IOException {
        busyLoop(dir, Mode.WORKER);
        deadlock(dir, Mode.WORKER);
        assertNoWorkerLeft();
    }

    @Test
    @Timeout(180)
    @DisplayName("out of memory and stack overflow crash the simulated process, the same on every machine")
    void crashes(@TempDir Path dir) throws IOException {
        crashes(dir, Mode.WORKER);
    }

    @Test
    @Timeout(180)
    @DisplayName("5,000 threads are refused past the sandbox's bound")
    void threads(@TempDir Path dir) throws IOException {
        threads(dir, Mode.WORKER);
        assertNoWorkerLeft();
    }

    @Test
    @Timeout(180)
    @DisplayName("100 MB on stdout never reaches upcert's output")
    void stdoutFlood(@TempDir Path dir) throws IOException {
        stdoutFlood(dir, Mode.WORKER);
    }

    @Test
    @Timeout(180)
    @DisplayName("a file written outside storage() is refused and reported")
    void filesOutsideStorage(@TempDir Path dir) throws IOException {
        filesOutsideStorage(dir, Mode.WORKER);
    }

    @Test
    @Timeout(180)
    @DisplayName("a raw socket to a loopback port that is not the stub is refused and reported")
    void rawSocket(@TempDir Path dir) throws IOException {
        rawSocket(dir, Mode.WORKER);
    }

    @Test
    @Timeout(180)
    @DisplayName("code that gets past the security manager (a thread of JDK frames only) still writes no file: the worker's file systems are read-only but its scratch folder")
    void pastTheSecurityManager(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(MountNamespaces.available(),
                "no user and mount namespaces here: a worker that gets past its security manager can write any file of the user (docs/isolation.md)");
        Path beside = dir.resolve("beside-the-reports.txt");
        Files.deleteIfExists(Path.of(HostileExtensions.ESCAPED_FILE));
        Outcome outcome = certify(HostileExtensions.EscapesTheSecurityManager.class, dir, Mode.WORKER, "hostile-target.txt", beside.toString());
        assertJudged(outcome, "E2E-01", Mode.WORKER);
        assertFalse(Files.exists(Path.of(HostileExtensions.ESCAPED_FILE)), "the file in /tmp was not written");
        assertFalse(Files.exists(beside), "nothing was written beside upcert's reports");
    }

    @Test
    @Timeout(180)
    @DisplayName("a worker's relaunched process starts with the worker's own system properties: nothing kept there survives a kill")
    void nothingSurvivesARelaunch(@TempDir Path dir) throws IOException {
        List<String> said = logOfRelaunches(HostileExtensions.RemembersAcrossLaunches.class, dir);
        assertFalse(said.isEmpty());
        assertTrue(said.stream().allMatch(s -> s.equals("launch 1 of this memory")), "every launch starts empty: " + said);
    }

    /** The channels of {@link HostileExtensions.SmugglesMemory} the worker sets back at every launch. */
    private static final List<String> RESET_CHANNELS = List.of("locale", "time zone", "System.err", "uncaught handler", "scratch file");
    /** Those it cannot set back: a launch that touched one gets a new worker after it. */
    private static final List<String> REPLACED_CHANNELS = List.of("security property", "security provider", "logging handler",
            "URL handler factory", "proxy selector", "thread name", "cleaner");

    @Test
    @Timeout(180)
    @DisplayName("nor does anything kept in the JDK's default locale, time zone, System.err, uncaught handler or in the scratch folder: "
            + "each launch sets them back, in the same worker")
    void resetJdkStatics(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(MountNamespaces.available(),
                "no mount namespace: the scratch folder is the disk's and the channel through it is another (docs/isolation.md)");
        JsonNode hosting = assertEveryLaunchStartsEmpty(dir, RESET_CHANNELS);
        assertEquals(1, hosting.path("processes").asInt(), "one worker served every launch: " + hosting);
    }

    @Test
    @Timeout(180)
    @DisplayName("nor in a security property or provider, the logging configuration, a URL handler factory, the proxy selector "
            + "or another thread's name, or a Cleaner's thread running its code: the worker is replaced after a launch that touched one")
    void replacedForJdkStatics(@TempDir Path dir) throws IOException {
        JsonNode hosting = assertEveryLaunchStartsEmpty(dir, REPLACED_CHANNELS);
        assertTrue(hosting.path("replacedForJdkState").asInt() >= 2, "a new worker after each launch: " + hosting);
    }

    /** Runs {@link HostileExtensions.SmugglesMemory} on {@code channels}: each is tried and says launch 1 in every launch. */
    private static JsonNode assertEveryLaunchStartsEmpty(Path dir, List<String> channels) throws IOException {
        Path out = dir.resolve("run");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        int code = cli.execute("run", "--extension", jar(HostileExtensions.SmugglesMemory.class, dir, "hostile-channels.txt",
                String.join(",", channels)).toString(), "--profile", relaunches(), "--seed", "1", "--out", out.toString(), "--json");
        JsonNode summary = JSON.readTree(stdout.toString());
        Relaunches read = Relaunches.of(out);
        List<String> said = read.said();
        assertEquals(3, read.launches(), "the profile launches the extension three times (exit " + code + "): " + stderr);
        java.util.TreeMap<String, java.util.TreeSet<String>> byChannel = new java.util.TreeMap<>();
        for (String line : said) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                byChannel.computeIfAbsent(line.substring(0, colon), k -> new java.util.TreeSet<>()).add(line.substring(colon + 2));
            }
        }
        assertEquals(new java.util.TreeSet<>(channels), byChannel.keySet(), "every channel was tried: " + byChannel);
        byChannel.forEach((channel, seen) -> assertEquals(java.util.Set.of("launch 1"), seen,
                channel + ": every launch starts empty (a refusal would not show the channel closed): " + byChannel));
        return summary.path("hosting");
    }

    private static String relaunches() {
        try {
            return Path.of(HostileCorpusTest.class.getResource("/hostile/relaunches.yaml").toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Certifies {@code type} on {@code hostile/relaunches.yaml} (an extension that does nothing is
     * launched three times: it ends after idling and new photos wake it) and returns its log lines.
     */
    private static List<String> logOfRelaunches(Class<?> type, Path dir) throws IOException {
        Path out = dir.resolve("remembers");
        StringWriter stdout = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        int code = cli.execute("certify", "--extension", jar(type, dir).toString(),
                "--profiles", relaunches(), "--seed", "1", "--out", out.toString(), "--json", "--quiet");
        assertEquals(1, code, stdout.toString());
        Relaunches read = Relaunches.of(out.resolve("traces"));
        assertTrue(read.launches() > 1, "the run relaunched the extension: " + read.launches());
        return read.said();
    }

    /** What the extension logged, and how often it was launched, read from every trace in a folder. */
    private record Relaunches(List<String> said, long launches) {
        static Relaunches of(Path folder) throws IOException {
            List<String> said = new java.util.ArrayList<>();
            long launches = 0;
            try (java.util.stream.Stream<Path> traces = Files.list(folder)) {
                for (Path trace : traces.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                    for (String line : Files.readAllLines(trace)) {
                        JsonNode event = JSON.readTree(line);
                        if (event.path("ev").asText().equals("log")) {
                            said.add(event.path("msg").asText());
                        } else if (event.path("ev").asText().equals("process.launch")) {
                            launches++;
                        }
                    }
                }
            }
            return new Relaunches(said, launches);
        }
    }

    // --- in the container sandbox --------------------------------------------------------------

    @Test
    @Timeout(600)
    @DisplayName("in the container sandbox every case but the deadlock (a hang like the busy loop) gets the same verdict, and nothing gets out")
    void inTheContainer(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.upcert.harness.host.container.DockerEngine.isAvailable(),
                () -> "no Docker engine: " + org.upcert.harness.host.container.DockerEngine.unavailableReason().orElse("?"));
        // the bombs alone (out of memory, 5,000 threads), and the busy loop, whose hang bound a neighbour's
        // CPU would shorten; the cases that mostly wait for containers to start, three at a time
        busyLoop(dir, Mode.CONTAINER);
        crashes(dir, Mode.CONTAINER);
        threads(dir, Mode.CONTAINER);
        atOnce(List.of(() -> exits(dir, Mode.CONTAINER), () -> reflection(dir, Mode.CONTAINER),
                () -> stdoutFlood(dir, Mode.CONTAINER), () -> filesOutsideStorage(dir, Mode.CONTAINER),
                () -> rawSocket(dir, Mode.CONTAINER), () -> otherProcesses(dir, Mode.CONTAINER)));
    }

    /** A case of the corpus in one mode. */
    private interface Case {
        void run() throws IOException;
    }

    /**
     * Runs {@code cases} three at a time, each on a thread of its own, and throws what the first (in
     * the order given) that failed threw. Certifications in one JVM no longer exclude each other
     * (CertificationState), and each case writes into folders of its own; JUnit runs this class's
     * tests one after the other (its children, @Isolated), so a case's overlap is within it.
     */
    private static void atOnce(List<Case> cases) throws IOException {
        java.util.concurrent.ExecutorService lanes = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Void>> futures = new java.util.ArrayList<>();
            for (Case each : cases) {
                futures.add(lanes.submit(() -> {
                    each.run();
                    return null;
                }));
            }
            for (java.util.concurrent.Future<Void> future : futures) {
                future.get(600, java.util.concurrent.TimeUnit.SECONDS); // bounded: each certification is
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // a case's assertion
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the cases run at once did not end", e);
        } finally {
            lanes.shutdownNow();
        }
    }

    /**
     * No worker JVM of upcert's is left running once a certification returned, but for the idle
     * ones kept to serve the next run (ended here first: they are a feature, not a leak).
     */
    private static void assertNoWorkerLeft() {
        org.upcert.harness.host.remote.ProtocolHost.closeIdleWorkers();
        long workers = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("org.upcert.protocol.worker.WorkerMain"))
                .filter(ProcessHandle::isAlive).count();
        assertEquals(0, workers, "worker processes left running");
    }


    /** A loopback port that is not the cloud stub, counting the connections that reach it. */
    private static final class Listener implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        private final ServerSocket socket;

        Listener() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        try (Socket ignored = socket.accept()) {
                            accepted.incrementAndGet();
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
