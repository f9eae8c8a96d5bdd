package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.mutants.Mutants;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * Certification end to end through the JUnit Platform Launcher: the sample is certified on every
 * standard profile with the default seeds, every MUST rule PASS and none NOT_EXERCISED, with the
 * whole bundle written; a mutant is not certified and its FAIL says where and how to reproduce it;
 * the same seeds give the same certification, byte for byte. The sample's default certification
 * is {@link SampleCertification}'s, whose runs the group tests judge too.
 */
class CertifyAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SuiteConfig config(Map<String, String> parameters) {
        return SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
    }

    @Test
    @DisplayName("the sample is CERTIFIED on every standard profile: every MUST rule PASS, none NOT_EXERCISED, all reports written")
    void sampleIsCertified() throws Exception {
        // the same certification whose runs the group tests judge (SampleVerdicts): simulated once per JVM
        SampleCertification.Shared shared = SampleCertification.get();
        Certifier.Result result = shared.result();
        // and judged once: the group tests read the checkers' verdicts the certification made as each run ended
        assertEquals(org.upcert.harness.faults.profile.ProfileCatalogue.names().size() * 3, shared.verdicts().size());
        assertEquals(0, shared.judgedAgain(), "verdicts the certification had not made, judged again for the group tests");
        Path out = result.out();
        Certification c = result.certification();
        StringBuilder problems = new StringBuilder();
        for (RuleSummary s : c.summaries()) {
            // The sample uses every optional API (cancel, change tokens, headers): nothing of it is NOT_APPLICABLE.
            if (s.rule().must() && s.status() != Status.PASS) {
                problems.append(s.rule().id()).append(' ').append(s.status()).append(' ').append(s.countsLine())
                        .append(s.firstFailure() == null ? "" : " " + s.firstFailure().verdict().message()).append('\n');
            }
            if (!s.rule().must()) {
                assertTrue(s.status() == Status.PASS || s.status() == Status.NOT_EXERCISED, s.rule().id() + " " + s.status()
                        + " " + s.note(c.config().profiles()) + ": the sample raises no SHOULD warning");
            }
        }
        assertEquals("", problems.toString());
        assertEquals(Certification.Outcome.CERTIFIED, c.outcome());
        // every standard profile × 3 seeds, then the exploration runs (drawn profiles explore:1..6)
        assertEquals(org.upcert.harness.faults.profile.ProfileCatalogue.names().size() * 3 + SuiteConfig.DEFAULT_EXPLORE, c.runs());
        assertEquals(SuiteConfig.DEFAULT_EXPLORE, c.config().explorationCells().size());
        assertEquals(0, result.tests().getTotalFailureCount(), "no JUnit test failed");

        JsonNode json = JSON.readTree(out.resolve("certification.json").toFile());
        assertEquals("CERTIFIED", json.path("verdict").asText());
        assertEquals(37, json.path("rules").size());
        assertEquals("./upcert certify", json.path("runs").path("reproduce").asText(), "the defaults need no options");
        assertEquals(64, json.path("extension").path("sha256").get(0).asText().length());
        assertTrue(json.path("jdk").asText().contains(System.getProperty("java.version")));
        assertTrue(Files.readString(out.resolve("CERTIFICATION.md")).startsWith("# upcert certification: CERTIFIED"));
        // Exercise coverage in every report: per rule, the runs that met its situation, by profile.
        assertTrue(Files.readString(out.resolve("CERTIFICATION.md")).contains("## Exercise coverage"));
        assertEquals(RuleSummary.WELL_EXERCISED, json.path("coverage").path("wellExercised").asInt());
        for (JsonNode rule : json.path("rules")) {
            int byProfile = 0;
            for (JsonNode n : rule.path("exercised").path("byProfile")) {
                byProfile += n.asInt();
            }
            assertEquals(rule.path("exercised").path("runs").asInt(), byProfile, rule.path("id").asText());
            assertEquals(rule.path("runs").path("PASS").asInt() + rule.path("runs").path("WARN").asInt()
                    + rule.path("runs").path("FAIL").asInt(), byProfile, rule.path("id").asText());
        }
        assertTrue(Files.isRegularFile(out.resolve("junit-xml").resolve("TEST-junit-jupiter.xml")));

        List<Path> results;
        try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
            results = files.filter(p -> p.toString().endsWith("-result.json")).toList();
        }
        assertEquals(37 * (c.runs() + 1), results.size(), "one Allure result per rule × run, and one per rule over all runs");
        assertEquals(SuiteConfig.DEFAULT_EXPLORE, json.path("runs").path("exploration").path("count").asInt());
        assertTrue(Files.readString(out.resolve("CERTIFICATION.md")).contains("| exploration | " + SuiteConfig.DEFAULT_EXPLORE
                + " drawn profiles (explore:1..explore:" + SuiteConfig.DEFAULT_EXPLORE + ")"));
        JsonNode sample = null;
        for (Path file : results) {
            JsonNode node = JSON.readTree(file.toFile());
            if (node.path("name").asText().equals("RTY-01 · MUST · flaky-network · seed 2")) {
                sample = node;
            }
        }
        assertNotNull(sample, "the Allure result of RTY-01 on flaky-network seed 2");
        assertEquals("passed", sample.path("status").asText());
        assertTrue(sample.path("labels").toString().contains("{\"name\":\"rule\",\"value\":\"RTY-01\"}"), sample.path("labels").toString());
        assertTrue(sample.path("labels").toString().contains("{\"name\":\"seed\",\"value\":\"2\"}"));
        // a PASS marks no activation: the run's activations are one file its cells share, not steps in each
        assertEquals(0, sample.path("steps").size(), "no steps in a passed cell");
        String activations = null;
        for (JsonNode attachment : sample.path("attachments")) {
            if (attachment.path("name").asText().equals("activations")) {
                activations = Files.readString(out.resolve("allure-results").resolve(attachment.path("source").asText()));
            }
        }
        assertNotNull(activations, sample.path("attachments").toString());
        assertTrue(activations.startsWith("activation 1 at ") && activations.lines().count() > 3, activations);
        assertTrue(sample.path("attachments").toString().contains("expanded plan"));
        assertTrue(sample.path("attachments").toString().contains("reproduce"));
    }

    @Test
    @DisplayName("a mutant is NOT_CERTIFIED: the FAIL names the run, shows the events, writes the trace and a reproduce line")
    void mutantIsNotCertified(@TempDir Path out) throws Exception {
        SuiteConfig config = config(Map.of("upcert.extension.class", Mutants.NeverAcknowledgesFailed.class.getName(),
                "upcert.profiles", "flaky-network", "upcert.seeds", "1", "upcert.rules", "ACK"));
        Certification c = Certifier.certify(config, out, null).certification();
        assertEquals(Certification.Outcome.NOT_CERTIFIED, c.outcome());
        CellVerdict failure = c.failures().stream().filter(f -> f.rule().id().equals("ACK-01")).findFirst().orElseThrow();
        assertEquals("flaky-network", failure.cell().profile());
        assertEquals(1, failure.cell().seed());
        assertFalse(failure.verdict().excerpt().isEmpty());
        // certified from the command line (the CLI's route) with a class: the class path is part of the line
        assertTrue(failure.reproduce().startsWith("java -cp "), failure.reproduce());
        assertTrue(failure.reproduce().endsWith(" org.upcert.conformance.cli.Main certify --extension-class '"
                + Mutants.NeverAcknowledgesFailed.class.getName() + "' --profiles flaky-network --seed 1 --rules ACK-01"),
                failure.reproduce());
        assertNotNull(failure.trace());
        assertTrue(Files.readString(out.resolve(failure.trace())).startsWith("{\"ev\":\"header\""));
        String md = Files.readString(out.resolve("CERTIFICATION.md"));
        assertTrue(md.contains("## Failures") && md.contains("### ACK-01 on flaky-network · seed 1"), md);
        assertNotNull(failure.timeline(), "a FAIL gets a timeline with the violating event marked");
        assertTrue(md.contains("timeline: [" + failure.timeline() + "]"), md);
        String page = Files.readString(out.resolve(failure.timeline()));
        assertTrue(page.contains("ACK-01"), "the mark names the rule");
        assertTrue(Files.isRegularFile(out.resolve("timelines").resolve("flaky-network-seed1-generic-put.html")), "every run has a timeline");
        boolean attached;
        try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
            attached = files.filter(p -> p.toString().endsWith("-result.json")).map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).anyMatch(text -> text.contains("ACK-01 · MUST · flaky-network · seed 1") && text.contains("\"timeline\""));
        }
        assertTrue(attached, "the FAIL's Allure result carries the timeline");
        JsonNode failed = null;
        try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
            for (Path file : files.filter(p -> p.toString().endsWith("-result.json")).toList()) {
                JsonNode node = JSON.readTree(file.toFile());
                if (node.path("name").asText().equals("ACK-01 · MUST · flaky-network · seed 1")) {
                    failed = node;
                }
            }
        }
        assertNotNull(failed, "the Allure result of the FAIL");
        assertTrue(failed.path("steps").size() > 3, "a FAIL shows one step per activation");
        long marked = 0;
        for (JsonNode step : failed.path("steps")) {
            marked += step.path("status").asText().equals("failed") ? 1 : 0;
        }
        assertEquals(1, marked, "the activation holding the violation is marked: " + failed.path("steps"));
        JsonNode json = JSON.readTree(out.resolve("certification.json").toFile());
        assertEquals("NOT_CERTIFIED", json.path("verdict").asText());
        String whole = json.path("runs").path("reproduce").asText();
        assertTrue(whole.startsWith("java -cp ") && whole.endsWith(" org.upcert.conformance.cli.Main certify --extension-class '"
                + Mutants.NeverAcknowledgesFailed.class.getName() + "' --profiles flaky-network --seeds 1, --rules ACK-01,ACK-02,ACK-03"),
                whole);
        assertEquals("ACK-01", json.path("failures").get(0).path("rule").asText());
    }

    @Test
    @DisplayName("certifying twice with the same seeds gives the same certification.json, byte for byte")
    void sameSeedsSameCertification(@TempDir Path first, @TempDir Path second) throws Exception {
        // No drawn profiles: the standard ones are enough to show it, and three runs cost a third of nine.
        SuiteConfig config = config(Map.of("upcert.profiles", "hard-kills,library-churn,cloud-errors", "upcert.seeds", "2",
                "upcert.explore", "0"));
        Certifier.certify(config, first, null);
        Certifier.certify(config, second, null);
        assertEquals(Files.readString(first.resolve("certification.json")), Files.readString(second.resolve("certification.json")));
        assertEquals(Files.readString(first.resolve("CERTIFICATION.md")), Files.readString(second.resolve("CERTIFICATION.md")));
    }
}
