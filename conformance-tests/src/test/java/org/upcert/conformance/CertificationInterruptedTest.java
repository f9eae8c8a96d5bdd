package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.report.CertificationJson;
import org.upcert.conformance.report.CertificationMarkdown;
import org.upcert.conformance.suite.SuiteConfig;

/** An interrupted certification is INTERRUPTED in every report, whatever its verdicts, and never looks certified. */
class CertificationInterruptedTest {

    @Test
    @DisplayName("INTERRUPTED wins over every other outcome, in certification.json and CERTIFICATION.md")
    void interruptedIsNeverCertified() throws Exception {
        Map<String, String> parameters = Map.of("upcert.profiles", "baseline,flaky-network", "upcert.seeds", "2",
                "upcert.rules", "JOB-01");
        SuiteConfig config = SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
        Certification whole = Certification.of(config, List.of(), List.of());
        assertFalse(whole.interrupted());
        JsonNode plain = new ObjectMapper().readTree(CertificationJson.text(whole));
        assertFalse(plain.path("interrupted").asBoolean());
        assertTrue(plain.path("runs").path("finished").isMissingNode(), "only an interrupted certification counts finished runs");

        Certification interrupted = whole.interruptedWith(3);
        assertEquals(Certification.Outcome.INTERRUPTED, interrupted.outcome());
        assertEquals(1, interrupted.finishedRuns());
        JsonNode json = new ObjectMapper().readTree(CertificationJson.text(interrupted));
        assertEquals("INTERRUPTED", json.path("verdict").asText());
        assertTrue(json.path("interrupted").asBoolean());
        assertEquals(1, json.path("runs").path("finished").asInt());
        assertEquals(4, json.path("runs").path("count").asInt());
        String md = CertificationMarkdown.text(interrupted);
        assertTrue(md.startsWith("# upcert certification: INTERRUPTED"), md);
        assertTrue(md.contains("**Interrupted (Ctrl-C) after 1 of 4 runs had finished.** This is not a certification"), md);
    }
}
