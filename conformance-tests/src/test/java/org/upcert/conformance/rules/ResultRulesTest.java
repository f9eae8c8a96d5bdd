package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.verdict.Figure;

/** RES-01, RES-02, RES-03, RES-05 (and RES-04) on the bundled sample across the standard profiles. */
class ResultRulesTest {

    @Test
    @DisplayName("the sample fails no RES rule on any standard profile (seeds 1..3); each is exercised on its profile")
    void sampleHolds() throws Exception {
        SampleVerdicts.assertGroupHolds("RES");
    }

    @Test
    @DisplayName("RES-05 reports the p99 call duration, below the runtime limit for the sample")
    void callDuration() throws Exception {
        Figure p99 = SampleVerdicts.verdict("hard-kills seed 1", "RES-05").figure();
        assertEquals(Figure.Kind.MAXIMUM, p99.kind());
        assertTrue(p99.value() > 0 && p99.value() < 60_000, p99.toString());
    }

    @Test
    @DisplayName("RES-03 needs a streak of at least two calls")
    void streakLength() {
        assertThrows(IllegalArgumentException.class, () -> new ResultRules.NoEndlessProcessing(1));
        assertEquals("RES-03", new ResultRules.NoEndlessProcessing(ResultRules.DEFAULT_NO_PROGRESS_CALLS).ruleId());
    }
}
