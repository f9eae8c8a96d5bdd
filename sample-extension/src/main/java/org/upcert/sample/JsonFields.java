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
 * left out. Duplicate names: the last one wins, as in most JSON readers. The parsing itself is
 * {@link JsonTree}'s.
 */
final class JsonFields {

    private JsonFields() {
    }

    /**
     * The scalar fields of the object {@code json}, sorted by name.
     *
     * @throws IllegalArgumentException if {@code json} is not one well-formed JSON object
     */
    static SortedMap<String, String> parse(String json) {
        Object value = JsonTree.parse(json);
        if (!(value instanceof java.util.Map<?, ?>)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        SortedMap<String, String> fields = new TreeMap<>();
        for (var field : JsonTree.object(value).entrySet()) {
            Object scalar = field.getValue();
            if (scalar == null) {
                fields.put(field.getKey(), "null");
            } else if (scalar instanceof String text) {
                fields.put(field.getKey(), text);
            }
        }
        return fields;
    }

    /** {@code text} escaped for use inside a JSON string literal (quotes, backslashes, control characters). */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
