package org.upcert.conformance;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CNS-01 and CNS-02 on the bundled sample. */
class ConsentRulesTest {

    @Test
    @DisplayName("the sample fails no CNS rule on any standard profile (generic-put, seeds 1..3)")
    void sampleNeverFails() throws Exception {
        SampleVerdicts.neverFails(List.of("CNS-01", "CNS-02"), "generic-put");
    }

    @Test
    @DisplayName("consent-changes exercises both: calls without consent, and a backup that resumes")
    void consentChanges() throws Exception {
        SampleVerdicts.exercisedBy("CNS-01", "consent-changes", "generic-put");
        SampleVerdicts.exercisedBy("CNS-02", "consent-changes", "generic-put");
        SampleVerdicts.notExercisedBy("CNS-01", "baseline", "generic-put");
        SampleVerdicts.notExercisedBy("CNS-02", "baseline", "generic-put");
    }
}
