package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.mutants.DownloadMutants;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.testing.CloudSpec;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * Download-only jobs end to end (issue 15): the hydrating style ({@link HydratingExtension}:
 * download-only job first, upload job after its success) certifies on the profiles with
 * offloaded originals and failing iCloud downloads, in two clouds; a download-only success is
 * never an upload, and the copy it brought down spares the upload its iCloud download.
 */
class HydratingAcceptanceTest {
    private static RunEvidence run(String profile, long seed, String cloud) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), seed).plan();
        RunOptions options = CloudSpec.apply(RunOptions.inMemory().withTransport("direct"), cloud);
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.type(HydratingExtension.class, HydratingExtension::new), options));
    }

    private static List<TraceEvent> events(RunEvidence evidence, String name) {
        return evidence.events().stream().filter(e -> e.name().equals(name)).toList();
    }

    private static boolean download(TraceEvent event) {
        return "DOWNLOAD_ONLY".equals(event.text("type"));
    }

    @Test
    @DisplayName("memory-and-cpu (offloaded originals, failing iCloud downloads), seed 1: no MUST rule fails; every resource"
            + " uploaded had a download-only job first, and offloaded ones were uploaded from the downloaded copy")
    void hydratesThenUploads() throws Exception {
        RunEvidence evidence = run("memory-and-cpu", 1, "generic-put");
        assertEquals(List.of(), MustFailures.of(evidence));
        TreeSet<String> downloaded = new TreeSet<>();
        TreeSet<String> downloadJobs = new TreeSet<>();
        int uploads = 0;
        for (TraceEvent create : events(evidence, "job.create")) {
            if (download(create)) {
                downloadJobs.add(create.text("job"));
                assertTrue(create.fields().path("url").isMissingNode(), "a download-only job has no destination: " + create.raw());
            }
        }
        java.util.TreeMap<String, String> resourceOf = new java.util.TreeMap<>();
        for (TraceEvent create : events(evidence, "job.create")) {
            resourceOf.put(create.text("job"), create.text("resource"));
        }
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("job.succeeded") && download(event)) {
                downloaded.add(resourceOf.get(event.text("job")));
                assertTrue(event.fields().path("status").isMissingNode(), "no HTTP status: nothing was sent " + event.raw());
            }
            if (event.name().equals("job.create") && !download(event)) {
                uploads++;
                assertTrue(downloaded.contains(event.text("resource")) || hadDownload(evidence, event),
                        "the upload of " + event.text("resource") + " follows its download-only job");
            }
        }
        assertTrue(downloadJobs.size() > 100 && uploads > 100, downloadJobs.size() + " downloads, " + uploads + " uploads");
        assertTrue(events(evidence, "job.failed").stream().anyMatch(e -> download(e) && e.number("code") == -1008),
                "some iCloud download failed a download-only job (-1008)");
        assertTrue(!events(evidence, "resource.local").isEmpty(), "offloaded originals came down and stayed local");
    }

    /** A resource released after its download-only job failed twice, or whose job a kill left unknown, had one all the same. */
    private static boolean hadDownload(RunEvidence evidence, TraceEvent upload) {
        for (TraceEvent event : evidence.events()) {
            if (event.line() >= upload.line()) {
                return false;
            }
            if (event.name().equals("job.create") && download(event) && event.text("resource").equals(upload.text("resource"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    @DisplayName("library-churn on s3-presigned, seed 1: no MUST rule fails (deleted and offloaded assets, token expiry)")
    void anotherProfileAnotherCloud() throws Exception {
        RunEvidence evidence = run("library-churn", 1, "s3-presigned");
        assertEquals(List.of(), MustFailures.of(evidence));
        assertTrue(events(evidence, "job.create").stream().anyMatch(HydratingAcceptanceTest::download));
    }

    @Test
    @DisplayName("tiny-job-limit (4 jobs: downloads and uploads share them) and locked-device (an app group unreadable"
            + " until the first unlock), seed 1: no MUST rule fails")
    void sharesASmallLimitAndWaitsForTheUnlock() throws Exception {
        for (String profile : List.of("tiny-job-limit", "locked-device")) {
            RunEvidence evidence = run(profile, 1, "generic-put");
            assertEquals(List.of(), MustFailures.of(evidence), profile);
            assertTrue(events(evidence, "job.create").stream().anyMatch(HydratingAcceptanceTest::download), profile);
        }
    }

    @Test
    @DisplayName("a download-only success recorded as an upload: E2E-01 FAILs, its fate names the download-only job")
    void aDownloadIsNotAnUpload() throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load("baseline"), 1).plan();
        RunEvidence evidence = RunEvidence.of(Simulation.run(plan, ExtensionSource.type(DownloadMutants.DownloadCountedAsUpload.class,
                DownloadMutants.DownloadCountedAsUpload::new), RunOptions.inMemory().withTransport("direct")));
        Verdict verdict = RuleCatalogue.judge("E2E-01", evidence);
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
        assertTrue(verdict.message().contains("download-only"), verdict.message());
        assertTrue(RuleCatalogue.rules().stream().anyMatch(r -> r.id().equals("E2E-01") && r.must()));
        // ACK-01 stays PASS: the download-only jobs were acknowledged, which is right
        assertEquals(Verdict.Status.PASS, RuleCatalogue.judge("ACK-01", evidence).status());
    }

    @Test
    @DisplayName("download-only jobs created on iOS 26.1: RES-04 FAILs (in process, the hydrating twin; in a JVM worker, a"
            + " probe), the exception reaches the extension and the harness runs on")
    void belowIos264ItIsATrap(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        RunPlan base = PlanExpander.expand(ProfileCatalogue.load("baseline"), 1).plan();
        RunPlan plan = new RunPlan(base.seed(), base.profile(), base.workload().withOs("26.1"), base.policy(), base.phases(),
                base.faults());
        java.nio.file.Path jar = org.upcert.conformance.testing.ExtensionJars.pack(DownloadProbe.class, "DownloadProbe", dir,
                java.util.Map.of());
        List<RunEvidence> runs = List.of(
                RunEvidence.of(Simulation.run(plan, ExtensionSource.type(DownloadMutants.DownloadsBelow264.class,
                        DownloadMutants.DownloadsBelow264::new), RunOptions.inMemory().withTransport("direct"))),
                RunEvidence.of(Simulation.run(plan, ExtensionSource.jar(jar),
                        RunOptions.inMemory().withTransport("direct").withIsolation("worker"))));
        for (RunEvidence evidence : runs) {
            Verdict verdict = RuleCatalogue.judge("RES-04", evidence);
            assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
            assertTrue(verdict.message().contains("JobChanges.createDownloadJob"), verdict.message());
            assertTrue(events(evidence, "job.create").stream().noneMatch(HydratingAcceptanceTest::download),
                    "no download-only job exists on iOS 26.1");
        }
        assertTrue(events(runs.get(1), "log").stream().anyMatch(e -> e.text("msg").equals(
                "no download-only job: UnsupportedOperationException")), "the worker's extension got the exception");
    }

    @Test
    @DisplayName("on iOS 26.4 the probe's download-only job is created, succeeds and is left unacknowledged: ACK-01 FAILs,"
            + " RES-04 does not (a download-only job is a job like any other)")
    void onIos264ItIsAJob(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        RunPlan base = PlanExpander.expand(ProfileCatalogue.load("baseline"), 1).plan();
        RunPlan plan = new RunPlan(base.seed(), base.profile(), base.workload().withOs("26.4"), base.policy(), base.phases(),
                base.faults());
        java.nio.file.Path jar = org.upcert.conformance.testing.ExtensionJars.pack(DownloadProbe.class, "DownloadProbe", dir,
                java.util.Map.of());
        RunEvidence inProcess = RunEvidence.of(Simulation.run(plan, ExtensionSource.type(DownloadProbe.class, DownloadProbe::new),
                RunOptions.inMemory().withTransport("direct")));
        var worker = Simulation.run(plan, ExtensionSource.jar(jar), RunOptions.inMemory().withTransport("direct").withIsolation("worker"));
        assertTrue(events(inProcess, "job.succeeded").stream().anyMatch(HydratingAcceptanceTest::download));
        assertEquals(Verdict.Status.FAIL, RuleCatalogue.judge("ACK-01", inProcess).status());
        assertTrue(RuleCatalogue.judge("RES-04", inProcess).status() != Verdict.Status.FAIL);
        assertEquals(Verdict.Status.NOT_EXERCISED, RuleCatalogue.judge("E2E-02", inProcess).status(),
                "no upload job: nothing to judge for destinations");
        List<String> a = inProcess.events().stream().skip(1).map(TraceEvent::raw).toList();
        List<String> b = RunEvidence.of(worker).events().stream().skip(1).map(TraceEvent::raw).toList();
        assertEquals(a, b, "the worker writes the same trace");
    }
}
