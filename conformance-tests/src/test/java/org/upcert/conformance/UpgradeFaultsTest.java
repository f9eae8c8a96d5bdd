package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.mutants.UpgradeMutants;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.testing.ExtensionJars;
import org.upcert.conformance.upgrade.BuildStamps;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * The update faults judged end to end (issue 15): the sample certifies on {@code upgrades}; an
 * extension that asks {@code assetResource(forUploadJob:)} for jobs from before the OS upgrade,
 * and a new build that cannot read the old build's ledger, FAIL CLD-02, while a new build that
 * migrates passes; and an {@code app.upgrade} runs the next artifact in process, in a JVM worker
 * and as a command.
 */
class UpgradeFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunPlan upgrades(long seed) throws Exception {
        return PlanExpander.expand(ProfileCatalogue.load("upgrades"), seed).plan();
    }

    private static TreeMap<String, Verdict> judge(RunResult result) {
        RunEvidence evidence = RunEvidence.of(result);
        TreeMap<String, Verdict> verdicts = new TreeMap<>();
        for (Map.Entry<String, RuleChecker> entry : RuleCatalogue.checkers().entrySet()) {
            verdicts.put(entry.getKey(), entry.getValue().check(evidence));
        }
        return verdicts;
    }

    private static List<String> failures(TreeMap<String, Verdict> verdicts) {
        List<String> failed = new ArrayList<>();
        verdicts.forEach((id, v) -> {
            if (v.status() == Verdict.Status.FAIL) {
                failed.add(id + ": " + v.message());
            }
        });
        return failed;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    @DisplayName("the sample passes every rule on upgrades; CLD-02 is exercised by the jobs that outlive the upgrade to iOS 27")
    void sampleCertifies(long seed) throws Exception {
        RunResult result = Simulation.run(upgrades(seed), ExtensionSource.jar(BundledSample.extract().orElseThrow()),
                RunOptions.inMemory().withTransport("direct"));
        TreeMap<String, Verdict> verdicts = judge(result);
        assertEquals(List.of(), failures(verdicts));
        Verdict cld02 = verdicts.get("CLD-02");
        assertEquals(Verdict.Status.PASS, cld02.status(), cld02.toString());
        assertTrue(cld02.message().contains("before the upgrade to iOS 27"), cld02.message());
        String trace = result.traceText();
        assertEquals(2, trace.lines().filter(l -> l.contains("\"ev\":\"app.upgrade\"")).count());
        assertTrue(trace.contains("\"ev\":\"os.upgrade\",\"from\":\"26.5\",\"to\":\"27\""), "one line: os.upgrade 26.5 -> 27");
        assertTrue(result.summary().complete(), result.summary().toString());
    }

    @Test
    @DisplayName("asking assetResource(forUploadJob:) for every job on iOS 27 crashes on the jobs from 26.5: CLD-02 and RES-04 FAIL")
    void assetResourceForEveryJob() throws Exception {
        RunResult result = Simulation.run(upgrades(1), ExtensionSource.type(UpgradeMutants.AsksAssetResourceForEveryJob.class,
                UpgradeMutants.AsksAssetResourceForEveryJob::new), RunOptions.inMemory().withTransport("direct"));
        TreeMap<String, Verdict> verdicts = judge(result);
        assertEquals(Verdict.Status.FAIL, verdicts.get("CLD-02").status());
        assertTrue(verdicts.get("CLD-02").message().contains("aborts the process"), verdicts.get("CLD-02").message());
        assertEquals(Verdict.Status.FAIL, verdicts.get("RES-04").status(), "the process crashed");
        assertTrue(result.traceText().contains("\"outcome\":\"crashed\""));
    }

    @Test
    @DisplayName("app.upgrade: a new build that cannot read the v1 ledger starts afresh (CLD-02 FAIL, DUP-02 counts the re-uploads); one that migrates passes")
    void ledgerFormats() throws Exception {
        RunResult lost = Simulation.run(upgrades(1), ExtensionSource.type(UpgradeMutants.LedgerV1Build.class,
                UpgradeMutants.LedgerV1Build::new), RunOptions.inMemory().withTransport("direct").withUpgradeTo(
                ExtensionSource.type(UpgradeMutants.CannotReadTheV1Ledger.class, UpgradeMutants.CannotReadTheV1Ledger::new)));
        TreeMap<String, Verdict> lostVerdicts = judge(lost);
        assertEquals(Verdict.Status.FAIL, lostVerdicts.get("CLD-02").status(), lostVerdicts.get("CLD-02").toString());
        assertTrue(lostVerdicts.get("DUP-02").message().contains("uploaded more than once"), lostVerdicts.get("DUP-02").toString());
        assertTrue(lost.summary().duplicateWrites() > 0, "uploaded again: " + lost.summary());

        RunResult migrated = Simulation.run(upgrades(1), ExtensionSource.type(UpgradeMutants.LedgerV1Build.class,
                UpgradeMutants.LedgerV1Build::new), RunOptions.inMemory().withTransport("direct").withUpgradeTo(
                ExtensionSource.type(UpgradeMutants.MigratesTheV1Ledger.class, UpgradeMutants.MigratesTheV1Ledger::new)));
        TreeMap<String, Verdict> migratedVerdicts = judge(migrated);
        assertEquals(List.of(), failures(migratedVerdicts));
        assertEquals(Verdict.Status.PASS, migratedVerdicts.get("DUP-02").status(), migratedVerdicts.get("DUP-02").toString());
        assertEquals(0, migrated.summary().duplicateWrites());
        assertTrue(migrated.files().read("upgrade/migrated-from-v1").isPresent(), "the new build migrated");
        assertTrue(migrated.files().list("v1/").isEmpty(), "and removed the old layout");
    }

    private static final long MIN = 60_000;

    /** The two builds, with the update at 12 min; calls at 0, 5 and 15 min (FAILURE backoff). */
    private static RunResult stamps(ExtensionSource old, ExtensionSource next, String isolation) {
        RunPlan plan = new RunPlan(11, "test", Workload.typical(3).withOs("27"), SystemPolicy.defaults(), Phases.none(),
                List.of(new PlannedFault.AppUpgrade(12 * MIN, 12 * MIN)));
        return Simulation.run(plan, old, RunOptions.inMemory().withTransport("direct").withIsolation(isolation).withUpgradeTo(next));
    }

    private static List<String> logged(RunResult result) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : result.traceText().lines().toList()) {
            JsonNode event = JSON.readTree(line);
            if (event.path("ev").asText().equals("log")) {
                lines.add(event.path("msg").asText());
            }
        }
        return lines;
    }

    @Test
    @DisplayName("app.upgrade runs the next jar in process and in a JVM worker alike: the same trace, the old build's storage read by the new")
    void nextJarInEveryJvmIsolation(@TempDir Path dir) throws Exception {
        Path oldJar = ExtensionJars.pack(BuildStamps.OldBuild.class, "BuildStamps", dir, Map.of());
        Path newJar = ExtensionJars.pack(BuildStamps.NewBuild.class, "BuildStamps", dir, Map.of());
        RunResult inProcess = stamps(ExtensionSource.jar(oldJar), ExtensionSource.jar(newJar), "in-process");
        RunResult worker = stamps(ExtensionSource.jar(oldJar), ExtensionSource.jar(newJar), "worker");
        List<String> expected = List.of("old found []", "old found [old]", "new found [old old]");
        assertEquals(expected, logged(inProcess).subList(0, 3));
        assertEquals("worker", worker.summary().isolation());
        assertEquals(inProcess.traceText(), worker.traceText(), "the same trace in either isolation");
        JsonNode header = JSON.readTree(worker.traceText().lines().findFirst().orElseThrow());
        assertEquals(ExtensionSource.jar(newJar).sha256(), header.path("extension").path("upgradeTo").path("sha256").asText());
    }

    @Test
    @DisplayName("app.upgrade runs the next jar in the container sandbox too: the same trace as in process, the old build's storage read by the new")
    void nextJarInTheContainer(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.upcert.harness.host.container.DockerEngine.isAvailable(),
                () -> "no Docker engine: " + org.upcert.harness.host.container.DockerEngine.unavailableReason().orElse("?"));
        Path oldJar = ExtensionJars.pack(BuildStamps.OldBuild.class, "BuildStamps", dir, Map.of());
        Path newJar = ExtensionJars.pack(BuildStamps.NewBuild.class, "BuildStamps", dir, Map.of());
        RunResult inProcess = stamps(ExtensionSource.jar(oldJar), ExtensionSource.jar(newJar), "in-process");
        RunResult container = stamps(ExtensionSource.jar(oldJar), ExtensionSource.jar(newJar), "container");
        assertEquals("container", container.summary().isolation());
        assertEquals(List.of("old found []", "old found [old]", "new found [old old]"), logged(container).subList(0, 3),
                "the new build, in a container of its own, reads what the old one wrote to the app group");
        assertEquals(inProcess.traceText(), container.traceText(), "the same trace in either isolation");
    }

    @Test
    @DisplayName("NOT_APPLICABLE reads the level the run reached: after an upgrade from 26.1 to 26.4, cancel existed")
    void applicabilityAfterAnUpgrade() throws Exception {
        RunPlan plan = new RunPlan(3, "test", Workload.typical(20).withOs("26.1"), SystemPolicy.defaultsFor("26.1"), Phases.none(),
                List.of(new PlannedFault.OsUpgrade(MIN, MIN, "26.4")));
        RunResult result = Simulation.run(plan, ExtensionSource.jar(BundledSample.extract().orElseThrow()),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process"));
        Verdict job04 = RuleCatalogue.judge("JOB-04", RunEvidence.of(result));
        // the sample cancels only jobs of deleted assets (none here): the trigger was never used, and it existed
        assertEquals(Verdict.Status.NOT_APPLICABLE, job04.status(), job04.toString());
        assertTrue(job04.message().contains("never used"), "the run reached 26.4, where cancel exists: " + job04);
    }

    @Test
    @DisplayName("the Python reference FAILs nothing on upgrades (its app updates relaunch it as a command); CLD-02 passes")
    void pythonReference(@TempDir Path out) throws Exception {
        String python = org.upcert.conformance.python.Python.require();
        org.upcert.conformance.python.Python.Outcome outcome = org.upcert.conformance.python.Python.certify("--extension-cmd",
                org.upcert.conformance.python.Python.command(python, Path.of("..", "clients", "python", "examples",
                        "reference_extension.py").toAbsolutePath().normalize()),
                "--profiles", "upgrades", "--seeds", "1", "--json", "--quiet", "--out", out.toString());
        JsonNode json = JSON.readTree(outcome.out().strip());
        List<String> failed = new ArrayList<>();
        for (JsonNode rule : json.path("rules")) {
            if (rule.path("verdict").asText().equals("FAIL")) {
                failed.add(rule.path("id").asText());
            }
            if (rule.path("id").asText().equals("CLD-02")) {
                assertEquals("PASS", rule.path("verdict").asText(), rule.toString());
            }
        }
        assertEquals(List.of(), failed, outcome.err() + json.path("failures"));
        assertEquals("command", json.path("runs").path("isolation").asText());
    }

    @Test
    @DisplayName("app.upgrade runs the next command in command isolation (Python): the new build reads the old build's storage")
    void nextCommand(@TempDir Path dir) throws Exception {
        String python = org.upcert.conformance.python.Python.require();
        String script = """
                import upcert_extension as up

                class Stamp(up.UploadExtension):
                    def process_jobs(self, context):
                        before = context.storage.read_string("builds.txt") or ""
                        context.log.info("%s found [" + before.strip() + "]")
                        context.storage.append_string("builds.txt", "%s ")
                        return up.ProcessingResult.%s

                    def will_terminate(self):
                        pass

                if __name__ == "__main__":
                    up.run(Stamp)
                """;
        // The old build fails every call (so the system keeps calling until the update); the new one
        // answers COMPLETED, so the run ends there instead of relaunching Python for a simulated week.
        Files.writeString(dir.resolve("old_build.py"), script.formatted("old", "old", "FAILURE"));
        Files.writeString(dir.resolve("new_build.py"), script.formatted("new", "new", "COMPLETED"));
        RunResult result = stamps(ExtensionSource.command(List.of(python, "old_build.py"), dir),
                ExtensionSource.command(List.of(python, "new_build.py"), dir), "auto");
        assertEquals("command", result.summary().isolation());
        assertEquals("quiescent", result.summary().endReason(), "the new build's COMPLETED ends the run");
        assertEquals(List.of("old found []", "old found [old]", "new found [old old]"), logged(result).subList(0, 3));
    }
}
