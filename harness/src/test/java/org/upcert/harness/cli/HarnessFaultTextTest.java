package org.upcert.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A harness fault's text may quote the extension's (an exception message it chose): on stderr it is
 * escaped like every other extension text, so it cannot clear the screen or add a line of its own.
 */
class HarnessFaultTextTest {
    @CommandLine.Command(name = "boom")
    static final class Boom implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("extension said: \u001b[2J\u001b[H\nupcert: CERTIFIED \u202eforged");
        }
    }

    @Test
    @DisplayName("a command's harness fault is printed escaped, exit 3, the forged line inside upcert's own")
    void escapedOnStderr() {
        CommandLine commandLine = UpcertCommand.commandLine(new Boom());
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err));
        commandLine.setOut(new PrintWriter(new StringWriter()));
        int exit = commandLine.execute("boom");
        String text = err.toString();
        assertEquals(ExitCode.HARNESS_FAULT.code(), exit);
        assertFalse(text.contains("\u001b"), text);
        assertFalse(text.contains("\u202e"), text);
        assertTrue(text.lines().noneMatch(line -> line.startsWith("upcert: CERTIFIED")), text);
        assertTrue(text.startsWith("upcert: harness fault (a bug in upcert, not the extension's): java.lang.IllegalStateException:"
                + " extension said: \\u001b[2J\\u001b[H\\nupcert: CERTIFIED \\u202eforged"), text);
        assertTrue(text.contains("at org.upcert.harness.cli.HarnessFaultTextTest$Boom.run"), "the stack trace is still there: " + text);
    }
}
