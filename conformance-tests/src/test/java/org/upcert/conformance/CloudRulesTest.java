package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CLD-01 and CLD-02 on the bundled sample. CLD-01 needs a two-phase cloud: it is NOT_EXERCISED
 * on generic-put (nothing to commit) and exercised with {@code --cloud google-photos}.
 */
class CloudRulesTest {
    /** Google Photos with the upload token repeated in a header ({@code --assume body-in-headers}): commits can be judged. */
    static final String LENIENT_GOOGLE = "google-photos" + org.upcert.conformance.testing.CloudSpec.LENIENT;

    @Test
    @DisplayName("strict stub: google-photos is protocol shape only; the sample fails no MUST rule, stores everything, commits nothing")
    void googlePhotosStrictIsProtocolShapeOnly() throws Exception {
        for (String profile : List.of("baseline", "lost-responses", "hard-kills")) {
            for (long seed : SampleVerdicts.SEEDS) {
                var verdicts = SampleVerdicts.of(profile, seed, "google-photos");
                verdicts.forEach((rule, verdict) -> assertFalse(verdict.failed(), profile + " seed " + seed + ": " + verdict));
                org.junit.jupiter.api.Assertions.assertEquals(org.upcert.conformance.verdict.Verdict.Status.PASS,
                        verdicts.get("E2E-01").status(), verdicts.get("E2E-01").toString());
                org.junit.jupiter.api.Assertions.assertTrue(verdicts.get("CLD-01").message().contains("has no commit step"),
                        verdicts.get("CLD-01").toString());
            }
        }
    }

    @Test
    @DisplayName("the mutant that waits for an invented header (dropbox-api-result) passes ACK-02 with the lenient stub, fails it with the strict one")
    void inventedHeaderMattersOnlyWhenInvented() throws Exception {
        var lenient = org.upcert.conformance.mutants.MutantCatalogue.all().stream()
                .filter(c -> c.type() == org.upcert.conformance.mutants.CloudMutants.ReadsAnInventedHeader.class).findFirst()
                .orElseThrow();
        org.junit.jupiter.api.Assertions.assertEquals("dropbox", lenient.cloud());
        var strictVerdict = org.upcert.conformance.rules.RuleCatalogue.checkers().get("ACK-02")
                .check(MutantsAreCaughtTest.run(lenient));
        org.junit.jupiter.api.Assertions.assertTrue(strictVerdict.failed(), strictVerdict.toString());
        var lenientVerdict = org.upcert.conformance.rules.RuleCatalogue.checkers().get("ACK-02")
                .check(MutantsAreCaughtTest.run(lenient.on("dropbox" + org.upcert.conformance.testing.CloudSpec.LENIENT)));
        org.junit.jupiter.api.Assertions.assertEquals(org.upcert.conformance.verdict.Verdict.Status.PASS, lenientVerdict.status(),
                lenientVerdict.toString());
    }

    @Test
    @DisplayName("the sample fails no CLD rule on any standard profile (generic-put, seeds 1..3)")
    void sampleNeverFails() throws Exception {
        SampleVerdicts.neverFails(List.of("CLD-01", "CLD-02"), "generic-put");
    }

    @Test
    @DisplayName("against Google Photos with the token in a header (lenient stub) the sample commits every upload it saw succeed exactly once")
    void googlePhotos() throws Exception {
        for (String profile : List.of("baseline", "lost-responses", "flaky-network", "hard-kills")) {
            for (long seed : SampleVerdicts.SEEDS) {
                var verdict = SampleVerdicts.of(profile, seed, LENIENT_GOOGLE).get("CLD-01");
                assertFalse(verdict.failed(), profile + " seed " + seed + ": " + verdict);
            }
        }
        SampleVerdicts.exercisedBy("CLD-01", "baseline", LENIENT_GOOGLE);
        SampleVerdicts.exercisedBy("CLD-01", "lost-responses", LENIENT_GOOGLE);
        // on a single-phase cloud the header lookups (retry-after, the object id) exercise it
        SampleVerdicts.exercisedBy("CLD-01", "baseline", "generic-put");
    }

    @Test
    @DisplayName("CLD-02 is exercised wherever the nil-resource quirk is on (every 26.x profile by default) and not on iOS 27")
    void nilResource() throws Exception {
        SampleVerdicts.exercisedBy("CLD-02", "device-quirks-26x", "generic-put");
        SampleVerdicts.exercisedBy("CLD-02", "baseline", "generic-put"); // 26.4: the measured 26.x quirks are on by default
        SampleVerdicts.notExercisedBy("CLD-02", "expensive-network", "generic-put"); // iOS 27: no quirk
    }
}
