package org.upcert.conformance.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A correct extension in a style unlike the sample's, in a second language:
 * {@code clients/python/examples/sqlite_queue_extension.py}, the Ente Photos fork of the reference
 * (§10) — iOS 26.1 APIs only (the deprecated {@code createJob}, no {@code cancel}, no
 * {@code fetchJobs(.process)}), a SQLite work queue made durable in the app group by a snapshot
 * and a CRC-framed redo journal, job identity from a destination header, and an intent written
 * before each create block that it settles by evidence, since nothing before iOS 26.5 shows a job in
 * flight. The suite must certify it: a refusal here is as likely the suite's as the extension's.
 *
 * <p>Cheap on purpose (two profiles, seed 1): {@code hard-kills} kills it inside
 * {@code performChanges} before and after the commit (the intent and its doubt), and
 * {@code device-quirks-26x} runs it at iOS 26.1 with nil resources on terminal jobs, notices after
 * every return and 204s counted as failures (identity from the destination, a failure judged with
 * no error shown). On {@code kills-after-commit} (iOS 26.5, where the PROCESS set would show the
 * jobs of a killed call: avoidable, hence judged) its traits are checked on the trace, and its twin
 * {@code mutant_queue_records_after_commit.py}, which records a block after its commit, fails DUP-01
 * there. The full certification ({@code ./upcert certify --extension-cmd ...}, 75 runs)
 * is in clients/python/README.md. Skipped (reported SKIPPED) without a {@code python3} of version
 * 3.9 or newer.
 */
class SqliteQueueExtensionAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("the SQLite-queue Python extension (26.1 APIs, createJob, no cancel, no PROCESS set) fails no rule on"
            + " hard-kills and device-quirks-26x, seed 1")
    void sqliteQueueExtensionFailsNothing(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd", Python.command(python, Python.EXAMPLES.resolve("sqlite_queue_extension.py")),
                "--profiles", "hard-kills,device-quirks-26x", "--seeds", "1", "--json", "--quiet", "--out", out.toString());
        JsonNode json = Python.failsNothing(outcome);
        assertEquals("command", json.path("runs").path("isolation").asText(), "one process per simulated process");
        assertTrue(json.path("mustRules").path("PASS").asInt() >= 15, "the two profiles exercise most MUST rules: " + json.path("mustRules"));
        // Two profiles leave some rules NOT_EXERCISED: INCOMPLETE at best, never NOT_CERTIFIED.
        assertEquals("INCOMPLETE", json.path("verdict").asText(), outcome.err());
    }

    @Test
    @DisplayName("on kills-after-commit (iOS 26.5, a PROCESS set it does not use) it writes an intent before every create block"
            + " and, killed after commits, makes no second job: DUP-01, TRM-03, E2E-01 PASS; no PROCESS fetch, no cancel")
    void intentBeforeEveryCreateBlock() throws Exception {
        String python = Python.require();
        var plan = org.upcert.harness.faults.profile.PlanExpander.expand(
                org.upcert.harness.faults.profile.ProfileCatalogue.load("kills-after-commit"), 1).plan();
        Path script = Python.EXAMPLES.resolve("sqlite_queue_extension.py");
        var result = org.upcert.harness.run.Simulation.run(plan,
                org.upcert.harness.host.ExtensionSource.command(List.of(python, script.toString()), Python.EXAMPLES),
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
        var evidence = org.upcert.conformance.evidence.RunEvidence.of(result);
        int killsAfterCommit = 0;
        int createBlocks = 0;
        boolean intent = false;
        for (var event : evidence.events()) {
            if (event.fields().has("n")) { // an API call of the extension: is the latest the intent's record?
                intent = event.name().equals("storage.append") && event.text("name").startsWith("queue/journal-");
            }
            switch (event.name()) {
                case "fetch.jobs" -> assertTrue(!event.text("action").equals("PROCESS"), "a 26.1-era style never fetches PROCESS: " + event.raw());
                case "process.kill" -> killsAfterCommit += event.text("reason").contains("after the commit") ? 1 : 0;
                case "changes.commit" -> {
                    assertEquals(0, event.number("cancel"), "no cancel (iOS 26.4): " + event.raw());
                    if (event.number("create") > 0) {
                        createBlocks++;
                        assertTrue(intent, "the API call right before create block " + event.raw() + " is a journal record (the intent)");
                    }
                }
                default -> { }
            }
        }
        assertTrue(createBlocks > 0, "it created jobs");
        assertTrue(killsAfterCommit > 0, "the profile killed it after commits");
        for (String rule : List.of("DUP-01", "TRM-03", "E2E-01")) {
            var verdict = org.upcert.conformance.rules.RuleCatalogue.judge(rule, evidence);
            assertEquals("PASS", verdict.status().name(), rule + ": " + verdict.message());
        }
    }

    @Test
    @DisplayName("its twin that records a create block after the commit is NOT_CERTIFIED on kills-after-commit: DUP-01 FAIL")
    void recordAfterCommitTwinFailsDup01(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd",
                Python.command(python, Python.EXAMPLES.resolve("mutant_queue_records_after_commit.py")),
                "--profiles", "kills-after-commit", "--seeds", "1", "--rules", "DUP-01", "--json", "--quiet", "--out", out.toString());
        assertEquals(1, outcome.code(), outcome.err());
        JsonNode json = JSON.readTree(outcome.out().strip());
        assertEquals("NOT_CERTIFIED", json.path("verdict").asText(), outcome.err());
        assertEquals("DUP-01", json.path("failures").get(0).path("rule").asText(), json.path("failures").toString());
    }
    @Test
    @DisplayName("a throttle (retry-after) is no refusal: a photo answered 400, 503 retry-after, 400, 503 retry-after, 400, 400"
            + " is not given up (explore:202, iOS 26.4, shrunk): RTY-01, RES-01, E2E-01 PASS; its twin that counts"
            + " throttles toward giving up abandons it, RTY-01 FAIL")
    void throttlesAreNotRefusals() throws Exception {
        var twin = onExplore202("mutant_queue_counts_throttles.py");
        var caught = org.upcert.conformance.rules.RuleCatalogue.judge("RTY-01", twin);
        assertEquals("FAIL", caught.status().name(), caught.message());
        assertTrue(caught.message().contains("4 refusals without retry-after"), caught.message());
        var style = onExplore202("sqlite_queue_extension.py");
        assertTrue(style.events().stream().anyMatch(e -> e.name().equals("job.failed") && e.fields().has("retryAfter")),
                "the run shows failures that carry retry-after");
        for (String rule : List.of("RTY-01", "RES-01", "E2E-01", "RTY-02", "ACK-01")) {
            var verdict = org.upcert.conformance.rules.RuleCatalogue.judge(rule, style);
            assertEquals("PASS", verdict.status().name(), rule + ": " + verdict.message());
        }
    }

    /** {@code script} run in process on the pinned {@code styles-corpus/sqlite-RTY-01-seed-202.yaml}, seed 202. */
    private static org.upcert.conformance.evidence.RunEvidence onExplore202(String script) throws Exception {
        return Python.simulate(Python.require(), script, "src/test/resources/styles-corpus/sqlite-RTY-01-seed-202.yaml", 202,
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
    }
}
