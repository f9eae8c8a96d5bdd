package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.mutants.CloudMutants;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.conformance.verdict.Verdict.Status;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * CLD-01 judged on what independent extensions do (issue 16): a commit sent again after the
 * extension knew the first went through is a FAIL even when the cloud refuses it, and reading the
 * response headers through a copy of the map is a read of them, in process and in a worker alike.
 */
class CloudProtocolJudgementTest {

    private static RunPlan plan(String profile, long seed) throws Exception {
        return PlanExpander.expand(ProfileCatalogue.resolve(profile), seed).plan();
    }

    private static Verdict cld01(RunResult result) {
        return RuleCatalogue.judge("CLD-01", RunEvidence.of(result));
    }

    @Test
    @DisplayName("a token committed again after a relaunch (refused: already committed) FAILs CLD-01; the sample, which records "
            + "each answer before the call returns, passes the same run")
    void aRefusedRepeatCommitIsJudged() throws Exception {
        RunPlan plan = plan("baseline", 1);
        RunOptions options = RunOptions.inMemory().withTransport("direct").withCloud("google-photos")
                .withAssumptions(java.util.Set.of(RunOptions.ASSUME_BODY_IN_HEADERS)); // the lenient stub: commits to judge
        Verdict mutant = cld01(Simulation.run(plan, ExtensionSource.type(CloudMutants.CommitsRecordedInMemory.class), options));
        assertEquals(Status.FAIL, mutant.status(), mutant.toString());
        assertTrue(mutant.message().contains("sent to commit again") && mutant.message().contains("returned normally"),
                mutant.message());
        Verdict sample = cld01(Simulation.run(plan, ExtensionSource.type(org.upcert.sample.SampleUploadExtension.class), options));
        assertEquals(Status.PASS, sample.status(), sample.toString());
    }

    /** A jar of the full-walk classes serving {@link FullWalkExtension.CopiesHeaders}, for a worker. */
    static Path copiesHeadersJar(Path dir) throws IOException {
        return org.upcert.conformance.testing.ExtensionJars.pack(FullWalkExtension.CopiesHeaders.class, "FullWalkExtension", dir, java.util.Map.of());
    }

    @Test
    @DisplayName("headers read through a copy (new HashMap<>(headers)) are read: CLD-01 PASS, not NOT_APPLICABLE, "
            + "with the same trace in process and in a worker")
    void aCopyOfTheHeadersIsARead(@TempDir Path dir) throws Exception {
        RunPlan plan = plan("baseline", 1);
        Path jar = copiesHeadersJar(dir);
        RunResult inProcess = Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process"));
        Verdict verdict = cld01(inProcess);
        assertEquals(Status.PASS, verdict.status(), verdict.toString());
        assertTrue(inProcess.traceText().contains("finished jobs name their stored object"),
                "the copy found the stored object's id by its lowercase name");
        RunResult worker = Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation("worker"));
        assertEquals(inProcess.traceText(), worker.traceText(), "the same reads are counted in a worker");
        // The full walk itself never reads a header: still NOT_APPLICABLE, not a PASS by accident.
        Verdict plain = cld01(Simulation.run(plan, ExtensionSource.type(FullWalkExtension.class),
                RunOptions.inMemory().withTransport("direct")));
        assertEquals(Status.NOT_APPLICABLE, plain.status(), plain.toString());
    }
}
