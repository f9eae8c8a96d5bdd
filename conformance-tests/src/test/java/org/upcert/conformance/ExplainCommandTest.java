package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.cli.ExplainCommand;
import org.upcert.conformance.rules.Explanations;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/** {@code upcert explain}: every rule explained, and the command's output and errors. */
class ExplainCommandTest {

    @Test
    @DisplayName("every catalogue rule has an explanation: what it checks, what exercises it, a source, a usual mistake")
    void everyRuleExplained() {
        assertEquals(RuleCatalogue.ids(), java.util.List.copyOf(Explanations.all().keySet()));
        for (Rule rule : RuleCatalogue.rules()) {
            Explanations.Explanation e = Explanations.of(rule.id()).orElseThrow();
            assertFalse(e.checks().isBlank(), rule.id());
            assertFalse(e.exercised().isBlank(), rule.id());
            assertFalse(e.source().isBlank(), rule.id());
            assertFalse(e.mistakes().isEmpty(), rule.id());
        }
    }

    @Test
    @DisplayName("explain RTY-03 prints the rule, its source and its mistakes; an unknown id is exit 2 with a suggestion")
    void command() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ExplainCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(0, cli.execute("explain", "rty-03"));
        String text = out.toString();
        assertTrue(text.startsWith("RTY-03 · MUST · retries"), text);
        assertTrue(text.contains("Usual mistakes") && text.contains("retry(job, nil)"), text);
        assertTrue(text.contains("expired-urls"), text);
        assertEquals(2, cli.execute("explain", "RTY-09"));
        assertTrue(err.toString().contains("did you mean RTY-01"), err.toString());
    }
}
