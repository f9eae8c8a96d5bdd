package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/** The in-JVM transport is only a faster carrier: the same plan gives the same trace, byte for byte. */
class TransportEquivalenceTest {
    private static Path sampleJar;

    @BeforeAll
    static void bundledSample() {
        sampleJar = BundledSample.extract().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"baseline", "cloud-errors", "lost-responses", "flaky-network", "everything"})
    void directEqualsLoopback(String profile) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), 2).plan();
        String loopback = Simulation.run(plan, ExtensionSource.jar(sampleJar), RunOptions.inMemory()).traceText();
        String direct = Simulation.run(plan, ExtensionSource.jar(sampleJar), RunOptions.inMemory().withTransport("direct"))
                .traceText();
        assertTrue(loopback.length() > 10_000);
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
