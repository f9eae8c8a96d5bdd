package org.upcert.sample;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of one URL path segment (RFC 3986). Asset identifiers contain {@code /}
 * ({@code 5E1B…C3/L0/001}) and filenames may contain spaces or non-ASCII letters, so each is
 * encoded as a single segment: everything except the unreserved characters
 * {@code A-Z a-z 0-9 - . _ ~} becomes {@code %XX} of its UTF-8 bytes. {@code +} is encoded
 * too, so a server that decodes with form rules ({@code +} = space) reads the same text.
 *
 * <p>Not {@link java.net.URLEncoder}: that one implements HTML forms, turns a space into
 * {@code +} and would be wrong in a path.
 */
final class PathSegments {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathSegments() {
    }

    /** The segment's text, percent-encoded; the result contains no {@code /}. */
    static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (isUnreserved(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /**
     * The text of an encoded segment.
     *
     * @throws IllegalArgumentException on a malformed escape or on bytes that are not UTF-8
     */
    static String decode(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw new IllegalArgumentException("truncated escape in " + segment);
                }
                int high = Character.digit(segment.charAt(i + 1), 16);
                int low = Character.digit(segment.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("bad escape in " + segment);
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        byte[] raw = bytes.toByteArray();
        String text = new String(raw, StandardCharsets.UTF_8);
        if (!java.util.Arrays.equals(raw, text.getBytes(StandardCharsets.UTF_8))) {
            throw new IllegalArgumentException("not UTF-8: " + segment);
        }
        return text;
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** {@code text} ending with exactly one more {@code /} if it had none (URL bases). */
    static String withTrailingSlash(String text) {
        return text.endsWith("/") ? text : text + "/";
    }
}
