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

    private static String explain(String id) {
        StringWriter out = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ExplainCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        assertEquals(0, cli.execute("explain", id));
        return out.toString().replaceAll("\\s+", " ");
    }

    @Test
    @DisplayName("explain agrees with the judge: the optional trigger it names makes the rule NOT_APPLICABLE on a run that never uses it,"
            + " and every SHOULD rule states the threshold the judge warns above")
    void explainAgreesWithTheJudge() throws Exception {
        // A run of an extension that uses no optional API at all (no retry in place, no cancel,
        // no change tokens, no headers) on the profile that exercises most rules.
        org.upcert.conformance.evidence.RunEvidence evidence = org.upcert.conformance.evidence.RunEvidence.of(
                org.upcert.harness.run.Simulation.run(org.upcert.harness.faults.profile.PlanExpander.expand(
                        org.upcert.harness.faults.profile.ProfileCatalogue.load("library-churn"), 1).plan(),
                        org.upcert.harness.host.ExtensionSource.type(org.upcert.conformance.styles.FullWalkExtension.class,
                                org.upcert.conformance.styles.FullWalkExtension::new),
                        org.upcert.harness.run.RunOptions.inMemory().withTransport("direct")));
        for (Rule rule : RuleCatalogue.rules()) {
            String text = explain(rule.id());
            java.util.Optional<org.upcert.conformance.rules.Applicability.Trigger> trigger =
                    org.upcert.conformance.rules.Applicability.trigger(rule.id());
            org.upcert.conformance.verdict.Verdict verdict = RuleCatalogue.judge(rule.id(), evidence);
            if (trigger.isPresent()) {
                assertTrue(text.contains(trigger.get().describe().replaceAll("\\s+", " ")), rule.id() + ": " + text);
                assertTrue(Explanations.of(rule.id()).orElseThrow().exercised().contains("NOT_APPLICABLE"),
                        rule.id() + "'s explanation says when it is not applicable");
                assertEquals(org.upcert.conformance.verdict.Verdict.Status.NOT_APPLICABLE, verdict.status(),
                        rule.id() + ": explain says N/A without " + trigger.get().api() + "; the judge said " + verdict);
            } else if (org.upcert.conformance.rules.Applicability.outOfReach(rule.id()).isPresent()) {
                // N/A only for a deployment target that puts the rule's situation out of reach (none here)
                assertTrue(text.contains(org.upcert.conformance.rules.Applicability.outOfReach(rule.id()).get().describe()
                        .replaceAll("\\s+", " ")), rule.id() + ": " + text);
                assertTrue(Explanations.of(rule.id()).orElseThrow().exercised().contains("NOT_APPLICABLE"),
                        rule.id() + "'s explanation says when it is not applicable");
                assertFalse(verdict.status() == org.upcert.conformance.verdict.Verdict.Status.NOT_APPLICABLE,
                        rule.id() + ": no deployment target declared, yet the judge said N/A");
            } else {
                assertFalse(text.contains("Applicability"), rule.id() + " has no optional trigger: " + text);
                assertFalse(verdict.status() == org.upcert.conformance.verdict.Verdict.Status.NOT_APPLICABLE,
                        rule.id() + ": the judge said N/A but explain names no trigger");
            }
            if (!rule.must()) {
                String threshold = org.upcert.conformance.rules.Thresholds.of(rule.id()).orElseThrow().describe();
                assertTrue(text.contains("WARN when the figure is " + threshold), rule.id() + ": " + text);
            }
        }
    }
}
