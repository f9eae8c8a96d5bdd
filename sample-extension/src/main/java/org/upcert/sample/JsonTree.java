package org.upcert.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A whole JSON document as plain Java values: objects as {@link TreeMap}, arrays as
 * {@link List}, strings as {@link String}, numbers, {@code true} and {@code false} as their
 * literal text, {@code null} as null. For nested answers such as Google Photos'
 * {@code batchCreate} ({@link JsonFields} reads flat objects only); hand-written for the same
 * reason: the sample depends on the extension API alone.
 */
final class JsonTree {

    private final String text;
    private int pos;

    private JsonTree(String text) {
        this.text = text;
    }

    /**
     * The value {@code json} holds.
     *
     * @throws IllegalArgumentException if {@code json} is not one well-formed JSON value
     */
    static Object parse(String json) {
        JsonTree parser = new JsonTree(json);
        parser.skipWhitespace();
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.pos != json.length()) {
            throw parser.error("text after the value");
        }
        return value;
    }

    /** {@code value} as an object, or an empty map if it is not one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /** {@code value} as an array, or an empty list if it is not one. */
    @SuppressWarnings("unchecked")
    static List<Object> array(Object value) {
        return value instanceof List<?> list ? (List<Object>) list : List.of();
    }

    /** {@code value} as text, or empty if it is an object, an array or null. */
    static String text(Object value) {
        return value instanceof String s ? s : "";
    }

    private Object value() {
        char c = peek();
        switch (c) {
            case '{' -> {
                pos++;
                TreeMap<String, Object> fields = new TreeMap<>();
                skipWhitespace();
                if (peek() == '}') {
                    pos++;
                    return fields;
                }
                while (true) {
                    skipWhitespace();
                    String name = string();
                    skipWhitespace();
                    expect(':');
                    skipWhitespace();
                    fields.put(name, value());
                    skipWhitespace();
                    char next = next();
                    if (next == '}') {
                        return fields;
                    }
                    if (next != ',') {
                        throw error("expected , or }");
                    }
                }
            }
            case '[' -> {
                pos++;
                List<Object> items = new ArrayList<>();
                skipWhitespace();
                if (peek() == ']') {
                    pos++;
                    return items;
                }
                while (true) {
                    skipWhitespace();
                    items.add(value());
                    skipWhitespace();
                    char next = next();
                    if (next == ']') {
                        return items;
                    }
                    if (next != ',') {
                        throw error("expected , or ]");
                    }
                }
            }
            case '"' -> {
                return string();
            }
            default -> {
                int start = pos;
                while (pos < text.length() && "{}[],: \t\r\n\"".indexOf(text.charAt(pos)) < 0) {
                    pos++;
                }
                String literal = text.substring(start, pos);
                if (literal.isEmpty()) {
                    throw error("expected a value");
                }
                if (literal.equals("null")) {
                    return null;
                }
                if (!literal.equals("true") && !literal.equals("false") && !literal.matches("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?")) {
                    throw error("bad literal " + literal);
                }
                return literal;
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private void skipWhitespace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos);
    }

    private char next() {
        char c = peek();
        pos++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected " + c);
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at " + pos);
    }
}
