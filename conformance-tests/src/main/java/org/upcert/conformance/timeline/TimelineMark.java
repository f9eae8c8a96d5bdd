package org.upcert.conformance.timeline;

import java.util.Objects;

/**
 * An event to point at in the picture, usually the one a rule's verdict blames.
 *
 * @param line the event's 1-based line number in the trace (the header is line 1)
 * @param label what to write beside it, e.g. {@code "ACK-01: J000042 never acknowledged"}
 */
public record TimelineMark(int line, String label) {

    public TimelineMark {
        Objects.requireNonNull(label, "label");
        if (line < 1) {
            throw new IllegalArgumentException("a mark's line is 1-based, got " + line);
        }
    }

    /** A mark on {@code line} with a label of its own. */
    public static TimelineMark of(int line, String label) {
        return new TimelineMark(line, label);
    }

    /**
     * Parses the command line's {@code LINE[:LABEL]}; without a label the mark is called
     * {@code "line N"}.
     *
     * @throws IllegalArgumentException when LINE is not a positive whole number
     */
    public static TimelineMark parse(String text) {
        int colon = text.indexOf(':');
        String number = colon < 0 ? text : text.substring(0, colon);
        int line;
        try {
            line = Integer.parseInt(number.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a mark is LINE[:LABEL] with LINE a trace line number, got '" + text + "'");
        }
        if (line < 1) {
            throw new IllegalArgumentException("a mark's LINE counts from 1 (the header), got '" + text + "'");
        }
        String label = colon < 0 ? "" : text.substring(colon + 1).trim();
        return new TimelineMark(line, label.isEmpty() ? "line " + line : label);
    }
}
