package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.report.RootCauses;
import org.upcert.conformance.rules.Applicability;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.Thresholds;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.conformance.verdict.Verdict.Status;

/** Verdict semantics v2 (RULES.md): how NOT_APPLICABLE, WARN and root causes combine. */
class VerdictSemanticsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CellVerdict cell(String ruleId, String profile, long seed, Verdict verdict) {
        Rule rule = RuleCatalogue.rule(ruleId).orElseThrow();
        return new CellVerdict(rule, new Cell(profile, seed, "generic-put"), verdict, "repro", null, null);
    }

    private static TraceEvent event(int line) {
        return new TraceEvent(line, line * 10L, "x", 1, JSON.createObjectNode().put("ev", "x"));
    }

    @Test
    @DisplayName("a MUST rule N/A in some runs and PASS in another is PASS; N/A everywhere is N/A; N/A and NOT_EXERCISED is NOT_EXERCISED")
    void applicabilityCombines() {
        Rule rule = RuleCatalogue.rule("JOB-04").orElseThrow();
        Verdict na = Verdict.notApplicable("JOB-04", "never cancelled");
        assertEquals(Status.PASS, RuleSummary.of(rule, List.of(cell("JOB-04", "a", 1, na),
                cell("JOB-04", "b", 1, Verdict.pass("JOB-04", "ok")))).status());
        assertEquals(Status.NOT_APPLICABLE, RuleSummary.of(rule, List.of(cell("JOB-04", "a", 1, na),
                cell("JOB-04", "b", 1, na))).status());
        assertEquals(Status.NOT_EXERCISED, RuleSummary.of(rule, List.of(cell("JOB-04", "a", 1, na),
                cell("JOB-04", "b", 1, Verdict.notExercised("JOB-04", "no cancel met")))).status(),
                "the extension used the API somewhere and upcert never produced the situation: not N/A");
        assertEquals(Status.FAIL, RuleSummary.of(rule, List.of(cell("JOB-04", "a", 1, na),
                cell("JOB-04", "b", 1, Verdict.fail("JOB-04", "bad", List.of(event(3)))))).status());
    }

    @Test
    @DisplayName("a SHOULD figure beyond its threshold is WARN per run and over all runs; within it, PASS")
    void thresholds() {
        Verdict alarming = Verdict.measured("DUP-02", Figure.ratio("duplicate bytes", 99, 100), "99 of 100");
        Verdict fine = Verdict.measured("DUP-02", Figure.ratio("duplicate bytes", 1, 100), "1 of 100");
        assertEquals(Status.WARN, Thresholds.apply(alarming).status());
        assertTrue(Thresholds.apply(alarming).message().contains("above 5%"), Thresholds.apply(alarming).message());
        assertEquals(Status.PASS, Thresholds.apply(fine).status());
        Rule rule = RuleCatalogue.rule("DUP-02").orElseThrow();
        RuleSummary pooled = RuleSummary.of(rule, List.of(cell("DUP-02", "a", 1, Thresholds.apply(alarming)),
                cell("DUP-02", "b", 1, Thresholds.apply(fine))));
        assertEquals(Status.WARN, pooled.status(), "pooled 100 of 200 is beyond 5%: " + pooled.figure());
        assertTrue(pooled.note(List.of()).startsWith("WARN: duplicate bytes 50.0%"), pooled.note(List.of()));
        for (Rule should : RuleCatalogue.rules()) {
            if (!should.must()) {
                assertTrue(Thresholds.of(should.id()).isPresent(), "every SHOULD rule has a documented threshold: " + should.id());
            }
        }
        assertEquals(Status.PASS, Thresholds.apply(Verdict.measured("RES-05", Figure.maximum("p99 call duration", 30_000, "ms"), ""))
                .status(), "the limit itself still passes");
        assertEquals(Status.WARN, Thresholds.apply(Verdict.measured("RES-05", Figure.maximum("p99 call duration", 60_400, "ms"), ""))
                .status(), "a p99 at the runtime kill is an alarm, not a PASS");
    }

    @Test
    @DisplayName("root causes: each run's earliest violation is its root, later FAILs of the run are its consequences")
    void rootCausesFirst() {
        List<CellVerdict> failures = List.of(
                cell("E2E-01", "p", 1, Verdict.fail("E2E-01", "lost", List.of(event(900)))),
                cell("RTY-01", "p", 1, Verdict.fail("RTY-01", "gave up", List.of(event(120)))),
                cell("RES-01", "p", 1, Verdict.fail("RES-01", "completed early", List.of(event(300)))),
                cell("RTY-01", "p", 2, Verdict.fail("RTY-01", "gave up", List.of(event(50)))),
                cell("DUP-01", "q", 1, Verdict.fail("DUP-01", "two jobs", List.of(event(10)))));
        List<RootCauses.RootCause> causes = RootCauses.of(failures);
        assertEquals("RTY-01", causes.get(0).ruleId(), "first in two runs");
        assertEquals(2, causes.get(0).runs().size());
        assertEquals("E2E-01, RES-01", RootCauses.describe(causes.get(0).consequences()));
        assertEquals(50, causes.get(0).example().verdict().violatingEvent().orElseThrow().line(), "the earliest example");
        assertEquals("DUP-01", causes.get(1).ruleId());
        assertEquals(List.of("RTY-01", "RES-01", "E2E-01"), failures.stream().filter(f -> f.cell().seed() == 1
                && f.cell().profile().equals("p")).sorted(RootCauses.byViolation()).map(f -> f.rule().id()).toList());
    }

    @Test
    @DisplayName("every optional trigger names its rule, its API and what an extension may do instead")
    void triggersAreDescribed() {
        for (Applicability.Trigger trigger : Applicability.triggers()) {
            assertTrue(RuleCatalogue.rule(trigger.ruleId()).orElseThrow().must(), trigger.ruleId());
            assertTrue(trigger.describe().startsWith("NOT_APPLICABLE when the extension never uses "), trigger.describe());
        }
        assertEquals(List.of("JOB-03", "JOB-04", "JOB-05", "CHG-01", "CLD-01"),
                Applicability.triggers().stream().map(Applicability.Trigger::ruleId).toList());
    }
}
