package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * Extensions written in other styles than the sample's certify, and their broken twins do not.
 * The first style never uses an optional API: no cancel, no retry in place, no change tokens, no
 * response headers.
 * Its rules about those APIs are NOT_APPLICABLE — never INCOMPLETE, which would keep a correct
 * extension from ever certifying — and its twin that does cancel is judged on what it did.
 */
class IndependentStylesAcceptanceTest {

    private static Certification certify(Path out, Map<String, String> parameters) {
        return Certifier.certify(SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key))), out, null).certification();
    }

    private static TreeMap<String, Status> verdicts(Certification c) {
        TreeMap<String, Status> out = new TreeMap<>();
        for (RuleSummary s : c.summaries()) {
            out.put(s.rule().id(), s.status());
        }
        return out;
    }

    @Test
    @DisplayName("a full-walk extension that never cancels, never reads change tokens and reads no header but retry-after is CERTIFIED;"
            + " the rules of what it never uses are NOT_APPLICABLE")
    void fullWalkCertifies(@TempDir Path out) {
        Certification c = certify(out, Map.of("upcert.extension.class", FullWalkExtension.class.getName()));
        TreeMap<String, Status> verdicts = verdicts(c);
        List<String> problems = new ArrayList<>();
        for (RuleSummary s : c.summaries()) {
            if (s.rule().must() && s.status() != Status.PASS && s.status() != Status.NOT_APPLICABLE) {
                problems.add(s.rule().id() + " " + s.status() + ": " + s.note(c.config().profiles()));
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(Status.NOT_APPLICABLE, verdicts.get("JOB-03"), "it never retries a job in place (a new job instead)");
        assertEquals(Status.NOT_APPLICABLE, verdicts.get("JOB-04"), "it never cancels");
        assertEquals(Status.NOT_APPLICABLE, verdicts.get("JOB-05"), "it never retries a job in place");
        assertEquals(Status.NOT_APPLICABLE, verdicts.get("CHG-01"), "it never reads a change token");
        // one-phase cloud; the one header it reads, retry-after (a throttle is no refusal), by its lowercase name
        assertEquals(Status.PASS, verdicts.get("CLD-01"), "it reads retry-after by its lowercase name");
        assertEquals(Certification.Outcome.CERTIFIED, c.outcome());
    }

    @Test
    @DisplayName("its twin that cancels finished jobs is NOT_CERTIFIED: JOB-04 FAIL, not hidden as NOT_APPLICABLE")
    void twinIsCaught(@TempDir Path out) {
        Certification c = certify(out, Map.of("upcert.extension.class", FullWalkExtension.CancelsFinishedJobs.class.getName(),
                "upcert.profiles", "baseline", "upcert.seeds", "1", "upcert.rules", "JOB-04"));
        assertEquals(Status.FAIL, verdicts(c).get("JOB-04"), c.summaries().get(0).note(c.config().profiles()));
        assertEquals(Certification.Outcome.NOT_CERTIFIED, c.outcome());
    }

    @Test
    @DisplayName("its twin that answers PROCESSING on every call, also with nothing to do, is NOT_CERTIFIED: RES-03 FAIL "
            + "(walking an unchanged library is no progress), not INCOMPLETE for want of a COMPLETED")
    void neverCompletingIsAFinding(@TempDir Path out) {
        Certification c = certify(out, Map.of("upcert.extension.class", FullWalkExtension.NeverCompletes.class.getName(),
                "upcert.profiles", "baseline", "upcert.seeds", "1", "upcert.rules", "RES-01,RES-03"));
        TreeMap<String, Status> verdicts = verdicts(c);
        assertEquals(Status.FAIL, verdicts.get("RES-03"), c.summaries().toString());
        assertEquals(Status.NOT_EXERCISED, verdicts.get("RES-01"), "it never answers COMPLETED");
        assertEquals(Certification.Outcome.NOT_CERTIFIED, c.outcome());
    }

    @Test
    @DisplayName("its twin that writes a status to the cloud on every call and never answers COMPLETED keeps its run alive "
            + "to the time limit: RES-03 FAILs the run that never became quiescent")
    void aRunThatNeverRestsIsAFinding() throws Exception {
        org.upcert.harness.plan.RunPlan plan = org.upcert.harness.faults.profile.PlanExpander.expand(
                org.upcert.harness.faults.profile.ProfileCatalogue.load("baseline"), 1).plan();
        org.upcert.harness.run.RunResult result = org.upcert.harness.run.Simulation.run(plan,
                org.upcert.harness.host.ExtensionSource.type(FullWalkExtension.ReportsStatusForever.class),
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
        assertEquals("time-limit", result.summary().endReason());
        org.upcert.conformance.verdict.Verdict verdict = org.upcert.conformance.rules.RuleCatalogue.judge("RES-03",
                org.upcert.conformance.evidence.RunEvidence.of(result));
        assertEquals(Status.FAIL, verdict.status(), verdict.toString());
        org.junit.jupiter.api.Assertions.assertTrue(verdict.message().startsWith("the run never became quiescent"), verdict.message());
    }
}
