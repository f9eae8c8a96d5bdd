package org.upcert.conformance.report;

import org.upcert.harness.cli.TerminalText;

/**
 * Text for CERTIFICATION.md that may quote the extension (a FAIL's message holds its exception
 * message or log text; a rule's note, the message of its first failure). Shown as written, never
 * read as Markdown or HTML: a line break there could start a heading of its own choosing
 * ({@code # upcert certification: CERTIFIED}), an unclosed {@code <!--} hide every line after it
 * (the failures) on a page that renders HTML, a {@code |} end a table cell, a {@code [..](..)} or
 * {@code <img onerror>} lead a reader elsewhere.
 */
final class MarkdownText {
    private MarkdownText() {
    }

    /** {@code text} as one line of Markdown that shows exactly these characters. */
    static String inline(String text) {
        String line = TerminalText.printable(text);
        StringBuilder out = new StringBuilder(line.length() + 16);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            switch (c) {
                // HTML first: entities are read in Markdown text and in raw HTML alike
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                // CommonMark lets any ASCII punctuation be escaped with a backslash
                case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '!' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A trace line for a fenced code block: one line, no character that reorders or hides what is shown. */
    static String code(String line) {
        return TerminalText.printable(line);
    }
}
