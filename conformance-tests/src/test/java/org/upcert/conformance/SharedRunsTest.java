package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.suite.CertificationState;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SharedRuns;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.run.Hosting;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/** Runs simulated in parallel for the suite are the runs simulated alone: same traces, each once. */
// Beside the others: its runs are its own (a CertificationState of its own, as a certification's are).
class SharedRunsTest {

    @Test
    @DisplayName("parallel runs give the same traces as runs made one at a time, and each cell is simulated once")
    void parallelEqualsSequential() throws Exception {
        // The sample in this JVM, both ways: what is compared is parallel against one at a time, not the
        // isolation, and these two profiles kill and relaunch the extension all day, which in a worker costs
        // a JVM start per relaunch (the class took 20-36 s in workers, 6 s here, on the loaded 2-core
        // machine). Parallel runs in workers equal runs made alone in this JVM on every standard profile
        // (seed 1): SampleUnderProfilesAcceptanceTest compares the certification's runs (in workers, in
        // parallel) with in-process ones, trace for trace.
        CertificationState state = CertificationState.of(new io.qameta.allure.AllureLifecycle(), System.nanoTime());
        String id = state.share();
        SuiteConfig config;
        try {
            config = SuiteConfig.from(key -> Optional.ofNullable(Map.of("upcert.profiles", "hard-kills,termination-storm",
                    "upcert.seeds", "2", "upcert.isolation", Hosting.IN_PROCESS, CertificationState.PARAMETER, id).get(key)));
        } finally {
            CertificationState.release(id);
        }
        assertSame(state, config.certificationState(), "the state handed over by its parameter");
        assertEquals(Hosting.IN_PROCESS, config.resolvedIsolation());
        SharedRuns runs = SharedRuns.of(config);
        runs.start(config);
        for (Cell cell : config.cells()) {
            RunOutcome shared = runs.outcome(config, cell);
            assertTrue(shared.ran(), shared.harnessFault());
            var plan = PlanExpander.expand(ProfileCatalogue.load(cell.profile()), cell.seed()).plan();
            String alone = Simulation.run(plan, config.source(), RunOptions.inMemory().withTransport("direct")
                    .withIsolation(Hosting.IN_PROCESS)).traceText();
            assertEquals(alone, shared.traceText(), cell.label());
            assertSame(shared.evidence(), runs.outcome(config, cell).evidence(), "simulated once, shared after");
        }
        assertEquals(4, runs.started());
        runs.clear();
    }
}
