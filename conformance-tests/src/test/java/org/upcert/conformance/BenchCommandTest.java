package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.cli.BenchCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * {@code upcert bench}: it finishes and reports every measurement it was asked for, with the
 * ratio to the floor. Its numbers are wall time and are never asserted on (CI runs
 * {@code bench --quick} as a smoke, not a gate).
 */
class BenchCommandTest {

    @Test
    @DisplayName("bench --quick --json: the floors, the cost per upload in each transport and isolation mode with its ratio to the floor, time compression")
    void quickBenchReportsEveryPart() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new BenchCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(0, cli.execute("bench", "--quick", "--json", "--skip", "certify,explore,heap"), err.toString());
        JsonNode results = new ObjectMapper().readTree(out.toString());
        assertEquals("quick", results.path("mode").asText());
        assertTrue(results.path("floors").path("loopbackHttpUs").asDouble() > 0, out.toString());
        assertTrue(results.path("floors").path("inJvmWireMockUs").asDouble() > 0, out.toString());
        // warmed as the full run warms them, not by a fraction of its own (smaller) count
        assertEquals(BenchCommand.FLOOR_WARMUP_REQUESTS, results.path("floors").path("warmupRequests").asInt(), out.toString());
        assertTrue(results.path("floors").path("warmupRequests").asInt() > results.path("floors").path("requests").asInt(), out.toString());
        TreeSet<String> modes = new TreeSet<>();
        for (JsonNode row : results.path("uploads")) {
            modes.add(row.path("transport").asText() + "/" + row.path("isolation").asText());
            assertTrue(row.path("uploads").asInt() >= 1_000, row.toString());
            assertTrue(row.path("ratioToFloor").asDouble() > 0, row.toString());
        }
        assertEquals(new TreeSet<>(java.util.List.of("direct/in-process", "direct/worker", "loopback/in-process", "loopback/worker")),
                modes);
        assertTrue(results.path("compression").path("compression").asLong() > 1, out.toString());
        assertTrue(results.path("certify").isMissingNode() && results.path("heap").isMissingNode(), "skipped parts are absent");
        assertTrue(err.toString().contains("cost per simulated upload"), "the table goes to stderr with --json");
    }
}
