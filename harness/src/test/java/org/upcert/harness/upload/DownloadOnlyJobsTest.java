package org.upcert.harness.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.AssetResource;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.harness.host.DeviceCosts;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.testing.ScriptedExtension;
import org.upcert.harness.testing.TraceLines;

/**
 * Download-only jobs in the simulator (issue 15; reference §1.3, §2): no HTTP, the iCloud download's
 * time, the {@code icloud.download} fault's -1008, and the local copy that spares an upload started
 * within {@link SimulatedLibrary#LOCAL_COPY_MS} its own iCloud download.
 */
class DownloadOnlyJobsTest {
    private static final long MIN = 60_000;

    /** What one scripted run saw and did. */
    private record Run(RunResult result, TraceLines trace, List<UploadJob> finished, long size) {
        /** The upload job's transfer.start (the line without a type). */
        JsonNode uploadStart() {
            return trace.events("transfer.start").stream().filter(l -> !l.has("type")).findFirst().orElseThrow();
        }

        JsonNode downloadStart() {
            return trace.events("transfer.start").stream().filter(l -> l.has("type")).findFirst().orElseThrow();
        }
    }

    /**
     * The first original of a library whose every asset is offloaded: with {@code hydrate}, a
     * download-only job first, then (once it succeeded and {@code waitMs} passed) its upload job;
     * without, the upload job at once; {@code upload} false: never an upload.
     */
    private static Run run(boolean hydrate, long waitMs, boolean upload, PlannedFault... extra) {
        List<PlannedFault> faults = new ArrayList<>(List.of(new PlannedFault.AssetsOffloaded(0, 0, 4)));
        faults.addAll(List.of(extra));
        RunPlan plan = new RunPlan(3, "test", Workload.typical(4).withOs("26.5"), SystemPolicy.defaults(), Phases.standard(2 * 60 * MIN),
                faults);
        List<UploadJob> finished = new ArrayList<>();
        AtomicReference<String> download = new AtomicReference<>();
        AtomicLong downloadedAt = new AtomicLong(-1);
        AtomicBoolean uploaded = new AtomicBoolean(!upload);
        AtomicLong size = new AtomicLong();
        RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
            var library = context.library();
            AssetResource resource = library.fetchAssets().get(0).resources().get(0);
            size.set(resource.fileSize());
            long now = context.clock().millis();
            UploadRequest destination = UploadRequest.put(URI.create(context.uploadUrlBase() + "files/probe"));
            List<UploadJob> done = library.fetchJobs(JobAction.ACKNOWLEDGE);
            finished.addAll(done);
            for (UploadJob job : done) {
                if (job.localIdentifier().equals(download.get()) && job.state() == JobState.SUCCEEDED && downloadedAt.get() < 0) {
                    downloadedAt.set(now);
                }
            }
            boolean create = !uploaded.get() && (!hydrate || (downloadedAt.get() >= 0 && now - downloadedAt.get() >= waitMs));
            boolean ask = hydrate && download.get() == null;
            library.performChanges(changes -> {
                done.forEach(changes::acknowledge);
                if (ask) {
                    download.set(changes.createDownloadJob(resource));
                }
                if (create) {
                    changes.createJob(resource, destination);
                }
            });
            if (create) {
                uploaded.set(true);
            }
            return uploaded.get() && done.isEmpty() && !ask && !create ? ProcessingResult.COMPLETED : ProcessingResult.PROCESSING;
        }), RunOptions.inMemory());
        return new Run(result, new TraceLines(result.traceText()), finished, size.get());
    }

    @Test
    @DisplayName("a download-only job of an offloaded original takes one latency plus its iCloud download, sends nothing,"
            + " succeeds without status or headers, and its copy stays local for 10 minutes")
    void aDownloadSendsNothing() {
        Run run = run(true, 0, false);
        JsonNode create = run.trace.first("job.create");
        assertEquals("DOWNLOAD_ONLY", create.path("type").asText());
        assertTrue(create.path("url").isMissingNode() && create.path("method").isMissingNode(), create.toString());
        JsonNode start = run.downloadStart();
        assertEquals(DeviceCosts.iCloudDownloadMillis(run.size), start.path("ms").asLong() - SystemPolicy.defaults().latencyMs());
        JsonNode succeeded = run.trace.first("job.succeeded");
        assertEquals("DOWNLOAD_ONLY", succeeded.path("type").asText());
        assertTrue(succeeded.path("status").isMissingNode());
        JsonNode local = run.trace.first("resource.local");
        assertEquals(succeeded.path("t").asLong() + SimulatedLibrary.LOCAL_COPY_MS, local.path("until").asLong());
        UploadJob job = run.finished.get(0);
        assertEquals(JobType.DOWNLOAD_ONLY, job.type());
        assertNull(job.destination(), "a download-only job has no destination");
        assertTrue(job.responseHeaderFields().isEmpty() && job.error().isEmpty());
        assertEquals(0, run.result.inventory().writes().size(), "the cloud saw nothing");
        assertTrue(run.trace.events("transfer.preflight").isEmpty() && run.trace.events("http").isEmpty(), "no request at all");
        assertEquals("DOWNLOAD_ONLY", run.trace.first("job.ack").path("type").asText());
    }

    @Test
    @DisplayName("an upload started while the downloaded copy is local skips the iCloud download; after the purge it downloads again")
    void theLocalCopySparesTheUploadItsDownload() {
        long direct = run(false, 0, true).uploadStart().path("ms").asLong();
        Run hydrated = run(true, 0, true);
        long fromCopy = hydrated.uploadStart().path("ms").asLong();
        assertEquals(DeviceCosts.iCloudDownloadMillis(hydrated.size), direct - fromCopy, "the iCloud download, and only it");
        Run late = run(true, SimulatedLibrary.LOCAL_COPY_MS + MIN, true);
        assertTrue(late.uploadStart().path("t").asLong() > late.trace.first("resource.local").path("until").asLong());
        assertEquals(direct, late.uploadStart().path("ms").asLong(), "purged: downloaded again");
    }

    @Test
    @DisplayName("icloud.download: a download-only job of an offloaded original fails with -1008, as an upload does")
    void iCloudFailsItLikeAnUpload() {
        Run run = run(true, 0, false, new PlannedFault.ICloudDownloadFailure(0, 30 * MIN, 1.0));
        JsonNode failed = run.trace.first("job.failed");
        assertEquals("DOWNLOAD_ONLY", failed.path("type").asText());
        assertEquals(UploadError.RESOURCE_UNAVAILABLE, failed.path("code").asInt());
        assertTrue(run.trace.events("resource.local").stream().allMatch(l -> l.path("t").asLong() >= 30 * MIN),
                "no copy came down while iCloud failed");
    }

    @Test
    @DisplayName("below iOS 26.4 createDownloadJob is refused as a missing member, and recorded")
    void missingBelow264() {
        List<String> seen = new ArrayList<>();
        RunPlan plan = new RunPlan(3, "test", Workload.typical(2).withOs("26.1"), SystemPolicy.defaults(), Phases.none(), List.of());
        RunResult result = Simulation.run(plan, ScriptedExtension.source((context, self) -> {
            AssetResource resource = context.library().fetchAssets().get(0).resources().get(0);
            seen.add(assertThrows(UnsupportedOperationException.class,
                    () -> context.library().performChanges(changes -> changes.createDownloadJob(resource))).getClass().getSimpleName());
            return ProcessingResult.COMPLETED;
        }), RunOptions.inMemory());
        assertEquals(List.of("UnsupportedOperationException"), seen);
        JsonNode refused = new TraceLines(result.traceText()).first("api.refused");
        assertEquals("JobChanges.createDownloadJob", refused.path("api").asText());
        assertEquals("not available before iOS 26.4", refused.path("reason").asText());
    }
}
