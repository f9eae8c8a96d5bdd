package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/** TRM-01, TRM-02, TRM-03, TRM-05 (and TRM-04) on the bundled sample across the standard profiles. */
class TerminationRulesTest {

    @Test
    @DisplayName("the sample fails no TRM rule on any standard profile (seeds 1..3); each is exercised on its profile")
    void sampleHolds() throws Exception {
        SampleVerdicts.assertGroupHolds("TRM");
    }

    @Test
    @DisplayName("kills and notices exercise the TRM rules; a run without them leaves them NOT_EXERCISED")
    void exercisedOnlyByKillsAndNotices() throws Exception {
        for (String rule : new String[] {"TRM-01", "TRM-02", "TRM-03", "TRM-05"}) {
            assertEquals(Verdict.Status.NOT_EXERCISED, SampleVerdicts.verdict("baseline seed 1", rule).status(), rule);
        }
        assertEquals(Verdict.Status.PASS, SampleVerdicts.verdict("hard-kills seed 1", "TRM-02").status());
        assertEquals(Verdict.Status.PASS, SampleVerdicts.verdict("hard-kills seed 1", "TRM-03").status());
        assertEquals(Verdict.Status.PASS, SampleVerdicts.verdict("termination-storm seed 1", "TRM-01").status());
    }

    @Test
    @DisplayName("TRM-05 measures the change blocks the sample commits after willTerminate, per notice (it may finish the block in progress)")
    void changesAfterNotice() throws Exception {
        Verdict verdict = SampleVerdicts.verdict("termination-storm seed 1", "TRM-05");
        Figure figure = verdict.figure();
        assertEquals(Figure.Kind.AVERAGE, figure.kind(), "change blocks after a notice, per notice");
        assertTrue(figure.value() >= 0, figure.toString());
        assertTrue(verdict.message().contains("notice to return longest"), verdict.message());
    }
}
