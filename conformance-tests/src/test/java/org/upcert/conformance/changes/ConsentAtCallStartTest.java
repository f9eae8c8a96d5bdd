package org.upcert.conformance.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.Asset;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ExtensionContext;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadRequest;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * CNS-01 judges consent as it was when the call started (issue 11 item 5): access drops to
 * LIMITED two simulated seconds into the first call, after the extension checked it; its creation
 * is refused at the commit and that is no violation. The broken twin never checks and creates in
 * a call that started without consent: CNS-01 FAILs.
 */
class ConsentAtCallStartTest {

    /** Checks consent at the start of each call; in the first it spends a few seconds before creating. */
    public static class ChecksAtStart implements UploadExtension {
        private final List<Asset> seen = new ArrayList<>();

        protected boolean checksConsent() {
            return true;
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            var library = context.library();
            boolean consent = library.authorizationStatus() == AuthorizationStatus.AUTHORIZED
                    && library.isUploadJobExtensionEnabled();
            if (!consent && checksConsent()) {
                context.log().info("no consent at the start of the call: nothing created");
                return ProcessingResult.COMPLETED;
            }
            if (seen.isEmpty()) {
                seen.addAll(library.fetchAssets()); // kept in memory: the twin creates from it without access
                for (int i = 0; i < 1500; i++) {
                    library.jobLimit(); // 3 simulated seconds: consent is withdrawn meanwhile
                }
            }
            try {
                library.performChanges(changes -> changes.createJob(seen.get(0).resources().get(0),
                        UploadRequest.put(context.uploadUrlBase().resolve("files/one"))));
            } catch (PhotosException e) {
                context.log().info("create refused: " + e.code());
            }
            return ProcessingResult.PROCESSING;
        }

        @Override
        public void willTerminate() {
        }
    }

    /** The broken twin: never checks consent, creates from what it remembers. */
    public static final class NeverChecks extends ChecksAtStart {
        @Override
        protected boolean checksConsent() {
            return false;
        }
    }

    private static RunResult run(Class<? extends UploadExtension> type) {
        RunPlan plan = RunPlan.of(4, Workload.typical(3).withOs("27"))
                .withFaults(List.of(new PlannedFault.AccessChanged(2_000, 900_000, "LIMITED")));
        return Simulation.run(plan, ExtensionSource.type(type), RunOptions.inMemory().withTransport("direct"));
    }

    @Test
    @DisplayName("consent withdrawn during the call, after the extension checked it: the refused creation is reported, not failed")
    void withdrawnMidCall() throws Exception {
        RunResult result = run(ChecksAtStart.class);
        assertTrue(ChangesThatCannotApplyTest.events(result, "change.illegal").stream()
                .anyMatch(e -> e.path("code").asText().equals("ACCESS_USER_DENIED")), "the system refused the creation");
        Verdict cns01 = ChangesThatCannotApplyTest.verdicts(result).get("CNS-01");
        assertFalse(cns01.failed(), cns01.toString());
        assertEquals(Verdict.Status.PASS, cns01.status(), cns01.toString());
        assertTrue(cns01.message().contains("withdrawn during the call"), cns01.message());
    }

    @Test
    @DisplayName("the twin creates in a call that started without consent: CNS-01 FAILs")
    void withdrawnAtCallStart() throws Exception {
        Verdict cns01 = ChangesThatCannotApplyTest.verdicts(run(NeverChecks.class)).get("CNS-01");
        assertTrue(cns01.failed(), cns01.toString());
        assertTrue(cns01.message().contains("withdrawn already when the call started"), cns01.message());
    }
}
