package org.upcert.conformance.timeline;

/** Escaping and number formatting shared by the SVG and the page: fixed, locale-free, byte-stable. */
final class Markup {
    private Markup() {
    }

    /** Text or attribute content with the five XML specials escaped (the output is both XML and HTML). */
    static String esc(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            // Control characters other than tab and newline are not allowed in XML 1.0 at all.
            if (replacement == null && c < 0x20 && c != '\t' && c != '\n') {
                replacement = " ";
            }
            // Nor are the noncharacters U+FFFE and U+FFFF, nor half a surrogate pair (which UTF-8 cannot
            // encode either: it became '?'). Before, a log line with U+FFFF made every timeline page and
            // picture of its run, and their Allure copies, invalid XML: a parser stops at it. Shown as a
            // backslash, u and four hex digits, as TerminalText.printable shows half a pair.
            if (replacement == null && (c == (char) 0xFFFE || c == (char) 0xFFFF || org.upcert.harness.cli.TerminalText.unpaired(text, i))) {
                replacement = String.format(java.util.Locale.ROOT, "\\u%04x", (int) c);
            }
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /** A coordinate with at most one decimal: {@code 12}, {@code 12.5}, {@code -0.5}. */
    static String num(double value) {
        long tenths = Math.round(value * 10);
        StringBuilder out = new StringBuilder(8);
        if (tenths < 0) {
            out.append('-');
            tenths = -tenths;
        }
        out.append(tenths / 10);
        if (tenths % 10 != 0) {
            out.append('.').append(tenths % 10);
        }
        return out.toString();
    }

    /** Cuts long text for labels. */
    static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
