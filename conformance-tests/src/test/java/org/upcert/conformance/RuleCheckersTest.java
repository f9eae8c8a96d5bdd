package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/** The catalogue is consistent, and the sample passes the checkers on a profile that exercises them. */
class RuleCheckersTest {
    private static Path sampleJar;

    @BeforeAll
    static void bundledSample() {
        sampleJar = BundledSample.extract().orElseThrow();
    }

    private static RunEvidence run(ExtensionSource source, String profile, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), seed).plan();
        return RunEvidence.of(Simulation.run(plan, source, RunOptions.inMemory().withTransport("direct")));
    }

    @Test
    @DisplayName("the catalogue lists every rule of RULES.md once, each in its group, with a standard profile")
    void catalogue() throws Exception {
        assertEquals(37, RuleCatalogue.rules().size());
        for (Rule rule : RuleCatalogue.rules()) {
            assertTrue(RuleCatalogue.GROUPS.contains(rule.group()), rule.id());
            assertTrue(ProfileCatalogue.names().contains(rule.profile()), rule.id() + " names " + rule.profile());
        }
        assertEquals("RTY-03", RuleCatalogue.rule("rty-03").orElseThrow().id());
        assertThrows(IllegalArgumentException.class, () -> new Rule("RTY1", "RTY", Rule.Severity.MUST, "doc", "x", "baseline"));
        RuleCatalogue.checkers(); // throws on a checker for an unknown rule or of the wrong severity
    }

    @Test
    @DisplayName("the sample fails no rule on flaky-network, and the profile exercises the retry rules")
    void samplePasses() throws Exception {
        RunEvidence flaky = run(ExtensionSource.jar(sampleJar), "flaky-network", 1);
        for (RuleChecker checker : RuleCatalogue.checkers().values()) {
            Verdict verdict = checker.check(flaky);
            assertFalse(verdict.failed(), verdict.toString());
        }
        assertEquals(Verdict.Status.PASS, RuleCatalogue.checker("ACK-01").orElseThrow().check(flaky).status());
        assertEquals(Verdict.Status.PASS, RuleCatalogue.checker("DUP-01").orElseThrow().check(flaky).status());
        assertEquals(Verdict.Status.PASS, RuleCatalogue.checker("E2E-01").orElseThrow().check(flaky).status());
        assertEquals(Verdict.Status.PASS, RuleCatalogue.checker("JOB-03").orElseThrow().check(flaky).status(),
                "flaky-network makes the sample retry");
    }
}
