package org.upcert.harness.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Text for a terminal that may carry what an extension wrote (its log lines, exception messages,
 * file names it tried): an escape sequence there could clear the screen or move the cursor over
 * upcert's own verdict line, and a bidirectional override reorder what is shown. Control
 * characters, line and paragraph separators and bidirectional controls are shown as {@code \\uXXXX}
 * ({@code \\n}, {@code \\t} in a single-line text), as the trace's JSON writes them.
 */
public final class TerminalText {
    /**
     * Whether upcert's own line separator holds a carriage return (Windows): only then does one pass
     * the guard. Anywhere else a lone carriage return moves the cursor back over upcert's line, and a
     * reader of upcert's output (the Maven plugin's {@code readLine}) takes it for a line break.
     */
    private static final boolean CR_IN_LINE_SEPARATOR = System.lineSeparator().indexOf('\r') >= 0;

    private TerminalText() {
    }

    /** Whether {@code c} would not be shown as itself on a terminal. */
    static boolean hidden(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f' || c == '\u061c';
    }

    /**
     * {@code text} as one line: every hidden character escaped, line feeds and tabs too, and half of a
     * surrogate pair ({@code \\ud800}): a Java string may hold one (JSON's {@code \\ud800} escape
     * makes it from any command's text), no UTF-8 file can, and before H53 one in an exception's
     * message made certify fail to write certification.json (exit 3, no reports).
     */
    public static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean hidden = hidden(c) || unpaired(text, i);
            if (hidden && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                escape(out, c, hidden, true);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * {@code text} with every half of a surrogate pair escaped ({@code \\ud800}), all else as it is:
     * what a report file holds when it is written as UTF-8, which cannot encode half a pair (the
     * writer refuses the whole file). A JSON reader reads the escape back as the character.
     */
    public static String pairedSurrogatesOnly(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            boolean unpaired = unpaired(text, i);
            if (unpaired && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                escape(out, text.charAt(i), unpaired, true);
            }
        }
        return out == null ? text : out.toString();
    }

    /** Whether the char at {@code i} is a surrogate without its other half beside it (also the timeline's XML escaping). */
    public static boolean unpaired(CharSequence text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
    }

    private static void escape(StringBuilder out, char c, boolean hidden, boolean lineBreaks) {
        if (!hidden || (!lineBreaks && (c == '\n' || c == '\t'))) {
            out.append(c);
        } else if (c == '\n') {
            out.append("\\n");
        } else if (c == '\t') {
            out.append("\\t");
        } else {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
        }
    }

    /**
     * A writer for upcert's human output: line feeds and tabs pass (upcert writes them), every other
     * hidden character is escaped, whoever wrote it, a carriage return too but where it is part of
     * the platform's line separator. The last line stays upcert's verdict. Text of the extension's
     * that reaches this writer is already one line (a verdict's message is, {@code Verdict}), so the
     * line feeds that pass are upcert's.
     */
    public static PrintWriter guard(PrintWriter terminal) {
        return new PrintWriter(new FilterWriter(terminal) {
            @Override
            public void write(int c) throws IOException {
                write(new char[] {(char) c}, 0, 1);
            }

            @Override
            public void write(char[] buffer, int offset, int length) throws IOException {
                StringBuilder out = new StringBuilder(length);
                for (int i = offset; i < offset + length; i++) {
                    char c = buffer[i];
                    escape(out, c, hidden(c) && !(c == '\r' && CR_IN_LINE_SEPARATOR), false);
                }
                super.write(out.toString(), 0, out.length());
            }

            @Override
            public void write(String text, int offset, int length) throws IOException {
                write(text.toCharArray(), offset, length);
            }
        }, true);
    }
}
