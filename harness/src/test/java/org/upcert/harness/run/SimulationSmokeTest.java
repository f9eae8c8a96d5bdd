package org.upcert.harness.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.testing.NaiveExtension;

class SimulationSmokeTest {

    @Test
    void naiveExtensionBacksUpSmallLibrary() {
        RunResult result = Simulation.run(RunPlan.of(7, Workload.typical(50)), ExtensionSource.type(NaiveExtension.class),
                RunOptions.inMemory());
        RunSummary s = result.summary();
        assertEquals("quiescent", s.endReason());
        assertTrue(s.complete(), s.toString());
    }
}
