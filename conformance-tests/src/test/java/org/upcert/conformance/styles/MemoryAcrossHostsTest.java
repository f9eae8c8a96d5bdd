package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * The memory measure and the CPU cost of the extension's own work are taken at the API gate every
 * hosting mode shares: the same extension jar, in the harness's JVM and in a worker process,
 * writes the same trace under memory-and-cpu, memory kills and original reads included.
 */
class MemoryAcrossHostsTest {

    @Test
    @DisplayName("in-process and worker runs of an extension killed for memory write identical traces")
    void sameTrace(@TempDir Path dir) throws Exception {
        Path jar = org.upcert.conformance.testing.ExtensionJars.pack(MemoryWitness.class, "MemoryWitness", dir, java.util.Map.of());
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve("memory-and-cpu"), 1).plan();
        RunResult inProcess = Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process"));
        RunResult worker = Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation("worker"));
        assertEquals("worker", worker.summary().isolation());
        List<String> a = inProcess.traceText().lines().toList();
        List<String> b = worker.traceText().lines().toList();
        assertTrue(a.stream().anyMatch(l -> l.contains("\"ev\":\"process.kill\"") && l.contains("memory limit exceeded")),
                "killed for memory at least once");
        assertTrue(a.stream().anyMatch(l -> l.contains("\"ev\":\"resource.read\"")), "originals read");
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "first difference at trace line " + (i + 1));
        }
        assertEquals(a.size(), b.size(), "trace length");
    }
}
