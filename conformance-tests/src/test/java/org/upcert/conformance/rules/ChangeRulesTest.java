package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.verdict.Verdict;

/** CHG-01 and CHG-02 on the bundled sample across the standard profiles. */
class ChangeRulesTest {

    @Test
    @DisplayName("the sample fails no CHG rule on any standard profile (seeds 1..3); each is exercised on its profile")
    void sampleHolds() throws Exception {
        SampleVerdicts.assertGroupHolds("CHG");
    }

    @Test
    @DisplayName("library-churn expires the token and adds assets on every seed here; baseline does neither")
    void exercisedByChurn() throws Exception {
        for (long seed : SampleVerdicts.SEEDS) {
            assertEquals(Verdict.Status.PASS, SampleVerdicts.verdict("library-churn seed " + seed, "CHG-01").status());
            assertEquals(Verdict.Status.PASS, SampleVerdicts.verdict("library-churn seed " + seed, "CHG-02").status());
            assertEquals(Verdict.Status.NOT_EXERCISED, SampleVerdicts.verdict("baseline seed " + seed, "CHG-01").status());
            assertEquals(Verdict.Status.NOT_EXERCISED, SampleVerdicts.verdict("baseline seed " + seed, "CHG-02").status());
        }
    }
}
