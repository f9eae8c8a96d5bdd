package org.upcert.conformance.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A correct generic-put extension written apart from the sample and the other styles:
 * {@code clients/python/examples/cleanroom_put_extension.py} (session 2026-12-03d, docs/exploration.md),
 * written from the PhotoKit reference, docs/protocol.md, docs/cloud.md and the client's docstrings only.
 * One JSON state file in the app group, one record per resource, plain step functions; an intent
 * written before each create block and settled by evidence after a kill (the PROCESS set from iOS
 * 26.5, timers before). The suite must certify it: a refusal here is as likely the suite's as the
 * extension's.
 *
 * <p>Cheap on purpose (seed 1): {@code hard-kills} (kills inside {@code performChanges}),
 * {@code device-quirks-26x} (iOS 26.1, nil resources, 204s reported failed), {@code library-churn}
 * (deletions, expired tokens, an empty library answer, limited access). Its twin
 * {@code mutant_cleanroom_records_after_commit.py} writes the state file only after a create block
 * committed, and makes second jobs on {@code kills-after-commit}: DUP-01 FAIL. Skipped (reported
 * SKIPPED) without a {@code python3} of version 3.9 or newer.
 */
class CleanRoomPutExtensionAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("the clean-room generic-put Python extension fails no rule on hard-kills, device-quirks-26x and"
            + " library-churn, seed 1")
    void cleanRoomExtensionFailsNothing(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd",
                Python.command(python, Python.EXAMPLES.resolve("cleanroom_put_extension.py")),
                "--profiles", "hard-kills,device-quirks-26x,library-churn", "--seeds", "1", "--json", "--quiet",
                "--out", out.toString());
        JsonNode json = Python.failsNothing(outcome);
        assertEquals("command", json.path("runs").path("isolation").asText(), "one process per simulated process");
        assertTrue(json.path("mustRules").path("PASS").asInt() >= 20,
                "the three profiles exercise most MUST rules: " + json.path("mustRules"));
        assertEquals("INCOMPLETE", json.path("verdict").asText(), outcome.err());
    }

    @Test
    @DisplayName("its twin that records a create block after the commit is NOT_CERTIFIED on kills-after-commit: DUP-01 FAIL")
    void recordAfterCommitTwinFailsDup01(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd",
                Python.command(python, Python.EXAMPLES.resolve("mutant_cleanroom_records_after_commit.py")),
                "--profiles", "kills-after-commit", "--seeds", "1", "--rules", "DUP-01", "--json", "--quiet",
                "--out", out.toString());
        assertEquals(1, outcome.code(), outcome.err());
        JsonNode json = JSON.readTree(outcome.out().strip());
        assertEquals("NOT_CERTIFIED", json.path("verdict").asText(), outcome.err());
        assertEquals("DUP-01", json.path("failures").get(0).path("rule").asText(), json.path("failures").toString());
    }

    @Test
    @DisplayName("the style itself passes DUP-01 on kills-after-commit, seed 1 (the twin's only difference is the intent)")
    void styleIntentFirstPassesDup01(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd",
                Python.command(python, Python.EXAMPLES.resolve("cleanroom_put_extension.py")),
                "--profiles", "kills-after-commit", "--seeds", "1", "--rules", "DUP-01", "--json", "--quiet",
                "--out", out.toString());
        JsonNode json = JSON.readTree(outcome.out().strip());
        assertEquals(0, json.path("mustRules").path("FAIL").asInt(), outcome.out());
    }
    @Test
    @DisplayName("a first walk that found nothing (library.flaky at the only call of a quiet phone, explore:4038) is no answer:"
            + " FAILURE, the system calls again, E2E-01 PASS (before: COMPLETED, 371 of 371 photos never uploaded)")
    void anEmptyFirstWalkIsNoAnswer() throws Exception {
        var run = Python.simulate(Python.require(), "cleanroom_put_extension.py",
                "src/test/resources/styles-corpus/patient-E2E-01-seed-4038.yaml", 4038,
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
        var first = run.events().stream().filter(e -> e.name().equals("call.end")).findFirst().orElseThrow();
        assertEquals("FAILURE", first.fields().path("result").asText(), "the first call is not up to date with the library");
        for (String rule : new String[] {"E2E-01", "RES-01", "RES-03", "ACK-01"}) {
            var verdict = org.upcert.conformance.rules.RuleCatalogue.judge(rule, run);
            assertEquals("PASS", verdict.status().name(), rule + ": " + verdict.message());
        }
    }
    @Test
    @DisplayName("explore:47 (the account moves to server 2): a success on the old server acknowledged after the move leaves"
            + " the photo to upload, a job made on the new server is not taken for the old one's: RES-01, E2E-01, CLD-02,"
            + " TRM-03, CNS-02 PASS (before: RES-01 and E2E-01 FAIL, a second job for J000039's photo)")
    void theServerMoveOfExplore47() throws Exception {
        var run = Python.simulate(Python.require(), "cleanroom_put_extension.py",
                "src/test/resources/styles-corpus/cleanroom-put-RES-01-seed-47.yaml", 47,
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
        for (String rule : new String[] {"RES-01", "E2E-01", "CLD-02", "TRM-03", "CNS-02"}) {
            var verdict = org.upcert.conformance.rules.RuleCatalogue.judge(rule, run);
            assertTrue(verdict.status().name().equals("PASS") || verdict.status().name().equals("NOT_EXERCISED"),
                    rule + ": " + verdict.status() + " " + verdict.message());
        }
        for (String rule : new String[] {"RES-01", "E2E-01"}) {
            assertEquals("PASS", org.upcert.conformance.rules.RuleCatalogue.judge(rule, run).status().name(), rule);
        }
    }
}
