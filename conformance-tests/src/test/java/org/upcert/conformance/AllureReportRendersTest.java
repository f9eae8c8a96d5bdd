package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.suite.SuiteConfig;

/**
 * What certify writes into {@code allure-results/} renders with Allure's own command line
 * (allure-commandline from Maven Central, unpacked by the build into target/allure-commandline).
 */
class AllureReportRendersTest {

    @Test
    @DisplayName("allure generate renders the certification's allure-results into a report")
    void allureGenerate(@TempDir Path out) throws Exception {
        Path allure;
        try (Stream<Path> found = Files.exists(Path.of("target", "allure-commandline"))
                ? Files.walk(Path.of("target", "allure-commandline"), 3) : Stream.empty()) {
            allure = found.filter(p -> p.endsWith(Path.of("bin", "allure"))).findFirst().orElse(null);
        }
        assumeTrue(allure != null, "allure-commandline is not unpacked (the build does it in generate-test-resources)");
        SuiteConfig config = SuiteConfig.from(key -> Optional.ofNullable(
                Map.of("upcert.profiles", "flaky-network", "upcert.seeds", "1", "upcert.rules", "ACK,JOB").get(key)));
        Certifier.certify(config, out, null);
        Path report = out.resolve("allure-report");
        Process process = new ProcessBuilder(List.of("sh", allure.toAbsolutePath().toString(), "generate",
                out.resolve("allure-results").toString(), "-o", report.toString(), "--clean"))
                .redirectErrorStream(true).redirectOutput(out.resolve("allure.log").toFile()).start();
        // a real process: bounded wait
        boolean finished = process.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String log = Files.readString(out.resolve("allure.log"));
        assertTrue(finished, "allure generate did not finish in 180 s: " + log);
        assertEquals(0, process.exitValue(), log);
        assertTrue(Files.isRegularFile(report.resolve("index.html")), log);
        try (Stream<Path> cases = Files.list(report.resolve("data").resolve("test-cases"))) {
            assertEquals(8 * 2, cases.count(), "one rendered case per rule × run and per rule summary (ACK 3 + JOB 5 rules)");
        }
        // The run's expanded plan is one file in allure-results that each of its cells names; every cell's
        // rendered case still shows it, and the report holds its content.
        try (Stream<Path> plans = Files.list(out.resolve("allure-results"))) {
            assertEquals(1, plans.filter(p -> p.toString().endsWith("-attachment.json")).count(), "one plan file for the one run");
        }
        int cellsWithPlan = 0;
        try (Stream<Path> cases = Files.list(report.resolve("data").resolve("test-cases"))) {
            for (Path rendered : cases.toList()) {
                com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rendered.toFile());
                for (com.fasterxml.jackson.databind.JsonNode attachment : json.findValues("attachments")) {
                    for (com.fasterxml.jackson.databind.JsonNode one : attachment) {
                        if (one.path("name").asText().equals("expanded plan")) {
                            cellsWithPlan++;
                            Path file = report.resolve("data").resolve("attachments").resolve(one.path("source").asText());
                            assertTrue(Files.readString(file).contains("faultPhaseMs"), "the plan's content: " + file);
                        }
                    }
                }
            }
        }
        assertEquals(8, cellsWithPlan, "each of the 8 cells (rule × run) shows the run's plan");
        int cellsWithActivations = 0;
        try (Stream<Path> cases = Files.list(report.resolve("data").resolve("test-cases"))) {
            for (Path rendered : cases.toList()) {
                com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rendered.toFile());
                boolean failedOrWarned = json.path("status").asText().equals("failed") || json.path("status").asText().equals("broken");
                for (com.fasterxml.jackson.databind.JsonNode attachment : json.findValues("attachments")) {
                    for (com.fasterxml.jackson.databind.JsonNode one : attachment) {
                        if (one.path("name").asText().equals("activations") && !failedOrWarned) {
                            cellsWithActivations++;
                            Path file = report.resolve("data").resolve("attachments").resolve(one.path("source").asText());
                            assertTrue(Files.readString(file).startsWith("activation 1 at "), "the activations' content: " + file);
                        }
                    }
                }
            }
        }
        assertTrue(cellsWithActivations > 0, "a cell that marks no activation shows the run's activations as one shared file");
    }
}
