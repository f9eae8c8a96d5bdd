package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.AssetResource;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.cli.UpcertCommand;
import org.upcert.harness.cloud.CloudInventory;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.jobs.JobRecord;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.RunSummary;
import org.upcert.harness.run.Simulation;

/**
 * The bundled sample extension, loaded exactly as {@code ./upcert run} loads it (the jar inside
 * the upcert jar, in its own class loader), backs up whole libraries.
 */
class SampleBackupAcceptanceTest {
    private static Path sampleJar;

    @BeforeAll
    static void bundledSample() {
        sampleJar = BundledSample.extract().orElseThrow(() -> new AssertionError(
                "the build must bundle the sample extension at " + BundledSample.RESOURCE));
    }

    /** Every live resource is stored in the cloud with exactly its bytes, and every job is acknowledged. */
    private static void assertCompleteBackup(RunResult result) {
        RunSummary s = result.summary();
        TreeMap<String, CloudInventory.StoredObject> bySha = result.inventory().objectsBySha256();
        List<AssetResource> resources = result.library().liveResources();
        for (AssetResource resource : resources) {
            String sha = result.payloads().sha256(resource);
            CloudInventory.StoredObject stored = bySha.get(sha);
            assertTrue(stored != null, "not in the cloud with the right SHA-256: " + resource.key());
            assertEquals(resource.fileSize(), stored.declaredSize(), "declared size of " + resource.key());
        }
        for (JobRecord job : result.jobs()) {
            assertTrue(job.acknowledged(), job.id() + " left unacknowledged in " + job.state());
        }
        assertEquals(resources.size(), s.uploaded());
        assertEquals(0, s.missing());
        assertEquals(0, s.unacknowledged());
        assertEquals(0, s.refusedCalls(), "the sample never uses a stale context");
        assertEquals(0, s.penalties(), "the sample acknowledges every presented job");
        assertEquals("quiescent", s.endReason());
        assertTrue(s.complete());
    }

    @Test
    @DisplayName("the sample backs up a 1,000-asset library completely: every resource by SHA-256, every job acknowledged")
    void thousandAssets() {
        RunResult result = Simulation.run(RunPlan.of(1, Workload.typical(1_000)), ExtensionSource.jar(sampleJar),
                RunOptions.inMemory());
        assertCompleteBackup(result);
        RunSummary s = result.summary();
        assertTrue(s.resources() > 1_000, "Live Photos and RAW pairs add resources: " + s.resources());
        assertEquals(0, s.duplicateWrites(), "nothing uploaded twice on a fault-free run");
        assertEquals(Map.of("SUCCEEDED+ack", s.resources()), s.jobsByFinalState());
        assertEquals(1, s.launches(), "one process for the whole fault-free backup");
        assertTrue(s.outcomes().containsKey("COMPLETED"));
    }

    @Test
    @DisplayName("killed in the middle of calls, the sample relaunches from storage and still converges without duplicate jobs")
    void killsMidCall() {
        RunPlan plan = RunPlan.of(4, Workload.typical(300)).withFaults(List.of(
                new PlannedFault.HardKill(1, 12), new PlannedFault.HardKill(3, 5), new PlannedFault.HardKill(5, 30),
                new PlannedFault.KillInChanges(7, 1, true), new PlannedFault.TerminationNotice(9, 4)));
        RunResult result = Simulation.run(plan, ExtensionSource.jar(sampleJar), RunOptions.inMemory());
        assertCompleteBackup(result);
        assertTrue(result.summary().kills() >= 3, result.summary().toString());
        assertTrue(result.summary().launches() >= 4);
        assertTrue(result.files().list("ledger/").size() > 0, "the ledger lives in the app-group storage");
        TreeMap<String, Integer> jobsPerResource = new TreeMap<>();
        for (JobRecord job : result.jobs()) {
            if (job.state() != org.upcert.api.JobState.CANCELLED) {
                jobsPerResource.merge(job.resource().key(), 1, Integer::sum);
            }
        }
        assertTrue(jobsPerResource.values().stream().allMatch(n -> n == 1),
                "a relaunch must not create a second job for a resource: " + jobsPerResource);
    }

    @Test
    @DisplayName("./upcert run --json: exit 0, one JSON summary on stdout, the trace and summary.json on disk")
    void cliRun(@TempDir Path out) throws Exception {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        var cli = UpcertCommand.commandLine();
        cli.setOut(new PrintWriter(stdout));
        cli.setErr(new PrintWriter(stderr));
        int exit = cli.execute("run", "--assets", "200", "--seed", "5", "--json", "--out", out.toString());
        assertEquals(0, exit, stderr.toString());
        JsonNode summary = new ObjectMapper().readTree(stdout.toString().trim());
        assertTrue(summary.path("complete").asBoolean());
        assertEquals(summary.path("resources").asInt(), summary.path("uploaded").asInt());
        assertTrue(summary.path("extension").asText().contains("SampleUploadExtension"));
        Path trace = out.resolve("trace.jsonl");
        assertTrue(Files.size(trace) > 10_000);
        assertTrue(Files.readAllLines(trace).get(0).contains("\"seed\":5"));
        assertTrue(Files.exists(out.resolve("summary.json")));
    }

    @Test
    @DisplayName("bad usage exits 2 with a message, never a stack trace")
    void badUsage() {
        StringWriter stderr = new StringWriter();
        var cli = UpcertCommand.commandLine();
        cli.setErr(new PrintWriter(stderr));
        cli.setOut(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("run", "--assets", "lots"));
        assertTrue(stderr.toString().contains("--assets"), stderr.toString());
        assertEquals(2, cli.execute("run", "--extension", "/no/such.jar"));
        assertTrue(stderr.toString().contains("not found"), stderr.toString());
        assertTrue(!stderr.toString().contains("\tat "), "no stack trace: " + stderr);
    }
}
