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
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.RunSummary;
import org.upcert.harness.run.Simulation;

/**
 * The bundled sample, run under every standard profile over loopback HTTP, converges once the
 * recovery phase has switched the faults off: every resource of the library in the cloud with
 * the right bytes, every job acknowledged, no API call refused. (Duplicate jobs and the other
 * trace rules are the conformance checkers' business.)
 */
class SampleUnderProfilesAcceptanceTest {
    /**
     * One seed over real loopback HTTP: seeds 1..3 of every profile are also certified (in-JVM
     * transport, the same traces: TransportEquivalenceTest) by CertifyAcceptanceTest.
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
        RunResult result = Simulation.run(plan, ExtensionSource.jar(sampleJar), RunOptions.inMemory());
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
    }
}
