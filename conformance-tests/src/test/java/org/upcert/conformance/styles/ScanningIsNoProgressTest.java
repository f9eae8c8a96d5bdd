package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.upcert.api.Asset;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * Issue 16's RES-03 case, kept as a test: an extension that scans the whole library on every call,
 * reads and writes its app group, and answers PROCESSING for ever without ever changing a job,
 * a storage outcome or the cloud made 1,920 calls in a row "with progress" and passed. Reads are
 * not progress: on a library that does not change it FAILs at the fifth idle answer; on one that
 * keeps changing (its walk "discovers" something each time) its run never becomes quiescent and
 * RES-03 FAILs that.
 */
class ScanningIsNoProgressTest {

    /** Walks the library, lists finished jobs, keeps a heartbeat in the app group; never changes anything. */
    public static final class ScansForever implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            int resources = 0;
            for (Asset asset : context.library().fetchAssets()) {
                resources += asset.resources().size();
            }
            context.library().fetchJobs(JobAction.ACKNOWLEDGE);
            context.storage().readString("scan/last.txt");
            context.storage().writeString("scan/last.txt", resources + " resources at " + context.clock().millis());
            return ProcessingResult.PROCESSING;
        }

        @Override
        public void willTerminate() {
        }
    }

    @org.junit.jupiter.api.Test
    @DisplayName("its run is stopped once nothing moved for 6 h after the recovery activity (stalled), not simulated for 7 days; "
            + "the same trace every time")
    void aRunThatCannotConvergeIsStopped() throws Exception {
        org.upcert.harness.plan.RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve("baseline"), 1).plan();
        RunResult first = Simulation.run(plan, ExtensionSource.type(ScansForever.class), RunOptions.inMemory().withTransport("direct"));
        assertEquals("stalled", first.summary().endReason());
        String[] lines = first.traceText().split("\n");
        String end = lines[lines.length - 1];
        assertTrue(end.contains("\"ev\":\"run.end\",\"reason\":\"stalled\",\"stillFor\":21600000"), end);
        long t = new com.fasterxml.jackson.databind.ObjectMapper().readTree(end).path("t").asLong();
        assertTrue(t < 24 * 3_600_000L, "stopped within a simulated day, not at the 7-day limit: t=" + t);
        RunResult again = Simulation.run(plan, ExtensionSource.type(ScansForever.class), RunOptions.inMemory().withTransport("direct"));
        assertEquals(first.traceText(), again.traceText(), "the stall stop is deterministic");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"baseline", "library-churn"})
    @DisplayName("a full scan every call, answering PROCESSING for ever with nothing changed, FAILs RES-03")
    void scanningForeverFails(String profile) throws Exception {
        RunResult result = Simulation.run(PlanExpander.expand(ProfileCatalogue.resolve(profile), 1).plan(),
                ExtensionSource.type(ScansForever.class), RunOptions.inMemory().withTransport("direct"));
        Verdict verdict = RuleCatalogue.judge("RES-03", RunEvidence.of(result));
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
        assertTrue(verdict.message().contains("returned PROCESSING with nothing moved")
                || verdict.message().startsWith("the run never became quiescent"), verdict.message());
    }
}
