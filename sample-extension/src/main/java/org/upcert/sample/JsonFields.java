package org.upcert.sample;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The top-level scalar fields of one small JSON object, such as an OAuth token response
 * {@code {"access_token":"…","token_type":"Bearer","expires_in":3600}}. The sample may depend on
 * the extension API only (a jar an author copies should not drag a JSON library along), and
 * two fields of a flat object do not justify one.
 *
 * <p>Strings are unescaped; numbers, {@code true}, {@code false} and {@code null} are returned
 * as their literal text; nested objects and arrays are parsed (so the input is validated) but
 * left out. Duplicate names: the last one wins, as in most JSON readers.
 */
final class JsonFields {

    private final String text;
    private int pos;

    private JsonFields(String text) {
        this.text = text;
    }

    /**
     * The scalar fields of the object {@code json}, sorted by name.
     *
     * @throws IllegalArgumentException if {@code json} is not one well-formed JSON object
     */
    static SortedMap<String, String> parse(String json) {
        JsonFields parser = new JsonFields(json);
        SortedMap<String, String> fields = new TreeMap<>();
        parser.skipWhitespace();
        parser.expect('{');
        parser.skipWhitespace();
        if (parser.peek() == '}') {
            parser.pos++;
        } else {
            while (true) {
                parser.skipWhitespace();
                String name = parser.string();
                parser.skipWhitespace();
                parser.expect(':');
                parser.skipWhitespace();
                String value = parser.value();
                if (value != null) {
                    fields.put(name, value);
                }
                parser.skipWhitespace();
                char next = parser.next();
                if (next == '}') {
                    break;
                }
                if (next != ',') {
                    throw parser.error("expected , or }");
                }
            }
        }
        parser.skipWhitespace();
        if (parser.pos != json.length()) {
            throw parser.error("text after the object");
        }
        return fields;
    }

    /** A scalar's text, or null for an object or array (parsed and skipped). */
    private String value() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (c == '{' || c == '[') {
            skipContainer();
            return null;
        }
        int start = pos;
        while (pos < text.length() && "+-.0123456789eEtrufalsn".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        String literal = text.substring(start, pos);
        if (literal.equals("true") || literal.equals("false") || literal.equals("null")
                || literal.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
            return literal;
        }
        pos = start;
        throw error("bad value");
    }

    private void skipContainer() {
        char open = next();
        char close = open == '{' ? '}' : ']';
        skipWhitespace();
        if (peek() == close) {
            pos++;
            return;
        }
        while (true) {
            skipWhitespace();
            if (open == '{') {
                string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
            }
            value();
            skipWhitespace();
            char next = next();
            if (next == close) {
                return;
            }
            if (next != ',') {
                throw error("expected , or " + close);
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
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escape = next();
            switch (escape) {
                case '"', '\\', '/' -> out.append(escape);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("truncated \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException e) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + escape);
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
            pos--;
            throw error("expected " + c);
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("malformed JSON at offset " + pos + ": " + what);
    }
}
