package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.GiveUp;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * Giving up after permanent errors, judged on what a device shows (issue 11: "one that gives up
 * after permanent errors", and its broken twins). {@link PatientUploader}, written apart from the
 * sample, gives up on the photos a server refuses for over two hours ({@code permanent-refusals},
 * a standard profile) once {@link GiveUp} says it may, and uploads everything through a burst of
 * server errors ({@code cloud-errors}). Its twin that never gives up loops (RTY-02 FAIL); its twin
 * that gives up at the first refusal loses photos in a burst (RTY-01 FAIL). The rules do not ask
 * for opposite things: the correct one passes both, and E2E-01 (through the fate model, which asks
 * {@link GiveUp} too) counts its justified give-ups as no loss.
 */
class GivingUpAcceptanceTest {
    private static final List<String> RETRY_RULES = List.of("RTY-01", "RTY-02", "RTY-03", "RTY-04");

    /** The standard profile with a window of permanent errors (it was a test profile of this class first). */
    static String permanentRefusals() {
        return "permanent-refusals";
    }

    private static RunEvidence run(Class<? extends PatientUploader> type, String profile, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve(profile), seed).plan();
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.type(type), RunOptions.inMemory().withTransport("direct")));
    }

    private static TreeMap<String, Verdict> verdicts(RunEvidence evidence, List<String> rules) {
        TreeMap<String, Verdict> out = new TreeMap<>();
        for (String rule : rules) {
            out.put(rule, RuleCatalogue.checker(rule).orElseThrow().check(evidence));
        }
        return out;
    }

    @Test
    @DisplayName("under two hours of 400/413 the patient uploader gives up on the refused photos, justified: no RTY, E2E or RES "
            + "rule fails (E2E-01 and RTY-02 do not ask for opposite things)")
    void givesUpWhenJustified() throws Exception {
        RunEvidence evidence = run(PatientUploader.class, permanentRefusals(), 1);
        TreeMap<String, Verdict> verdicts = verdicts(evidence, List.of("RTY-01", "RTY-02", "RTY-03", "RTY-04", "E2E-01", "E2E-02",
                "RES-01", "ACK-01"));
        assertEquals(Verdict.Status.PASS, verdicts.get("E2E-01").status(), "a justified give-up is no loss: " + verdicts.get("E2E-01"));
        verdicts.values().forEach(v -> assertFalse(v.failed(), v.toString()));
        assertEquals(Verdict.Status.PASS, verdicts.get("RTY-02").status(), verdicts.get("RTY-02").toString());
        assertEquals(Verdict.Status.PASS, verdicts.get("RTY-01").status(), verdicts.get("RTY-01").toString());
        TreeMap<String, String> givenUp = GiveUp.justified(evidence);
        assertFalse(givenUp.isEmpty(), "the photos taken during the window were given up, with reason");
        TreeMap<String, Integer> missing = new TreeMap<>();
        for (String key : evidence.liveResources()) {
            if (!evidence.storedResources().contains(key)) {
                missing.merge(key, 1, Integer::sum);
                assertTrue(givenUp.containsKey(key), key + " is missing from the cloud without a justified give-up");
            }
        }
        assertFalse(missing.isEmpty(), "the window refused some photos for good");
        assertEquals(Verdict.Status.PASS, RuleCatalogue.checker("ACK-01").orElseThrow().check(evidence).status());
    }

    @Test
    @DisplayName("through a burst of server errors (cloud-errors) it uploads every photo: no RTY, no E2E rule fails")
    void aBurstLosesNothing() throws Exception {
        RunEvidence evidence = run(PatientUploader.class, "cloud-errors", 1);
        TreeMap<String, Verdict> verdicts = verdicts(evidence, List.of("RTY-01", "RTY-02", "RTY-03", "RTY-04", "E2E-01", "E2E-02"));
        verdicts.values().forEach(v -> assertFalse(v.failed(), v.toString()));
        assertEquals(Verdict.Status.PASS, verdicts.get("E2E-01").status(), verdicts.get("E2E-01").toString());
        assertTrue(GiveUp.justified(evidence).isEmpty(), "nothing given up in a burst");
    }

    @Test
    @DisplayName("the profiles before permanent-refusals never caught the twin that never gives up: cloud-errors' windows are too short")
    void theOldCatalogueMissedIt() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            Verdict verdict = verdicts(run(PatientUploader.NeverGivesUp.class, "cloud-errors", seed), List.of("RTY-02")).get("RTY-02");
            assertFalse(verdict.failed(), "cloud-errors seed " + seed + ": " + verdict);
        }
    }

    @Test
    @DisplayName("its twin that never gives up FAILs RTY-02 (an unbounded loop) on the standard permanent-refusals profile")
    void neverGivingUpIsALoop() throws Exception {
        Verdict verdict = verdicts(run(PatientUploader.NeverGivesUp.class, permanentRefusals(), 1), List.of("RTY-02"))
                .get("RTY-02");
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
        assertTrue(verdict.message().contains("refusals in a row"), verdict.message());
    }

    @Test
    @DisplayName("its twin that gives up at the first refusal FAILs RTY-01 on a burst of server errors")
    void givingUpOnABurstLosesPhotos() throws Exception {
        Verdict verdict = verdicts(run(PatientUploader.GivesUpAtOnce.class, "cloud-errors", 1), List.of("RTY-01")).get("RTY-01");
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
    }
}
