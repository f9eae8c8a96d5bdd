package org.upcert.conformance.evidence;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One trace line.
 *
 * @param line its 1-based line number in the trace file (the header is line 1)
 * @param t virtual milliseconds
 * @param name the {@code ev} field
 * @param activation the activation the line falls in (0 before the first call)
 * @param fields the whole parsed line
 */
public record TraceEvent(int line, long t, String name, int activation, JsonNode fields) {

    public String text(String field) {
        return fields.path(field).asText();
    }

    public long number(String field) {
        return fields.path(field).asLong();
    }

    /** The line as written, for excerpts. */
    public String raw() {
        return fields.toString();
    }
}
