package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.mutants.MutantCase;
import org.upcert.conformance.mutants.MutantCatalogue;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * The suite proves itself: every mutant (the sample with one realistic mistake) FAILs the rule
 * its mistake breaks, and every MUST rule has at least one such mutant. The table of rule →
 * mutant → verdict is printed and written to {@code target/mutant-verdicts.md}.
 */
class MutantsAreCaughtTest {
    private static final List<String> TABLE = new ArrayList<>();

    @TestFactory
    @DisplayName("every mutant fails the rule its mistake breaks")
    Stream<DynamicTest> everyMutantIsCaught() {
        return MutantCatalogue.all().stream().map(c -> DynamicTest.dynamicTest(
                c.ruleId() + " ← " + c.mutant() + " (" + c.profile() + (c.os() == null ? "" : " on iOS " + c.os()) + ", seed "
                        + c.seed() + ", " + c.cloud() + ")",
                () -> {
                    RuleChecker checker = RuleCatalogue.checker(c.ruleId()).orElseThrow(
                            () -> new AssertionError("no checker for " + c.ruleId()));
                    Verdict verdict = checker.check(run(c));
                    synchronized (TABLE) {
                        TABLE.add("| " + c.ruleId() + " | " + c.mutant() + " | " + c.mistake() + " | " + c.profile() + (c.os() == null ? "" : " on iOS " + c.os()) + " seed "
                                + c.seed() + " " + c.cloud() + " | " + verdict.status() + " | "
                                + verdict.message().replace("|", "\\|") + " |");
                    }
                    assertEquals(Verdict.Status.FAIL, verdict.status(), c.mistake() + ": " + verdict);
                    assertFalse(verdict.excerpt().isEmpty(), "a FAIL shows the events that cause it");
                }));
    }

    @Test
    @DisplayName("every MUST rule has a mutant that breaks it")
    void everyMustRuleHasAMutant() {
        TreeSet<String> covered = new TreeSet<>();
        MutantCatalogue.all().forEach(c -> covered.add(c.ruleId()));
        // Rules about the process itself are broken by the hostile corpus, run out of process.
        covered.addAll(org.upcert.conformance.hostile.HostileCorpusTest.RULES_CAUGHT);
        List<String> uncovered = RuleCatalogue.rules().stream().filter(Rule::must).map(Rule::id)
                .filter(id -> !covered.contains(id)).toList();
        assertTrue(uncovered.isEmpty(), "MUST rules no mutant breaks: " + uncovered);
    }

    static RunEvidence run(MutantCase c) throws Exception {
        RunPlan plan = c.plan();
        return RunEvidence.of(Simulation.run(plan, c.source(), c.options())); // the cloud through CloudSpec, the next build
    }

    @AfterAll
    static void printTable() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("| rule | mutant | mistake | run | verdict | message |");
        lines.add("|---|---|---|---|---|---|");
        synchronized (TABLE) {
            lines.addAll(TABLE.stream().sorted().toList());
        }
        String table = String.join("\n", lines) + "\n";
        System.out.println("rule → mutant → verdict\n" + table);
        Path out = Path.of("target", "mutant-verdicts.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
    }
}
