package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/** CAP-01..03 on the bundled sample across the standard profiles (the mutants prove the FAILs). */
class CapacityRulesTest {

    @Test
    @DisplayName("the sample fails no CAP rule on any standard profile (seeds 1..3); each is exercised on its profile")
    void sampleHolds() throws Exception {
        SampleVerdicts.assertGroupHolds("CAP");
    }

    @Test
    @DisplayName("CAP-01 is exercised only where LIMIT_EXCEEDED happens: tiny-job-limit's limit dips, baseline never")
    void exercisedOnlyByLimitExceeded() throws Exception {
        for (long seed : SampleVerdicts.SEEDS) {
            assertEquals(Verdict.Status.PASS, SampleVerdicts.verdict("tiny-job-limit seed " + seed, "CAP-01").status());
            assertEquals(Verdict.Status.NOT_EXERCISED, SampleVerdicts.verdict("baseline seed " + seed, "CAP-01").status());
        }
    }

    @Test
    @DisplayName("CAP-02 and CAP-03 report ratios; the sample acknowledges before creating and keeps the queue full on baseline")
    void figures() throws Exception {
        Figure acknowledgeFirst = SampleVerdicts.verdict("tiny-job-limit seed 1", "CAP-02").figure();
        assertEquals(Figure.Kind.RATIO, acknowledgeFirst.kind());
        assertTrue(acknowledgeFirst.denominator() > 0, acknowledgeFirst.toString());
        assertEquals(0, acknowledgeFirst.numerator(), acknowledgeFirst.toString());
        Figure idle = SampleVerdicts.verdict("baseline seed 1", "CAP-03").figure();
        assertEquals(Figure.Kind.RATIO, idle.kind());
        assertTrue(idle.denominator() > 0, idle.toString());
        assertEquals(0, idle.numerator(), idle.toString());
    }

    @Test
    @DisplayName("CAP-03 leaves out a call whose library answered nothing: on silent-start the first call saw none of the "
            + "photos waiting (counted, it left 100 slots idle), the sample fills the queue in every other; library-churn's "
            + "other calls are still judged")
    void notJudgedWhereTheLibraryAnsweredNothing() throws Exception {
        for (long seed : SampleVerdicts.SEEDS) {
            Figure silent = SampleVerdicts.verdict("silent-start seed " + seed, "CAP-03").figure();
            assertTrue(silent.denominator() > 0, "the calls after the first are judged: " + silent);
            assertEquals(0, silent.numerator(), "seed " + seed + ": " + silent);
        }
        Figure churn = SampleVerdicts.verdict("library-churn seed 1", "CAP-03").figure();
        assertTrue(churn.denominator() > 0, churn.toString());
    }
}
