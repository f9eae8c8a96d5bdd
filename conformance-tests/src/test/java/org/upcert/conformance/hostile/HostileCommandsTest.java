package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.upcert.conformance.python.Python;

/**
 * The red team's command extensions (H28): {@code hostile_command.py} speaks the protocol by hand
 * and attacks upcert at its first {@code processJobs}, in the way its argument names. For each: a
 * verdict (never CERTIFIED, exit code 1, never 0 or 3), upcert's stdout its own (one JSON object),
 * the reports written, a bounded wall time (one short run, {@code --hang-after 2s}; 1s where the attack only hangs), and nothing left
 * running. docs/isolation.md has the table of attacks and what upcert does.
 */
// Alone: bombs must not share the machine with other classes' runs. Its cases run one after the other (JUnit runs
// an @Isolated class's children on one thread); within a case, attacks that mostly wait are certified at once
// (atOnce), each counting its own processes.
@Isolated
class HostileCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("src", "test", "resources", "hostile", "hostile_command.py").toAbsolutePath();

    private record Outcome(int code, JsonNode certification, List<JsonNode> trace, String err) {
        String verdict(String rule) {
            for (JsonNode r : certification.path("rules")) {
                if (r.path("id").asText().equals(rule)) {
                    return r.path("verdict").asText();
                }
            }
            return "absent";
        }

        /** The reasons of every call that did not return (crashed, killed), in trace order. */
        List<String> endings() {
            List<String> reasons = new ArrayList<>();
            for (JsonNode line : trace) {
                if (line.path("ev").asText().equals("call.end") && !line.path("outcome").asText().equals("returned")) {
                    reasons.add(line.path("outcome").asText() + ": " + line.path("reason").asText(line.path("exception").asText()));
                }
            }
            return reasons;
        }

        /** What the extension said in its log lines, in trace order. */
        List<String> said() {
            return trace.stream().filter(l -> l.path("ev").asText().equals("log")).map(l -> l.path("msg").asText()).toList();
        }

        String runEnd() {
            return trace.stream().filter(l -> l.path("ev").asText().equals("run.end")).map(l -> l.path("reason").asText())
                    .findFirst().orElse("none");
        }
    }

    /**
     * A hang bound of 2 s for attacks that hang (each hang costs it); 20 s for those that do real work
     * first (64 MiB on the socket, 256 MiB into the scratch folder), which on a loaded machine can take
     * more than 2 s and would then read as a hang.
     */
    private static final String HANGS = "2s";
    private static final String WORKS = "20s";
    /**
     * 1 s for the attacks that hang at every call or notice and are asserted only to be killed as hung
     * (SIGSTOP, SIGTERM ignored, every other call hung): a run ends after three hangs, each waiting out
     * the whole bound, and what these tests prove (killed as hung, three hangs end the run) is the same
     * at any bound, so 1 s saves 3 s a run. A slow answer there would be a hang too, and these
     * commands answer {@code launch} at once. Not for never-reads (its 64 requests must all be read
     * before the kill), nor for the fork and thread bombs (their bound must be met before the hang's).
     */
    private static final String HANGS_ONLY = "1s";

    private static Outcome certify(String attack, Path dir) throws IOException {
        return certify(attack, dir, HANGS);
    }

    private static Outcome certify(String attack, Path dir, String hangAfter) throws IOException {
        String python = Python.require();
        Path out = dir.resolve(attack);
        List<String> args = new ArrayList<>(List.of("--extension-cmd", Python.command(python, SCRIPT) + " " + attack,
                "--profiles", "baseline", "--seed", "1", "--hang-after", hangAfter,
                "--out", out.toString(), "--json", "--quiet"));
        Python.Outcome outcome = Python.certify(args.toArray(new String[0]));
        assertTrue(Files.isRegularFile(out.resolve("certification.json")), "certification.json is written: " + outcome.err());
        assertTrue(Files.isRegularFile(out.resolve("CERTIFICATION.md")), "CERTIFICATION.md is written");
        // upcert's stdout is upcert's alone: one JSON object, whatever the extension did
        JsonNode printed = JSON.readTree(outcome.out());
        assertEquals("NOT_CERTIFIED", printed.path("verdict").asText(), outcome.out());
        assertEquals(1, outcome.code(), "exit code 1 (not certified), never 0 or 3: " + outcome.err());
        List<JsonNode> trace = new ArrayList<>();
        try (Stream<Path> files = Files.list(out.resolve("traces"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    trace.add(JSON.readTree(line));
                }
            }
        }
        assertNothingLeft(attack);
        return new Outcome(outcome.code(), JSON.readTree(out.resolve("certification.json").toFile()), trace, outcome.err());
    }

    /** The attack crashed the simulated process every time with {@code reason}, and the run gave up on it. */
    private static void assertCrashed(Outcome outcome, String reason) {
        assertEquals("FAIL", outcome.verdict("RES-04"), "RES-04 names the crash");
        List<String> endings = outcome.endings();
        assertFalse(endings.isEmpty(), "calls ended without returning");
        assertTrue(endings.stream().allMatch(e -> e.contains(reason)), "every call ended: " + reason + "; got " + endings);
        assertEquals("extension-failing", outcome.runEnd());
    }

    /**
     * Nothing of the hostile command outlives its certification: its processes die with their
     * namespace once the launch is killed, which the kernel finishes a moment after the kill returns
     * (a bounded wait, 10 s).
     */
    private static void assertNothingLeft(String attack) {
        try {
            org.awaitility.Awaitility.await("the hostile command's processes end").atMost(java.time.Duration.ofSeconds(10))
                    .pollInterval(java.time.Duration.ofMillis(100)).until(() -> left(attack).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            assertEquals(List.of(), left(attack), "processes of the hostile command left running");
        }
    }

    /**
     * The processes of this JVM running {@code attack}: its command line ends with the attack's name
     * (the processes it forks keep it), so that the attacks certified at once ({@link #atOnce}) each
     * count their own. The fork bomb's children run {@code sleep 600}; the fork bomb is certified alone.
     */
    private static List<String> left(String attack) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> {
                    String line = p.info().commandLine().orElse("");
                    return (line.contains("hostile_command.py") && line.endsWith(" " + attack))
                            || (attack.equals("fork-bomb") && line.endsWith("sleep 600"));
                })
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
    }

    /**
     * Certifies several attacks at once, two at a time, each on a thread of its own, and returns their
     * outcomes in the order given (what one threw, the first in that order, is thrown). The class runs
     * alone and its cases one after the other (JUnit runs the children of an {@code @Isolated} class on
     * one thread); within a case, attacks that only mostly wait (hang bounds, Python starting, a
     * protocol violation) overlap: certifications in one JVM no longer exclude each other, and each
     * attack counts its own processes ({@link #left}). Never the bombs (fork, threads, memory, disk
     * fill): they are certified alone, as they must not share the machine.
     */
    private static List<Outcome> atOnce(Path dir, String hangAfter, String... attacks) throws IOException {
        java.util.concurrent.ExecutorService lanes = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Outcome>> futures = new ArrayList<>();
            for (String attack : attacks) {
                futures.add(lanes.submit(() -> certify(attack, dir, hangAfter)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (java.util.concurrent.Future<Outcome> future : futures) {
                outcomes.add(future.get(300, java.util.concurrent.TimeUnit.SECONDS)); // bounded: each certification is
            }
            return outcomes;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error; // an assertion of one attack's certification
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the attacks certified at once did not end", e);
        } finally {
            lanes.shutdownNow();
        }
    }

    // --- protocol abuse ------------------------------------------------------------------------

    @Test
    @Timeout(120)
    @DisplayName("a 1 GiB line without a newline is cut at 64 MiB: a protocol violation, the process crashed")
    void longLine(@TempDir Path dir) throws IOException {
        assertCrashed(certify("long-line", dir, WORKS), "protocol violation: a message longer than 67108864 bytes");
    }

    @Test
    @Timeout(120)
    @DisplayName("JSON nested 200,000 deep, a 100,000-digit number, invalid UTF-8 and NUL bytes are protocol violations, never a StackOverflowError")
    void malformedMessages(@TempDir Path dir) throws IOException {
        List<Outcome> outcomes = atOnce(dir, HANGS, "deep-json", "huge-number", "invalid-utf8", "nul-bytes");
        assertCrashed(outcomes.get(0), "protocol violation: message 3 is not JSON: Document nesting depth");
        assertCrashed(outcomes.get(1), "protocol violation: message 3 is not JSON: Number value length");
        assertCrashed(outcomes.get(2), "protocol violation: message 3 is not JSON");
        assertCrashed(outcomes.get(3), "protocol violation: message 3 is not JSON");
    }

    @Test
    @Timeout(120)
    @DisplayName("an answer to a request never made ends the connection; a result claiming a verdict is no result")
    void forgedAnswers(@TempDir Path dir) throws IOException {
        List<Outcome> outcomes = atOnce(dir, HANGS, "unsolicited-reply", "forged-result");
        assertCrashed(outcomes.get(0), "protocol violation: message 3 answers request 4242, which is not pending");
        Outcome forged = outcomes.get(1);
        assertCrashed(forged, "protocol violation: processJobs answered {\"verdict\":\"CERTIFIED\"");
    }

    @Test
    @Timeout(120)
    @DisplayName("requests without an id that the harness cannot perform are refused quietly: no dead reader, no hang, nothing on upcert's stderr")
    void notifications(@TempDir Path dir) throws IOException {
        Outcome outcome = certify("notification", dir);
        assertFalse(outcome.err().contains("Exception in thread"), "no stack trace on upcert's stderr: " + outcome.err());
        assertTrue(outcome.endings().isEmpty(), "every call returned: " + outcome.endings());
        assertEquals("quiescent", outcome.runEnd());
    }

    @Test
    @Timeout(120)
    @DisplayName("requests after processJobs returned are refused and judged (TRM-04)")
    void afterReturn(@TempDir Path dir) throws IOException {
        assertEquals("FAIL", certify("after-return", dir).verdict("TRM-04"));
    }

    @Test
    @Timeout(120)
    @DisplayName("names the extension makes up (1,200 changes outside a block, 300 sandbox reports), each distinct and "
            + "20,000 characters long: the trace quotes at most 1,024 characters of each, and 1,000 names a run")
    void namedFlood(@TempDir Path dir) throws IOException {
        Outcome outcome = certify("named-flood", dir);
        int longest = 0;
        long refusals = 0;
        long violations = 0;
        boolean others = false;
        for (JsonNode line : outcome.trace) {
            String ev = line.path("ev").asText();
            if (ev.equals("api.refused") || ev.equals("sandbox.violation")) {
                for (String field : List.of("api", "reason", "kind", "what")) {
                    longest = Math.max(longest, line.path(field).asText().length());
                }
                others |= line.path("api").asText().startsWith("(other names") || line.path("kind").asText().startsWith("(other names");
                if (ev.equals("api.refused")) {
                    refusals++;
                } else {
                    violations++;
                }
            }
        }
        assertTrue(longest <= 1_024 + 30, "each name cut to 1,024 characters and its length: " + longest);
        assertEquals(1_001, refusals, "1,000 names traced, the 200 past them counted under one line");
        assertEquals(300, violations, "every violation traced (300 names)");
        assertTrue(others, "the names past the run's 1,000 are counted under one line");
    }

    @Test
    @Timeout(180)
    @DisplayName("25,000 tiny API calls and PROCESSING at every call (nothing crashes, hangs or is killed): the run is cut "
            + "after three such spinning calls, not at the event budget half a million lines later")
    void tinyCallFlood(@TempDir Path dir) throws IOException {
        Outcome outcome = certify("tiny-flood", dir, WORKS);
        List<JsonNode> cuts = outcome.trace.stream().filter(l -> l.path("ev").asText().equals("run.cut")).toList();
        assertEquals(1, cuts.size(), "one cut: " + cuts);
        assertEquals("spinning", cuts.get(0).path("budget").asText(), cuts.get(0).toString());
        assertEquals("budget", outcome.runEnd());
        long calls = outcome.trace.stream().filter(l -> l.path("ev").asText().equals("call.end")).count();
        assertEquals(3, calls, "three calls");
        assertTrue(outcome.trace.size() < 3 * 25_100 + 2_000, "about three calls' worth of lines: " + outcome.trace.size());
    }

    // --- resource exhaustion -------------------------------------------------------------------

    @Test
    @Timeout(120)
    @DisplayName("a memory bomb ends its own process at the data limit (2 GiB): the process crashed, upcert is untouched")
    void memoryBomb(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "no prlimit (util-linux): no data limit to show");
        Outcome outcome = certify("memory-bomb", dir, WORKS);
        assertCrashed(outcome, "exited with status 1");
        for (String line : outcome.said()) {
            long held = Long.parseLong(line.split(" ")[1]);
            assertTrue(held <= 2048, "at most 2 GiB held, not " + held + " MiB");
        }
        assertFalse(outcome.said().isEmpty(), "the extension says how much it held");
    }

    @Test
    @Timeout(120)
    @DisplayName("a fork bomb stops at 512 processes in one launch (the kernel's limit, or upcert's watchdog where the harness runs as root) and dies with its namespace")
    void forkBomb(@TempDir Path dir) throws IOException {
        assumeTrue(MountNamespaces.available(), "no user and mount namespaces here: nothing bounds an extension's processes but the machine");
        Outcome outcome = certify("fork-bomb", dir);
        assertEquals("FAIL", outcome.verdict("RES-04"));
        assertTrue(outcome.endings().stream().allMatch(e -> e.contains("more than 512 processes in one launch") || e.contains("hung")),
                outcome.endings().toString());
    }

    @Test
    @Timeout(120)
    @DisplayName("5,000 threads in a command are bounded (data limit, process limit); closing its stdio early changes nothing")
    void threadsAndStdio(@TempDir Path dir) throws IOException {
        Outcome threads = certify("threads", dir);
        assertEquals("FAIL", threads.verdict("RES-04"), "it hangs after its threads: killed as hung");
        Outcome closed = certify("close-stdio", dir);
        assertTrue(closed.endings().isEmpty(), closed.endings().toString());
    }

    @Test
    @Timeout(120)
    @DisplayName("filling the scratch folder meets a full disk at 256 MiB, inside the command's own namespace")
    void diskFill(@TempDir Path dir) throws IOException {
        assumeTrue(MountNamespaces.available(), "no user and mount namespaces here: the scratch folder is the machine's disk");
        Outcome outcome = certify("disk-fill", dir, WORKS);
        assertCrashed(outcome, "exited with status 1");
        List<String> said = outcome.said();
        assertFalse(said.isEmpty(), "the extension says how much it wrote");
        for (String line : said) {
            assertTrue(line.contains("No space left on device"), line);
            long written = Long.parseLong(line.split(" ")[1]);
            assertTrue(written <= 256L << 20, "at most 256 MiB written, not " + written);
        }
    }

    @Test
    @Timeout(120)
    @DisplayName("64 MiB of stderr is drained and bounded, never in upcert's output")
    void stderrFlood(@TempDir Path dir) throws IOException {
        Outcome outcome = certify("stderr-flood", dir, WORKS);
        assertFalse(outcome.err().contains("yyyyyyyyyy"), "the extension's stderr stays out of upcert's");
        Path log = dir.resolve("stderr-flood").resolve("traces");
        assertTrue(Files.exists(log));
    }

    @Test
    @Timeout(120)
    @DisplayName("an extension that stops itself (SIGSTOP) is killed as hung; one that ignores SIGTERM too")
    void stoppedAndStubborn(@TempDir Path dir) throws IOException {
        List<Outcome> outcomes = atOnce(dir, HANGS_ONLY, "sigstop", "ignore-sigterm");
        assertCrashedOrHung(outcomes.get(0));
        assertCrashedOrHung(outcomes.get(1));
    }

    @Test
    @Timeout(180)
    @DisplayName("an extension that asks for the library 64 times and never reads the answers is killed as hung: the answer "
            + "blocked in its write (a dispatch thread writes it itself since H32) ends with the kill, and nothing waits past the bound")
    void neverReadsItsAnswers(@TempDir Path dir) throws IOException {
        Outcome outcome = certify("never-reads", dir);
        assertCrashedOrHung(outcome);
        long asked = outcome.trace().stream().filter(l -> l.path("ev").asText().equals("fetch.assets")).count();
        assertTrue(asked >= 64, "the library was asked for (and answered into a full socket) " + asked + " times");
    }

    @Test
    @Timeout(180)
    @DisplayName("an extension that hangs every other call and every willTerminate costs at most three wall bounds: the run ends after three hangs in all")
    void hangsEveryOtherCall(@TempDir Path dir) throws IOException {
        Outcome outcome = certify("huge-id", dir, HANGS_ONLY);
        assertEquals("FAIL", outcome.verdict("RES-04"));
        assertEquals("extension-failing", outcome.runEnd());
        long hung = outcome.trace().stream().filter(l -> (l.path("ev").asText().equals("process.kill")
                && l.path("reason").asText().endsWith("(hung)")) || (l.path("ev").asText().equals("process.notice-problem")
                && l.path("reason").asText().contains("did not return within"))).count();
        assertEquals(3, hung, "three hangs (a call or willTerminate), then the run ended: " + outcome.endings());
    }

    @Test
    @Timeout(180)
    @DisplayName("a willTerminate never answered is a hang (RES-04) and three end the run; an extension that answers it passes RES-04")
    void unansweredNotices(@TempDir Path dir) throws IOException {
        Outcome ignores = certify("ignore-notice", dir);
        assertTrue(ignores.endings().isEmpty(), "every call returned: " + ignores.endings());
        assertEquals("FAIL", ignores.verdict("RES-04"), "willTerminate hung");
        assertEquals("extension-failing", ignores.runEnd());
        assertEquals(3, ignores.trace().stream().filter(l -> l.path("ev").asText().equals("process.notice-problem")).count());
        Outcome answers = certify("none", dir, WORKS);
        assertEquals("PASS", answers.verdict("RES-04"), "the same extension answering willTerminate");
        assertEquals("quiescent", answers.runEnd());
    }

    private static void assertCrashedOrHung(Outcome outcome) {
        assertEquals("FAIL", outcome.verdict("RES-04"));
        assertEquals("extension-failing", outcome.runEnd());
        assertTrue(outcome.endings().stream().allMatch(e -> e.contains("hung")), outcome.endings().toString());
    }

    @Test
    @Timeout(120)
    @DisplayName("a command inherits no descriptor of upcert's but its socket and stdio; killing its parent kills nothing")
    void inheritedFdsAndParent(@TempDir Path dir) throws IOException {
        List<Outcome> outcomes = atOnce(dir, HANGS, "inherited-fds", "kill-parent");
        Outcome fds = outcomes.get(0);
        assertTrue(fds.endings().isEmpty(), fds.endings().toString());
        assertFalse(fds.said().isEmpty());
        assertTrue(fds.said().stream().allMatch(l -> l.equals("descriptors []")), "no descriptor of upcert's: " + fds.said());
        Outcome parent = outcomes.get(1);
        assertTrue(parent.endings().isEmpty(), parent.endings().toString());
    }

    @Test
    @Timeout(180)
    @DisplayName("a launch's TMPDIR, socket and their folder do not count the launches before it; the trace does not name them")
    void launchCountHidden(@TempDir Path dir) throws Exception {
        Outcome outcome = certify("launch-count", dir);
        // each launch logged "tmp NAME channel NAME siblings NAMES…" (baseline seed 1: 13 launches)
        List<String> said = outcome.said();
        assertTrue(said.size() >= 3, "several launches: " + said);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int launch = 1; launch <= said.size(); launch++) {
            String[] words = said.get(launch - 1).split(" ");
            assertEquals("tmp", words[0], said.get(launch - 1));
            String tmp = words[1];
            String channel = words[3];
            List<String> siblings = List.of(words).subList(5, words.length);
            // before: scratch-1, scratch-2, … and p1.sock, p2.sock, …; the folder listed scratch-1 … scratch-n
            assertFalse(tmp.equals("scratch-" + launch) || channel.equals("p" + launch + ".sock"), "a count: " + said.get(launch - 1));
            assertTrue(names.add(tmp), "a name seen before: " + tmp);
            assertEquals(List.of(tmp), siblings, "the run's folder holds this launch's scratch folder alone: " + said.get(launch - 1));
        }
        // the names are never upcert's to trace: only the extension's own log lines hold them
        for (JsonNode line : outcome.trace()) {
            if (!line.path("ev").asText().equals("log")) {
                String text = line.toString();
                assertFalse(text.contains("scratch-") || text.contains(".sock") || text.contains("upcert-host-"), text);
            }
        }
        // and a command's trace is the same, byte for byte, from one run to the next
        String python = Python.require();
        var plan = org.upcert.harness.faults.profile.PlanExpander.expand(
                org.upcert.harness.faults.profile.ProfileCatalogue.load("baseline"), 1).plan();
        var source = org.upcert.harness.host.ExtensionSource.command(List.of(python, SCRIPT.toString(), "none"), SCRIPT.getParent());
        String first = org.upcert.harness.run.Simulation.run(plan, source, org.upcert.harness.run.RunOptions.inMemory()).traceText();
        String second = org.upcert.harness.run.Simulation.run(plan, source, org.upcert.harness.run.RunOptions.inMemory()).traceText();
        assertEquals(first, second, "two runs of the same command, plan and seed");
        assertTrue(first.lines().filter(l -> l.contains("\"process.launch\"")).count() >= 3, "several launches in the compared runs");
    }
}
