package org.upcert.conformance.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * Issue 11 item 5, on whole runs: the system finishes a job between the extension's fetch and its
 * commit. The change that can no longer apply is dropped and reported to the extension, the rest
 * of the block commits, and no rule fails for what the extension could not avoid; its broken twin
 * (a cancel of a job already finished when it fetched it) still fails JOB-04. The same in process
 * and in a JVM worker (identical traces).
 */
class ChangesThatCannotApplyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * iOS 26.5 (PROCESS, cancel); a photo added 0.5 s after the first call wakes the extension again
     * while uploads run. Without the fetch-set lag: the race is timed (RacingCanceller.BURN) on
     * transitions that show at once; with the lag a job that finished shows PENDING a little longer,
     * which only makes more cancels race the system (FetchLagTest, FetchLagAcceptanceTest).
     */
    static RunPlan plan() {
        RunPlan plan = RunPlan.of(1, Workload.typical(6).withOs("26.5"))
                .withFaults(List.of(new PlannedFault.AssetsAdded(1_500, 1_600, 1)));
        return plan.withPolicy(plan.policy().withoutFetchLag());
    }

    static RunResult run(ExtensionSource source, String isolation) {
        return Simulation.run(plan(), source, RunOptions.inMemory().withTransport("direct").withIsolation(isolation));
    }

    static TreeMap<String, Verdict> verdicts(RunResult result) {
        RunEvidence evidence = RunEvidence.of(result);
        TreeMap<String, Verdict> verdicts = new TreeMap<>();
        for (RuleChecker checker : RuleCatalogue.checkers().values()) {
            verdicts.put(checker.ruleId(), checker.check(evidence));
        }
        return verdicts;
    }

    static List<JsonNode> events(RunResult result, String name) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : result.traceText().split("\n")) {
            JsonNode node = JSON.readTree(line);
            if (node.path("ev").asText().equals(name)) {
                out.add(node);
            }
        }
        return out;
    }

    @Test
    @DisplayName("a cancel the system made impossible after the fetch is dropped, reported, the rest commits, nothing FAILs")
    void raceIsReportedNotFailed() throws Exception {
        RunResult result = run(ExtensionSource.type(RacingCanceller.class), "in-process");
        List<JsonNode> dropped = events(result, "change.dropped");
        assertFalse(dropped.isEmpty(), "the system finished a job the block cancels: " + result.traceText());
        for (JsonNode drop : dropped) {
            assertEquals("cancel", drop.path("op").asText());
            assertEquals("system", drop.path("cause").asText(), drop.toString());
            assertTrue(List.of("REGISTERED", "PENDING").contains(drop.path("fetched").asText()), drop.toString());
            assertTrue(List.of("SUCCEEDED", "FAILED").contains(drop.path("state").asText()), drop.toString());
        }
        int block = dropped.get(0).path("block").asInt();
        JsonNode commit = events(result, "changes.commit").stream().filter(c -> c.path("block").asInt() == block)
                .findFirst().orElseThrow(() -> new AssertionError("the racing block must commit"));
        assertEquals(dropped.size(), commit.path("dropped").asInt());
        assertTrue(commit.path("cancel").asInt() + commit.path("ack").asInt() > 0, "the rest of the block committed: " + commit);
        assertTrue(events(result, "changes.rejected").isEmpty(), "no block rejected");
        List<String> told = events(result, "log").stream().map(l -> l.path("msg").asText())
                .filter(m -> m.startsWith("dropped: cancel " + dropped.get(0).path("job").asText())).toList();
        assertEquals(1, told.size(), "the extension read the drop from performChangesAndReport");

        TreeMap<String, Verdict> verdicts = verdicts(result);
        List<String> failed = new ArrayList<>();
        verdicts.forEach((rule, verdict) -> {
            if (verdict.failed()) {
                failed.add(rule + ": " + verdict.message());
            }
        });
        assertEquals(List.of(), failed, "nothing the extension could have avoided");
        Verdict job04 = verdicts.get("JOB-04");
        assertTrue(job04.message().contains("dropped because the system moved the job"), job04.message());
    }

    @Test
    @DisplayName("the broken twin cancels a job already finished when it fetched it: JOB-04 FAILs")
    void staleCancelFails() throws Exception {
        RunResult result = run(ExtensionSource.type(RacingCanceller.Stale.class), "in-process");
        assertTrue(events(result, "change.dropped").stream().anyMatch(d -> d.path("cause").asText().equals("extension")),
                "the twin's own mistake is traced as such");
        Verdict job04 = verdicts(result).get("JOB-04");
        assertTrue(job04.failed(), job04.toString());
        assertTrue(job04.message().contains("at its last fetch"), job04.message());
    }

    @Test
    @DisplayName("in process and in a JVM worker the racing run writes the same trace")
    void sameInTheWorker(@TempDir Path dir) throws Exception {
        Path jar = jar(dir, RacingCanceller.class);
        RunResult inProcess = run(ExtensionSource.jar(jar), "in-process");
        RunResult worker = run(ExtensionSource.jar(jar), "worker");
        assertFalse(events(worker, "change.dropped").isEmpty());
        assertEquals(inProcess.traceText(), worker.traceText());
    }

    @Test
    @DisplayName("as a command (--extension-cmd, the Python client) the racing run writes the same trace as in process")
    void sameAsACommand() throws Exception {
        String python = python();
        Path script = Path.of(ChangesThatCannotApplyTest.class.getResource("/python/racing_canceller.py").toURI());
        RunResult inProcess = run(ExtensionSource.type(RacingCanceller.class), "in-process");
        RunResult command = Simulation.run(plan(), ExtensionSource.command(List.of(python, script.toString()),
                script.getParent()), RunOptions.inMemory().withTransport("direct"));
        assertEquals("command", command.summary().isolation());
        assertFalse(events(command, "change.dropped").isEmpty(), "the Python extension met the race too");
        assertTrue(events(command, "log").stream().anyMatch(l -> l.path("msg").asText().startsWith("dropped: cancel ")),
                "the Python extension read the drop from perform_changes' outcome");
        // Line 1, the header, names the extension (a class here, a command there); every event after it is the same.
        List<String> a = inProcess.traceText().lines().skip(1).toList();
        List<String> b = command.traceText().lines().skip(1).toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "first difference at trace line " + (i + 2));
        }
        assertEquals(a.size(), b.size(), "trace length");
    }

    /** {@code python3} if it is 3.9 or newer; otherwise the calling test is skipped. */
    static String python() throws InterruptedException {
        String python = null;
        try {
            Process probe = new ProcessBuilder("python3", "-c", "import sys; print(sys.version_info >= (3, 9))")
                    .redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (probe.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && probe.exitValue() == 0 && out.equals("True")) {
                python = "python3";
            }
        } catch (IOException e) {
            python = null;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(python != null, "no python3 (3.9 or newer) on PATH");
        return python;
    }

    /** A jar with {@code type} (and its nested classes) and its service entry. */
    static Path jar(Path dir, Class<? extends UploadExtension> type) throws IOException {
        Path jar = dir.resolve(type.getSimpleName() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String prefix = type.getPackageName().replace('.', '/') + "/";
            for (String name : List.of(type.getSimpleName() + ".class", type.getSimpleName() + "$Stale.class",
                    type.getSimpleName() + "$Call.class")) {
                try (InputStream in = type.getResourceAsStream(name)) {
                    if (in == null) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(prefix + name));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/org.upcert.api.UploadExtension"));
            out.write((type.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }
}
