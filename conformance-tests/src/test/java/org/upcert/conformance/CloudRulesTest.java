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

    @Test
    @DisplayName("the sample fails no CLD rule on any standard profile (generic-put, seeds 1..3)")
    void sampleNeverFails() throws Exception {
        SampleVerdicts.neverFails(List.of("CLD-01", "CLD-02"), "generic-put");
    }

    @Test
    @DisplayName("against Google Photos the sample commits every upload it saw succeed exactly once")
    void googlePhotos() throws Exception {
        for (String profile : List.of("baseline", "lost-responses", "flaky-network", "hard-kills")) {
            for (long seed : SampleVerdicts.SEEDS) {
                var verdict = SampleVerdicts.of(profile, seed, "google-photos").get("CLD-01");
                assertFalse(verdict.failed(), profile + " seed " + seed + ": " + verdict);
            }
        }
        SampleVerdicts.exercisedBy("CLD-01", "baseline", "google-photos");
        SampleVerdicts.exercisedBy("CLD-01", "lost-responses", "google-photos");
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
