package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.verdict.Verdict;

/** DUP-02 (SHOULD): a figure, never a FAIL. */
class DuplicateRulesTest {

    @Test
    @DisplayName("DUP-02 measures 0% duplicate bytes on baseline and the lost-response re-uploads on lost-responses")
    void duplicateBytes() throws Exception {
        SampleVerdicts.exercisedBy("DUP-02", "baseline", "generic-put");
        assertEquals(0.0, SampleVerdicts.of("baseline", 1, "generic-put").get("DUP-02").figure().value());
        Verdict lost = SampleVerdicts.of("lost-responses", 1, "generic-put").get("DUP-02");
        assertEquals(Verdict.Status.PASS, lost.status());
        assertTrue(lost.figure().value() > 0, "responses lost after the server stored the bytes: re-uploads " + lost);
        assertTrue(lost.message().contains("lost responses"), lost.message());
    }
}
