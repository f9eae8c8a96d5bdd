package org.upcert.conformance.python;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client end to end: the reference extension written on it
 * ({@code clients/python/examples/reference_extension.py}) is certified with
 * {@code --extension-cmd}, one OS process per simulated process, and passes every MUST rule; its
 * mutant that never acknowledges failed jobs fails ACK-01, the one that reads header names
 * with capitals fails CLD-01, and the one that trusts a library scan that found nothing (PhotoKit
 * answering nothing, {@code library.flaky}) fails RES-01. Skipped (reported SKIPPED) without a {@code python3} of version 3.9
 * or newer.
 *
 * <p>Seed 1 of the seven standard profiles that between them exercise every MUST rule (the
 * others exercise subsets of these), so a run of {@code mvn verify} certifies the Python reference
 * as a whole at a fraction of the runs of {@code ./upcert certify}.
 */
class PythonExtensionAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Together, every MUST rule (measured with the sample: see the exercisedBy of each rule). */
    static final String PROFILES = "everything,cloud-errors,library-churn,tiny-job-limit,consent-changes,device-quirks-26x,"
            + "expired-urls";

    @Test
    @DisplayName("the bundled client is clients/python/upcert_extension.py, byte for byte")
    void bundledClientIsTheSource() throws Exception {
        byte[] source = Files.readAllBytes(Python.CLIENT.resolve("upcert_extension.py"));
        try (InputStream bundled = getClass().getClassLoader().getResourceAsStream("upcert/python/upcert_extension.py")) {
            assertNotNull(bundled, "the harness jar bundles upcert/python/upcert_extension.py (harness/pom.xml)");
            assertArrayEquals(source, bundled.readAllBytes(), "rebuild the harness: the bundled client is stale");
        }
    }

    @Test
    @DisplayName("the Python reference extension passes every MUST rule and FAILs nothing (seed 1 of 7 profiles)")
    void referenceExtensionCertifies(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd", Python.command(python, Python.EXAMPLES.resolve("reference_extension.py")),
                "--profiles", PROFILES, "--seeds", "1", "--json", "--quiet", "--out", out.toString());
        JsonNode json = JSON.readTree(outcome.out().strip());
        List<String> problems = new ArrayList<>();
        for (JsonNode rule : json.path("rules")) {
            String verdict = rule.path("verdict").asText();
            boolean must = rule.path("severity").asText().equals("MUST");
            if (verdict.equals("FAIL") || verdict.equals("SKIPPED") || (must && !verdict.equals("PASS") && !verdict.equals("NOT_APPLICABLE"))) {
                problems.add(rule.path("id").asText() + " " + verdict + " " + rule.path("runs"));
            }
        }
        assertEquals(List.of(), problems, "every MUST rule PASS (or NOT_APPLICABLE), nothing FAIL or SKIPPED\n" + outcome.err() + "\n"
                + json.path("failures"));
        assertEquals(0, json.path("harnessFaults").size(), "no harness fault: " + json.path("harnessFaults"));
        assertTrue(json.path("mustRules").path("PASS").asInt() >= 29, json.path("mustRules").toString());
        assertEquals("CERTIFIED", json.path("verdict").asText(), outcome.err());
        assertEquals(0, outcome.code(), outcome.err());
        assertEquals("command", json.path("runs").path("isolation").asText(), "one process per simulated process");
        assertTrue(json.path("extension").path("name").asText().contains("reference_extension.py"), json.path("extension").toString());
    }

    @Test
    @DisplayName("the Python mutant that never acknowledges failed jobs is NOT_CERTIFIED: ACK-01 FAIL")
    void mutantFailsItsRule(@TempDir Path out) throws Exception {
        assertMutantFails("mutant_never_acknowledges_failed.py", flakyNetworkForADay(out).toString(), "ACK", "ACK-01", out);
    }

    @Test
    @DisplayName("the Python mutant that reads X-Object-Id instead of x-object-id is NOT_CERTIFIED: CLD-01 FAIL (lookups are reported)")
    void headerMutantFailsCld01(@TempDir Path out) throws Exception {
        assertMutantFails("mutant_canonical_header_names.py", "baseline", "CLD-01", "CLD-01", out);
    }

    @Test
    @DisplayName("the Python mutant that trusts a scan that found nothing is NOT_CERTIFIED on library-churn (library.flaky): RES-01 FAIL")
    void emptyScanMutantFailsRes01(@TempDir Path out) throws Exception {
        assertMutantFails("mutant_trusts_an_empty_scan.py", "library-churn", "RES-01", "RES-01", out);
    }

    @Test
    @DisplayName("the Python reference extension passes every rule on memory-and-cpu (memory pressure, failed iCloud downloads)"
            + " as a command: the memory measure and the iCloud failures are the harness's, the same in every isolation")
    void referenceExtensionCertifiesMemoryAndCpu(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd", Python.command(python, Python.EXAMPLES.resolve("reference_extension.py")),
                "--profiles", "memory-and-cpu", "--seeds", "1", "--json", "--quiet", "--out", out.toString());
        JsonNode json = JSON.readTree(outcome.out().strip());
        assertEquals(List.of(), Python.failedOrSkipped(json), outcome.err() + "\n" + json.path("failures"));
        // One profile leaves rules NOT_EXERCISED: INCOMPLETE, never NOT_CERTIFIED.
        assertEquals("INCOMPLETE", json.path("verdict").asText(), outcome.err());
    }

    @Test
    @DisplayName("the Python reference extension fails no rule on host-app (sign-ins, a sign-out, a change of server, the host"
            + " app's file lock and its own uploads): the file lock reaches a command extension as StorageUnavailableError; after"
            + " the change of server every job goes to the new one")
    void referenceExtensionPassesHostApp(@TempDir Path out) throws Exception {
        String python = Python.require();
        // The trace of the certification's own run (host-app, seed 1, transport direct, one process per
        // simulated process), kept as the run ends: the events below are read from the run that was
        // judged, instead of simulating the same cell a second time (about 20 s of Python processes).
        List<String> traces = java.util.Collections.synchronizedList(new ArrayList<>());
        Python.Outcome outcome = Python.certify(run -> traces.add(run.traceText()),
                "--extension-cmd", Python.command(python, Python.EXAMPLES.resolve("reference_extension.py")),
                "--profiles", "host-app", "--seeds", "1", "--json", "--quiet", "--out", out.toString());
        JsonNode json = JSON.readTree(outcome.out().strip());
        assertEquals(List.of(), Python.failedOrSkipped(json), outcome.err() + "\n" + json.path("failures"));
        assertEquals(0, json.path("harnessFaults").size(), "no harness fault: " + json.path("harnessFaults"));
        assertEquals("command", json.path("runs").path("isolation").asText(), "one process per simulated process");
        assertEquals(1, traces.size(), "the one run, host-app seed 1, was seen as it ended");
        // It reads host/uploaded: once a resource is listed, no job is created for it (until the account moves
        // to another server: what the app uploaded before went to the old one). It reads host/server: after
        // the change every job goes to the new server.
        java.util.TreeSet<String> byHostApp = new java.util.TreeSet<>();
        boolean moved = false;
        int onNewServer = 0;
        for (String line : traces.get(0).lines().toList()) {
            JsonNode event = JSON.readTree(line);
            String resource = event.path("resource").asText();
            if (event.path("ev").asText().equals("host.upload") && !resource.isEmpty()) {
                byHostApp.add(resource);
            } else if (event.path("ev").asText().equals("host.server") && !event.has("skipped")) {
                moved = true;
                byHostApp.clear();
            } else if (event.path("ev").asText().equals("job.create")) {
                assertTrue(!byHostApp.contains(resource), "a job created for " + resource + ", which the host app had uploaded");
                assertTrue(event.path("url").asText().startsWith(moved ? "{cloud2}/" : "{cloud}/"), line);
                onNewServer += moved ? 1 : 0;
            }
        }
        assertTrue(!byHostApp.isEmpty(), "the host app uploaded photos itself");
        assertTrue(onNewServer > 0, "jobs created on the new server after the change");
    }

    @Test
    @DisplayName("the Python mutant that hashes every original at every call (request_data) is NOT_CERTIFIED on memory-and-cpu:"
            + " every call meets the runtime limit, E2E-01 FAIL")
    void hashingMutantFailsE2e01(@TempDir Path out) throws Exception {
        assertMutantFails("mutant_hashes_every_original.py", "memory-and-cpu", "E2E-01", "E2E-01", out);
    }

    private static void assertMutantFails(String script, String profile, String rules, String rule, Path out) throws Exception {
        String python = Python.require();
        Path folder = out.resolve("certification");
        Python.Outcome outcome = Python.certify("--extension-cmd", Python.command(python, Python.EXAMPLES.resolve(script)),
                "--profiles", profile, "--seeds", "1", "--rules", rules, "--json", "--quiet", "--out", folder.toString());
        assertEquals(1, outcome.code(), outcome.err());
        JsonNode json = JSON.readTree(outcome.out().strip());
        assertEquals("NOT_CERTIFIED", json.path("verdict").asText(), outcome.err());
        String verdict = null;
        for (JsonNode one : json.path("rules")) {
            if (one.path("id").asText().equals(rule)) {
                verdict = one.path("verdict").asText();
            }
        }
        assertEquals("FAIL", verdict, json.path("rules").toString());
        JsonNode failure = json.path("failures").get(0);
        assertEquals(rule, failure.path("rule").asText(), json.path("failures").toString());
        assertTrue(Files.isRegularFile(folder.resolve(failure.path("trace").asText())), "the FAIL's trace is written: " + failure);
    }

    /**
     * The standard flaky-network profile, its run stopped after one simulated day instead of
     * seven. The mutant's failed jobs are never resolved, so its run goes on to the hard stop,
     * penalised (50008) and relaunched at almost every activation: about 170 Python processes in
     * seven days, a handful in one. ACK-01 fails the same way either way.
     */
    private static Path flakyNetworkForADay(Path folder) throws Exception {
        String yaml;
        try (InputStream in = PythonExtensionAcceptanceTest.class.getClassLoader()
                .getResourceAsStream("upcert/profiles/flaky-network.yaml")) {
            assertNotNull(in, "the standard profile flaky-network");
            yaml = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(yaml.contains("\nphases:") && !yaml.contains("\nsystem:"), "flaky-network has phases and no system block");
        Path profile = folder.resolve("flaky-network-for-a-day.yaml");
        Files.writeString(profile, yaml.replace("\nphases:", "\nsystem:\n  maxSimulated: 24h\nphases:"));
        return profile;
    }

    @Test
    @DisplayName("the Python reference, like the sample, narrows its queue window when jobs outlive their tokens in the system's queue (quiet-phone at 2 Mbit/s): RTY-02, E2E-01, ACK-01 PASS")
    void aQueueThatOutlivesItsTokensIsShortened() throws Exception {
        String python = Python.require();
        String text = org.upcert.harness.faults.profile.ProfileCatalogue.text("quiet-phone").orElseThrow()
                .replace("uplinkKbps: 4000", "uplinkKbps: 2000");
        assertTrue(text.contains("uplinkKbps: 2000"), "the profile still sets its home uplink");
        var plan = org.upcert.harness.faults.profile.PlanExpander.expand(
                org.upcert.harness.faults.profile.ProfileParser.parse("test:slow-quiet-phone", "slow-quiet-phone", text), 1).plan();
        var result = org.upcert.harness.run.Simulation.run(plan,
                org.upcert.harness.host.ExtensionSource.command(List.of(python, Python.EXAMPLES.resolve("reference_extension.py").toString()),
                        Python.EXAMPLES),
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
        var evidence = org.upcert.conformance.evidence.RunEvidence.of(result);
        boolean narrowed = evidence.events().stream()
                .anyMatch(e -> e.name().equals("storage.write") && "queue-window".equals(e.text("name")));
        assertTrue(narrowed, "jobs refused for their credentials after a renewing retry narrow the queue window");
        for (String rule : List.of("RTY-02", "E2E-01", "ACK-01")) {
            var verdict = org.upcert.conformance.rules.RuleCatalogue.judge(rule, evidence);
            assertEquals("PASS", verdict.status().name(), rule + ": " + verdict.message());
        }
    }

    @Test
    @DisplayName("on iOS 26.1 (a failure shows neither error nor headers) the Python reference, like the sample, retries a"
            + " job in place only for a resource's first failures and counts each toward giving up: a photo stored but answered"
            + " 204 (shown as a failure) is not sent for ever; its twin is, RTY-02 FAIL (explore:281, shrunk)")
    void unexplainedFailuresAreBounded() throws Exception {
        var caught = org.upcert.conformance.rules.RuleCatalogue.judge("RTY-02", onExplore281("mutant_retries_unexplained_for_ever.py"));
        assertEquals("FAIL", caught.status().name(), caught.message());
        assertTrue(caught.message().contains("refusals in a row, last HTTP 204"), caught.message());
        var style = onExplore281("reference_extension.py");
        assertTrue(style.events().stream().anyMatch(e -> e.name().equals("job.failed") && e.fields().has("status")
                && e.number("status") == 204), "a 204 shown as a failure (count204AsFailure on iOS 26.1)");
        assertPasses(style, "RTY-02", "ACK-01", "CLD-02", "E2E-01");
    }

    @Test
    @DisplayName("the Python reference, like the sample since 0d6e083, rescans the library when a fetch of its candidates finds"
            + " none: uploaded photos deleted, then the account moved (job limit 1), and the deleted ones are not asked for call"
            + " after call (RES-03 and E2E-01 FAILed before: 83 empty single-photo fetches, 0 gone)")
    void deletedThenMovedIsRescanned() throws Exception {
        var run = Python.simulate(Python.require(), "reference_extension.py",
                "src/test/resources/styles-corpus/sample-RES-03-deleted-then-moved.yaml", 7,
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
        assertTrue(run.events().stream().anyMatch(e -> e.name().equals("host.server")), "the account moved");
        assertPasses(run, "RES-03", "E2E-01", "RES-01", "DUP-01", "ACK-01");
    }

    @Test
    @DisplayName("the Python reference, like the sample since 1811a10, starts no sign-in in its retry step once willTerminate"
            + " came: the notice at the RETRY fetch with a job needing fresh credentials; its twin signs in, the answer comes"
            + " 36 s later through cloud.slow, killed at the grace end, TRM-01 FAIL")
    void noSignInAfterTheNotice() throws Exception {
        String python = Python.require();
        String pinned = "src/test/resources/styles-corpus/reference-TRM-01-retry-after-notice.yaml";
        var options = org.upcert.harness.run.RunOptions.inMemory().withTransport("direct");
        var caught = org.upcert.conformance.rules.RuleCatalogue.judge("TRM-01",
                Python.simulate(python, "mutant_retries_after_the_notice.py", pinned, 1574, options));
        assertEquals("FAIL", caught.status().name(), caught.message());
        assertTrue(caught.message().contains("did not return within 5000 ms of willTerminate"), caught.message());
        var style = Python.simulate(python, "reference_extension.py", pinned, 1574, options);
        assertEquals(1, org.upcert.conformance.RequestsAfterTheNotice.assertNone(style), "the planned notice came");
        assertPasses(style, "TRM-01", "RES-01", "E2E-01", "ACK-01");
    }

    @Test
    @DisplayName("the Python reference, like the sample since e2fbca8, answers FAILURE when the first call's scan found nothing"
            + " and its ledger knows no resource (library.flaky): on a quiet phone a COMPLETED is never called again"
            + " (explore:4038, E2E-01: every resource lost before; the standard silent-start the same); the twin that trusts"
            + " an empty scan still loses them")
    void anEmptyFirstScanIsNotUpToDate() throws Exception {
        String python = Python.require();
        String pinned = "src/test/resources/styles-corpus/patient-E2E-01-seed-4038.yaml";
        var options = org.upcert.harness.run.RunOptions.inMemory().withTransport("direct");
        var style = Python.simulate(python, "reference_extension.py", pinned, 4038, options);
        var first = style.events().stream().filter(e -> e.name().equals("call.end")).findFirst().orElseThrow();
        assertTrue(style.events().stream().anyMatch(e -> e.name().equals("library.flaky") && e.t() <= first.t()),
                "the first call's scan finds nothing");
        assertEquals("FAILURE", first.fields().path("result").asText(), "the first call is not up to date with the library");
        assertPasses(style, "E2E-01", "RES-01", "RES-03", "ACK-01", "DUP-01");
        var caught = org.upcert.conformance.rules.RuleCatalogue.judge("E2E-01",
                Python.simulate(python, "mutant_trusts_an_empty_scan.py", pinned, 4038, options));
        assertEquals("FAIL", caught.status().name(), caught.message());
        // The standard profile made of that situation alone: the reference passes, the twin loses every photo.
        assertPasses(Python.simulate(python, "reference_extension.py", "silent-start", 1, options), "E2E-01", "RES-01", "ACK-01");
        var silent = org.upcert.conformance.rules.RuleCatalogue.judge("E2E-01",
                Python.simulate(python, "mutant_trusts_an_empty_scan.py", "silent-start", 1, options));
        assertEquals("FAIL", silent.status().name(), silent.message());
    }

    /** Each of {@code rules} PASSes on {@code run}, judged alone (the message names the one that did not). */
    private static void assertPasses(org.upcert.conformance.evidence.RunEvidence run, String... rules) {
        for (String rule : rules) {
            var verdict = org.upcert.conformance.rules.RuleCatalogue.judge(rule, run);
            assertEquals("PASS", verdict.status().name(), rule + ": " + verdict.message());
        }
    }

    /** {@code script} run in process on the pinned {@code styles-corpus/reference-RTY-02-seed-281.yaml}, seed 281. */
    private static org.upcert.conformance.evidence.RunEvidence onExplore281(String script) throws Exception {
        return Python.simulate(Python.require(), script, "src/test/resources/styles-corpus/reference-RTY-02-seed-281.yaml", 281,
                org.upcert.harness.run.RunOptions.inMemory().withTransport("direct"));
    }
}
