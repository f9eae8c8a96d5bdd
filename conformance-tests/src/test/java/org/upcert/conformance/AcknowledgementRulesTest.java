package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** ACK-03 (SHOULD): a figure, never a FAIL. */
class AcknowledgementRulesTest {

    @Test
    @DisplayName("ACK-03: the sample writes its ledger before every acknowledgement when nothing interrupts it")
    void outcomeStoredFirst() throws Exception {
        SampleVerdicts.exercisedBy("ACK-03", "baseline", "generic-put");
        SampleVerdicts.exercisedBy("ACK-03", "hard-kills", "generic-put");
        assertEquals(0.0, SampleVerdicts.of("baseline", 1, "generic-put").get("ACK-03").figure().value());
        assertEquals(0.0, SampleVerdicts.of("flaky-network", 1, "generic-put").get("ACK-03").figure().value());
    }
}
