package org.upcert.harness.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.upcert.harness.sim.VirtualClock;
import org.upcert.harness.trace.TraceDamage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code upcert trace FILE}: the JSON Lines trace as one human line per event, after
 * TigerBeetle's simulator log: virtual time, activation, a glyph, the event, its fields.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Prints a trace (trace.jsonl) as one readable line per event.",
                "Glyphs: ▶ call starts  ◀ call ends  + job created  ✓ acknowledged  ↻ retried  ✗ cancelled",
                "        · succeeded  ! failed  ☠ killed  ⚠ termination notice  ⚡ fault  ⛔ refused or illegal"})
public final class TraceCommand implements Callable<Integer> {
    private static final Map<String, String> GLYPHS = Map.ofEntries(
            Map.entry("call.start", "▶"), Map.entry("call.end", "◀"), Map.entry("job.create", "+"),
            Map.entry("job.ack", "✓"), Map.entry("job.retry", "↻"), Map.entry("job.cancel", "✗"),
            Map.entry("job.succeeded", "·"), Map.entry("job.failed", "!"), Map.entry("process.kill", "☠"),
            Map.entry("process.notice", "⚠"), Map.entry("fault.start", "⚡"), Map.entry("fault.end", "⚡"),
            Map.entry("fault.fire", "⚡"), Map.entry("api.refused", "⛔"), Map.entry("change.illegal", "⛔"),
            Map.entry("changes.rejected", "⛔"), Map.entry("system.penalty", "⛔"));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "A trace.jsonl written by upcert run.")
    Path file;

    @Option(names = "--only", paramLabel = "PREFIX", split = ",",
            description = "Only events whose name starts with one of these (e.g. call,job.failed,fault).")
    List<String> only;

    @Option(names = "--activation", paramLabel = "N", description = "Only the lines of activation N (call.start to call.end).")
    Integer activation;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(file)) {
            err.println("upcert trace: no such file: " + file);
            return ExitCode.USAGE.code();
        }
        try {
            Optional<TraceDamage> damage = TraceDamage.find(file);
            if (damage.isPresent()) {
                err.println("upcert trace: " + (damage.get().line() == 0 ? file + " is empty, not an upcert trace"
                        : "damaged trace: " + damage.get() + " (" + file + ")"));
                return ExitCode.USAGE.code();
            }
        } catch (IOException e) {
            err.println("upcert trace: cannot read " + file + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        ObjectMapper mapper = new ObjectMapper();
        int act = 0;
        int lineNumber = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event;
                try {
                    event = mapper.readTree(line);
                } catch (IOException e) {
                    err.println("upcert trace: " + file + ":" + lineNumber + ": not a JSON object");
                    return ExitCode.USAGE.code();
                }
                String name = event.path("ev").asText();
                if (name.equals("header")) {
                    out.printf(java.util.Locale.ROOT, "seed %s · profile %s · %s · cloud %s%n", event.path("seed").asText(),
                            event.path("profile").asText(), event.path("extension").path("name").asText(),
                            event.path("cloud").asText());
                    continue;
                }
                if (name.equals("call.start")) {
                    act = event.path("act").asInt();
                }
                boolean inActivation = activation == null || act == activation;
                if (inActivation && selected(name)) {
                    out.println(render(event, name, act));
                }
                if (name.equals("call.end") && activation != null && act == activation) {
                    break;
                }
            }
        } catch (IOException e) {
            err.println("upcert trace: cannot read " + file + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        out.flush();
        return ExitCode.OK.code();
    }

    private boolean selected(String name) {
        return only == null || only.stream().anyMatch(name::startsWith);
    }

    /** A text of the trace as one terminal line ({@link TerminalText#printable}): the extension wrote some of them. */
    static String printable(String text) {
        return TerminalText.printable(text);
    }

    static String render(JsonNode event, String name, int act) {
        StringBuilder fields = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = event.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("t") || field.getKey().equals("ev")) {
                continue;
            }
            JsonNode value = field.getValue();
            String text = value.isArray() ? value.size() + " " + (value.size() == 1 ? "item" : "items")
                    : value.isTextual() ? printable(value.asText()) : value.toString();
            fields.append(' ').append(field.getKey()).append('=').append(text);
        }
        return String.format(java.util.Locale.ROOT, "%16s  act %4d  %s %-18s%s", VirtualClock.format(event.path("t").asLong()), act,
                GLYPHS.getOrDefault(name, " "), name, fields);
    }
}
