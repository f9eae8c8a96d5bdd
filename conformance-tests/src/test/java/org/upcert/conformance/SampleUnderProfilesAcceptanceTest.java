package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.upcert.api.AssetResource;
import org.upcert.api.JobState;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.cloud.CloudInventory;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.jobs.JobRecord;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.Hosting;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.RunSummary;
import org.upcert.harness.run.Simulation;

/**
 * The bundled sample, run under every standard profile over loopback HTTP, converges once the
 * recovery phase has switched the faults off: every resource of the library in the cloud with
 * the right bytes, every job acknowledged, no API call refused. (Duplicate jobs and the other
 * trace rules are the conformance checkers' business.) And the in-JVM transport is only a faster
 * carrier, and the worker only a safer host: each loopback trace, the sample in this JVM, is byte
 * for byte the trace of the same cell in the sample's default certification ({@link
 * SampleCertification}), which runs over the in-JVM transport with the sample in a worker.
 */
class SampleUnderProfilesAcceptanceTest {
    /**
     * One seed over real loopback HTTP: seeds 1..3 of every profile are also certified (in-JVM
     * transport) by CertifyAcceptanceTest, seed 1's traces compared here.
     */
    private static final long[] SEEDS = {1};
    private static Path sampleJar;

    @BeforeAll
    static void bundledSample() {
        sampleJar = BundledSample.extract().orElseThrow();
    }

    static Stream<Arguments> profilesAndSeeds() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (String name : ProfileCatalogue.names()) {
            for (long seed : SEEDS) {
                cases.add(Arguments.of(name, seed));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("profilesAndSeeds")
    void sampleConverges(String profile, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), seed).plan();
        // The sample in this JVM: the certification runs the same cell in a worker (in-JVM transport), so the
        // traces compared below are the same across both transports and both isolations.
        RunResult result = Simulation.run(plan, ExtensionSource.jar(sampleJar), RunOptions.inMemory().withIsolation(Hosting.IN_PROCESS));
        RunSummary s = result.summary();
        String context = profile + " seed " + seed + ": " + s;
        assertEquals("quiescent", s.endReason(), context);
        TreeMap<String, CloudInventory.StoredObject> bySha = result.inventory().objectsBySha256();
        List<String> missing = new ArrayList<>();
        for (AssetResource resource : result.library().liveResources()) {
            if (!bySha.containsKey(result.payloads().sha256(resource))) {
                missing.add(resource.key());
            }
        }
        assertTrue(missing.isEmpty(), "missing from the cloud " + missing + " — " + context);
        for (JobRecord job : result.jobs()) {
            assertTrue(job.acknowledged(), job.id() + " unacknowledged in " + job.state() + " — " + context);
        }
        assertTrue(result.jobs().stream().anyMatch(j -> j.state() == JobState.SUCCEEDED), context);
        assertEquals(0, s.refusedCalls(), context);
        assertSameTraceAsDirect(plan, profile, seed, result.traceText());
    }

    /**
     * The loopback trace is the in-JVM transport's, byte for byte: the same cell's trace in the
     * sample's certification (its SHA-256; direct, in a worker), simulated again over the in-JVM
     * transport only to show the first difference when they differ.
     */
    private static void assertSameTraceAsDirect(RunPlan plan, String profile, long seed, String loopback) throws Exception {
        assertTrue(loopback.length() > 10_000, "a real trace: " + loopback.length() + " characters");
        String certified = SampleCertification.get().traceSha256().get(profile + " seed " + seed);
        assertTrue(certified != null, "the certification ran " + profile + " seed " + seed);
        if (certified.equals(SampleCertification.sha256(loopback))) {
            return;
        }
        String direct = Simulation.run(plan, ExtensionSource.jar(sampleJar), RunOptions.inMemory().withTransport("direct")
                .withIsolation(Hosting.IN_PROCESS)).traceText();
        List<String> a = loopback.lines().toList();
        List<String> b = direct.lines().toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "loopback and in-JVM transports: first difference at trace line " + (i + 1));
        }
        assertEquals(a.size(), b.size(), "loopback and in-JVM transports: trace lengths differ");
        assertEquals(certified, SampleCertification.sha256(direct), "the certification's run of " + profile + " seed " + seed
                + " (in a worker) and the same cell simulated in this JVM");
    }
}
