package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * An extension's text reaches certify's summary (an exception's message, RES-04): an escape
 * sequence in it could clear the terminal and draw a verdict of its own over upcert's.
 */
class ForgedTerminalTextTest {
    /** Throws a message that clears the screen, homes the cursor and prints a forged verdict, reversed by U+202E. */
    public static final class ThrowsForgedVerdict implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            throw new IllegalStateException("\u001b[2J\u001b[HCERTIFIED \u00b7 every MUST rule PASS\u202e");
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("certify's summary shows the extension's escape sequences and bidirectional overrides escaped, never as themselves")
    void escapesInTheSummary(@TempDir Path dir) {
        StringWriter stdout = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        int code = cli.execute("certify", "--extension-class", ThrowsForgedVerdict.class.getName(), "--isolation", "in-process",
                "--profiles", "baseline", "--seed", "1", "--rules", "RES-04", "--out", dir.toString(), "--quiet");
        assertEquals(1, code, stdout.toString());
        String shown = stdout.toString();
        // Before H35 the escape and the override reached the terminal as they were.
        assertTrue(shown.indexOf('\u001b') < 0 && shown.indexOf('\u202e') < 0, shown);
        assertTrue(shown.contains("\\u001b[2J\\u001b[HCERTIFIED"), "the message is shown, escaped: " + shown);
        assertTrue(shown.strip().lines().reduce((a, b) -> b).orElse("").contains("reports"), "upcert's own lines end it");
    }
}
