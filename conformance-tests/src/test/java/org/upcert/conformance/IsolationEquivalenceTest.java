package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * Determinism across isolation modes: the sample jar run in the harness's JVM and in a JVM worker
 * process of its own writes the same trace, byte for byte, under profiles that kill it, notify it
 * and refuse its blocks. The extension's code, the plan and the seed decide the trace; where the
 * code runs does not.
 */
class IsolationEquivalenceTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hard-kills", "termination-storm", "tiny-job-limit", "device-quirks-26x"})
    @DisplayName("in-process and worker runs of the sample write identical traces")
    void sameTrace(String profile) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve(profile), 1).plan();
        ExtensionSource sample = ExtensionSource.jar(BundledSample.extract().orElseThrow());
        RunResult inProcess = Simulation.run(plan, sample, RunOptions.inMemory().withTransport("direct").withIsolation("in-process"));
        RunResult worker = Simulation.run(plan, ExtensionSource.jar(BundledSample.extract().orElseThrow()),
                RunOptions.inMemory().withTransport("direct").withIsolation("worker"));
        assertEquals("in-process", inProcess.summary().isolation());
        assertEquals("worker", worker.summary().isolation());
        List<String> a = inProcess.traceText().lines().toList();
        List<String> b = worker.traceText().lines().toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "first difference at trace line " + (i + 1));
        }
        assertEquals(a.size(), b.size(), "trace length");
    }
}
