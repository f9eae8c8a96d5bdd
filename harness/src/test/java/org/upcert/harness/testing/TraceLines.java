package org.upcert.harness.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** A parsed trace for assertions. */
public final class TraceLines {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final List<JsonNode> lines = new ArrayList<>();

    public TraceLines(String text) {
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                try {
                    lines.add(MAPPER.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not JSON: " + line, e);
                }
            }
        }
    }

    public JsonNode header() {
        return lines.get(0);
    }

    public List<JsonNode> all() {
        return lines;
    }

    /** Lines with {@code ev == event}. */
    public List<JsonNode> events(String event) {
        return lines.stream().filter(l -> event.equals(l.path("ev").asText())).collect(Collectors.toList());
    }

    /** The first line with {@code ev == event}, or null. */
    public JsonNode first(String event) {
        return lines.stream().filter(l -> event.equals(l.path("ev").asText())).findFirst().orElse(null);
    }

    /** The lines of activation {@code act}: from its call.start to its call.end, inclusive. */
    public List<JsonNode> activation(int act) {
        List<JsonNode> result = new ArrayList<>();
        boolean in = false;
        for (JsonNode line : lines) {
            String ev = line.path("ev").asText();
            if (ev.equals("call.start") && line.path("act").asInt() == act) {
                in = true;
            }
            if (in) {
                result.add(line);
            }
            if (in && ev.equals("call.end")) {
                break;
            }
        }
        return result;
    }

    /** Event names in order, e.g. for a readable failure message. */
    public List<String> names(List<JsonNode> subset) {
        return subset.stream().map(l -> l.path("ev").asText()).collect(Collectors.toList());
    }
}
