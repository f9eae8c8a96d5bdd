package org.upcert.conformance;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during {@code upcert certify}, {@code upcert run} and {@code upcert explore}, sent as a real SIGINT to the real
 * command line in a child JVM: the reports of what finished are written and marked INTERRUPTED,
 * never CERTIFIED or COMPLETE, the exit code is 130, and no temporary folder is left behind.
 */
class InterruptAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("certify: after the first run finished, Ctrl-C writes the bundle of the finished runs, marked INTERRUPTED, exit 130")
    void certify(@TempDir Path work) throws Exception {
        Path out = work.resolve("certify");
        try (UpcertProcess upcert = UpcertProcess.start(work, "certify", "--out", out.toString())) {
            // certify writes a run's timeline as soon as the run finishes: the first one is the marker
            await("the first run finished").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                    .failFast("upcert exited before the first run finished", () -> !upcert.alive())
                    .until(() -> htmlFilesIn(out.resolve("timelines")) > 0);
            upcert.interrupt();
            assertEquals(130, upcert.waitFor(Duration.ofSeconds(90)), "128 + SIGINT\n" + upcert.out() + upcert.err());

            JsonNode json = JSON.readTree(out.resolve("certification.json").toFile());
            assertEquals("INTERRUPTED", json.path("verdict").asText());
            assertTrue(json.path("interrupted").asBoolean());
            int finished = json.path("runs").path("finished").asInt();
            int runs = org.upcert.harness.faults.profile.ProfileCatalogue.names().size() * 3
                    + org.upcert.conformance.suite.SuiteConfig.DEFAULT_EXPLORE; // the default certify, exploration runs included
            assertTrue(finished >= 1 && finished < runs, "some runs finished, not all: " + finished);
            assertEquals(runs, json.path("runs").path("count").asInt());
            String md = Files.readString(out.resolve("CERTIFICATION.md"));
            assertTrue(md.startsWith("# upcert certification: INTERRUPTED\n"), md.lines().findFirst().orElse(""));
            assertTrue(md.contains("This is not a certification"), md);
            assertTrue(upcert.out().contains("\nINTERRUPTED (Ctrl-C after " + finished + " of " + runs + " runs"), upcert.out());
            assertTrue(!upcert.out().contains("CERTIFIED"), "never looks certified:\n" + upcert.out());
            assertTrue(htmlFilesIn(out.resolve("timelines")) >= finished, "the finished runs' timelines are there");
            try (Stream<Path> xml = Files.list(out.resolve("junit-xml"))) {
                assertTrue(xml.findAny().isPresent(), "JUnit XML written");
            }
            assertEquals(List.of(), upcert.leftInTmp(), "no temporary files left behind");
        }
    }

    @Test
    @DisplayName("run: Ctrl-C stops the run; its trace and summary.json are written, marked interrupted, exit 130")
    void run(@TempDir Path work) throws Exception {
        Path out = work.resolve("run");
        Path trace = out.resolve("trace.jsonl");
        try (UpcertProcess upcert = UpcertProcess.start(work, "run", "--assets", "30000", "--transport", "direct",
                "--out", out.toString())) {
            await("the run is under way").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .failFast("upcert exited before the run was under way", () -> !upcert.alive())
                    .until(() -> Files.isRegularFile(trace) && Files.size(trace) > 0);
            upcert.interrupt();
            assertEquals(130, upcert.waitFor(Duration.ofSeconds(60)), upcert.out() + upcert.err());

            JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
            assertEquals("interrupted", summary.path("endReason").asText());
            assertTrue(summary.path("interrupted").asBoolean());
            assertTrue(!summary.path("complete").asBoolean());
            List<String> lines = Files.readAllLines(trace);
            assertTrue(lines.get(lines.size() - 1).contains("\"ev\":\"run.end\",\"reason\":\"interrupted\""),
                    "the trace is whole and ends with the interrupt: " + lines.get(lines.size() - 1));
            assertTrue(upcert.out().contains("\nINTERRUPTED (Ctrl-C) at "), upcert.out());
            assertTrue(!upcert.out().contains("COMPLETE:"), upcert.out());
            assertEquals(List.of(), upcert.leftInTmp(), "no temporary files left behind");
        }
    }

    @Test
    @DisplayName("explore: Ctrl-C prints the summary of the finished runs and writes exploration.json, marked INTERRUPTED, exit 130")
    void explore(@TempDir Path work) throws Exception {
        Path out = work.resolve("explore");
        try (UpcertProcess upcert = UpcertProcess.start(work, "explore", "--isolation", "in-process", "--seeds", "500",
                "--out", out.toString(), "--corpus", work.resolve("corpus").toString())) {
            await("the runs started").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .failFast("upcert exited before its runs started", () -> !upcert.alive())
                    .until(() -> upcert.out().contains("runs in parallel"));
            upcert.interrupt();
            assertEquals(130, upcert.waitFor(Duration.ofSeconds(60)), upcert.out() + upcert.err());

            // Before the guard covered the report, the JVM exited once the runs returned: the summary
            // stopped after the table's header line and exploration.json was never written.
            JsonNode json = JSON.readTree(out.resolve("exploration.json").toFile());
            assertEquals("INTERRUPTED", json.path("outcome").asText());
            assertTrue(upcert.out().contains("\n  RES-03  MUST "), "the whole table:\n" + upcert.out());
            assertTrue(upcert.out().contains("\nINTERRUPTED (Ctrl-C) · "), upcert.out());
            assertTrue(!upcert.out().contains("NOTHING FOUND"), upcert.out());
        }
    }

    private static long htmlFilesIn(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".html")).count();
        }
    }
}
