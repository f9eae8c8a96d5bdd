package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.upcert.api.AssetResource;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.cloud.CloudInventory;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
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
 * The bundled sample extension backs up whole libraries to the {@code s3-presigned} and
 * {@code google-photos} clouds (issue 4): every resource stored by SHA-256, every job
 * acknowledged; for Google Photos every succeeded upload committed exactly once (CLD-01); for
 * S3, presigned URLs that expire while transfers crawl are refused with 403 and the sample
 * recovers with fresh destinations (RTY-03).
 */
class S3AndGooglePhotosBackupAcceptanceTest {
    /** Enough to exercise batching (more than 50 commits) and the job limit, small enough for the build. */
    static final int ASSETS = Integer.getInteger("upcert.acceptance.assets", 300);
    private static Path sampleJar;

    @BeforeAll
    static void bundledSample() {
        sampleJar = BundledSample.extract().orElseThrow(() -> new AssertionError(
                "the build must bundle the sample extension at " + BundledSample.RESOURCE));
    }

    private static RunResult run(RunPlan plan, String cloud) {
        return Simulation.run(plan, ExtensionSource.jar(sampleJar),
                org.upcert.conformance.testing.CloudSpec.apply(RunOptions.inMemory(), cloud));
    }

    /** Every live resource is stored in the cloud with exactly its bytes, and every job is acknowledged. */
    private static void assertCompleteBackup(RunResult result) {
        RunSummary s = result.summary();
        TreeMap<String, CloudInventory.StoredObject> bySha = result.inventory().objectsBySha256();
        List<AssetResource> resources = result.library().liveResources();
        for (AssetResource resource : resources) {
            CloudInventory.StoredObject stored = bySha.get(result.payloads().sha256(resource));
            assertTrue(stored != null, "not in the cloud with the right SHA-256: " + resource.key());
            assertEquals(resource.fileSize(), stored.declaredSize(), "declared size of " + resource.key());
        }
        for (JobRecord job : result.jobs()) {
            assertTrue(job.acknowledged(), job.id() + " left unacknowledged in " + job.state());
        }
        assertEquals(resources.size(), s.uploaded(), s.toString());
        assertEquals(0, s.missing());
        assertEquals(0, s.unacknowledged());
        assertEquals(0, s.refusedCalls(), "the sample never uses a stale context");
        assertEquals(0, s.penalties(), "the sample acknowledges every presented job");
        assertEquals("quiescent", s.endReason());
        assertTrue(s.complete());
    }

    @Test
    @DisplayName("google-photos: the sample backs up a library completely and commits every upload exactly once")
    void googlePhotos() {
        RunResult result = run(RunPlan.of(11, Workload.typical(ASSETS)), "google-photos+body-in-headers");
        assertCompleteBackup(result);
        RunSummary s = result.summary();
        TreeMap<String, Integer> commits = result.inventory().commitsByUpload();
        assertEquals(s.resources(), commits.size(), "one upload per resource on a fault-free run");
        assertTrue(commits.values().stream().allMatch(n -> n == 1), "every upload committed exactly once: " + commits);
        assertEquals(s.resources(), result.inventory().objectCount(), "one media item per upload");
        assertTrue(result.inventory().refusals().isEmpty(), result.inventory().refusals().toString());
        assertTrue(result.traceText().contains("mediaItems:batchCreate"), "commits go through context.http()");
        assertEquals(Map.of("SUCCEEDED+ack", s.resources()), s.jobsByFinalState());
    }

    @Test
    @DisplayName("google-photos: killed mid-call, tokens stored before the kill are committed later, none twice")
    void googlePhotosKilled() {
        RunPlan plan = RunPlan.of(4, Workload.typical(ASSETS)).withFaults(List.of(
                new PlannedFault.HardKill(1, 12), new PlannedFault.HardKill(3, 5), new PlannedFault.HardKill(5, 30),
                new PlannedFault.KillInChanges(7, 1, true), new PlannedFault.TerminationNotice(9, 4)));
        RunResult result = run(plan, "google-photos+body-in-headers");
        assertCompleteBackup(result);
        assertTrue(result.summary().kills() >= 3, result.summary().toString());
        TreeMap<String, Integer> commits = result.inventory().commitsByUpload();
        assertTrue(commits.values().stream().allMatch(n -> n == 1), "committed exactly once: " + commits);
        assertEquals(commits.size(), result.inventory().objectCount());
    }

    @Test
    @DisplayName("s3-presigned: the sample backs up a library completely with one presigned URL per job")
    void s3Presigned() {
        RunResult result = run(RunPlan.of(12, Workload.typical(ASSETS)), "s3-presigned");
        assertCompleteBackup(result);
        RunSummary s = result.summary();
        assertEquals(s.resources(), result.inventory().objectCount());
        assertTrue(result.traceText().contains("X-Amz-Signature="), "destinations are presigned URLs");
        assertTrue(result.traceText().contains("/backend/presign"), "presigned through context.http()");
    }

    @Test
    @DisplayName("s3-presigned: transfers slower than X-Amz-Expires get 403 'Request has expired'; the sample retries with fresh URLs and converges")
    void s3PresignedExpiry() {
        // Half an hour of a crawling uplink (40 kbit/s shared by 4 slots: a 2.4 MB photo takes
        // over half an hour): transfers started then outlive their 900 s URLs.
        RunPlan plan = RunPlan.of(13, Workload.typical(ASSETS)).withFaults(List.of(
                new PlannedFault.NetworkDegraded(0, 1_800_000, 30, 40)));
        RunResult result = run(plan, "s3-presigned");
        List<CloudInventory.Refusal> expired = result.inventory().refusals().stream()
                .filter(r -> r.status() == 403 && r.reason().contains("Request has expired")).toList();
        assertTrue(!expired.isEmpty(), "some URLs expired: " + result.inventory().refusals().size() + " refusals");
        assertTrue(result.traceText().contains("\"status\":403"), "403s show in the trace");
        assertTrue(result.inventory().refusals().stream().noneMatch(r -> r.reason().contains("SignatureDoesNotMatch")),
                "the sample never tampers with a URL");
        List<String> retries = result.traceText().lines().filter(line -> line.contains("\"ev\":\"job.retry\"")).toList();
        assertTrue(!retries.isEmpty(), "expired jobs are retried");
        assertTrue(retries.stream().allMatch(line -> line.contains("X-Amz-Signature=")),
                "every retry carries a freshly presigned URL, never the stale one (RTY-03): " + retries.get(0));
        assertCompleteBackup(result);
    }

    @ParameterizedTest(name = "{0} under {1}")
    @CsvSource({"s3-presigned, cloud-errors", "google-photos+body-in-headers, cloud-errors", "s3-presigned, lost-responses",
            "google-photos+body-in-headers, lost-responses", "google-photos, lost-responses", "onedrive, lost-responses",
            "dropbox, lost-responses"})
    @DisplayName("the dialects are pure functions of request, state and virtual clock: direct and loopback traces are identical")
    void directEqualsLoopback(String cloud, String profile) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), 2).plan();
        String loopback = run(plan, cloud).traceText();
        String direct = Simulation.run(plan, ExtensionSource.jar(sampleJar),
                // the sample in this JVM, the loopback run's in a worker: one comparison covers both
                org.upcert.conformance.testing.CloudSpec.apply(RunOptions.inMemory().withTransport("direct")
                        .withIsolation(org.upcert.harness.run.Hosting.IN_PROCESS), cloud)).traceText();
        assertTrue(loopback.contains("\"cloud\":\"" + cloud.split("\\+")[0] + "\""));
        if (!loopback.equals(direct)) {
            List<String> a = loopback.lines().toList();
            List<String> b = direct.lines().toList();
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                assertEquals(a.get(i), b.get(i), "first difference at trace line " + (i + 1));
            }
            assertEquals(a.size(), b.size(), "trace lengths differ");
        }
    }
}
