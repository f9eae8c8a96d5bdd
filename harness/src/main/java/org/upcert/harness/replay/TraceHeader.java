package org.upcert.harness.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.RunPlan;

/**
 * The first line of a trace, read back: what the run was made of.
 *
 * @param harness the harness version that wrote it
 * @param extensionName how the extension was described
 * @param extensionSha256 SHA-256 of the extension's code
 * @param cloud the cloud dialect
 * @param plan the run plan (seed, profile, workload, policy, phases, faults)
 * @param assumptions what the run assumed beyond what PhotoKit documents ({@code --assume}); empty: none
 * @param upgradeToSha256 SHA-256 of the app's next build an {@code app.upgrade} swapped in
 *     ({@code extension.upgradeTo}); empty when the run had none (the same artifact was relaunched)
 */
public record TraceHeader(String harness, String extensionName, String extensionSha256, String cloud, RunPlan plan,
        java.util.SortedSet<String> assumptions, String upgradeToSha256) {
    public static final String FORMAT = "upcert-trace/1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A file that is not a readable upcert trace; the message says why. */
    public static final class NotATraceException extends Exception {
        private static final long serialVersionUID = 1L;

        public NotATraceException(String message) {
            super(message);
        }
    }

    public static TraceHeader read(Path trace) throws NotATraceException {
        if (!Files.isRegularFile(trace)) {
            throw new NotATraceException("no such trace file: " + trace.toAbsolutePath());
        }
        String first;
        try (BufferedReader reader = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            first = reader.readLine();
        } catch (IOException e) {
            throw new NotATraceException("cannot read " + trace + ": " + e.getMessage());
        }
        return parse(first, trace.toString());
    }

    private static java.util.SortedSet<String> assumptions(JsonNode header) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        header.path("assumptions").forEach(node -> names.add(node.asText()));
        return java.util.Collections.unmodifiableSortedSet(names);
    }

    public static TraceHeader parse(String firstLine, String where) throws NotATraceException {
        if (firstLine == null || firstLine.isBlank()) {
            throw new NotATraceException(where + " is empty, not an upcert trace");
        }
        JsonNode header;
        try {
            header = MAPPER.readTree(firstLine);
        } catch (IOException e) {
            throw new NotATraceException(where + ":1 is not JSON, so not an upcert trace");
        }
        if (!header.path("ev").asText().equals("header") || !FORMAT.equals(header.path("format").asText())) {
            throw new NotATraceException(where + ":1 is not an upcert trace header (expected \"ev\":\"header\" and \"format\":\""
                    + FORMAT + "\")");
        }
        try {
            return new TraceHeader(header.path("harness").asText(), header.path("extension").path("name").asText(),
                    header.path("extension").path("sha256").asText(), header.path("cloud").asText("generic-put"),
                    PlanJson.fromHeader(header), assumptions(header),
                    header.path("extension").path("upgradeTo").path("sha256").asText(""));
        } catch (PlanJson.PlanFormatException e) {
            throw new NotATraceException(where + ":1: " + e.getMessage());
        }
    }
}
