package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * An extension whose every new process returns once and then fails never fails three calls in a
 * row, so the bound in a row never ended its run: a command that answered each call twice (H53)
 * made a baseline run cost a process start per call, 20 minutes of wall time. Failed calls are
 * bounded in all too, as hung ones are; a correct extension fails none.
 */
class FailsEveryOtherCallTest {

    /** Returns on a fresh instance's first call and throws on its second: each relaunch resets "in a row". */
    public static final class ThrowsOnItsSecondCall implements UploadExtension {
        private int calls;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            calls++;
            if (calls % 2 == 0) {
                throw new IllegalStateException("every second call of a process");
            }
            return ProcessingResult.PROCESSING;
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("failed calls in all, not only in a row, end the run as extension-failing")
    void failuresInAllEndTheRun() throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve("baseline"), 1).plan();
        RunResult result = Simulation.run(plan, ExtensionSource.type(ThrowsOnItsSecondCall.class, ThrowsOnItsSecondCall::new),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process"));
        long threw = result.traceText().lines().filter(l -> l.contains("\"ev\":\"call.end\"") && l.contains("\"outcome\":\"threw\"")).count();
        long returned = result.traceText().lines().filter(l -> l.contains("\"ev\":\"call.end\"") && l.contains("\"outcome\":\"returned\"")).count();
        assertTrue(returned >= threw, "a call returned between every two failures (never three in a row): "
                + returned + " returned, " + threw + " threw");
        assertEquals("extension-failing", result.summary().endReason(), threw + " calls threw, " + returned + " returned");
        assertEquals(Simulation.MAX_PROCESS_FAILURES, threw, "the run ended at the bound of failed calls in all");
    }
}
