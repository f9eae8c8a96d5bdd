package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.ProfileCatalogue;

/**
 * Exercise coverage of the default certification (issue 12): a MUST rule met by two or three of
 * the default runs lets a mistake that shows only sometimes slip through, so the standard
 * profiles and the default seed count are tuned until every MUST rule is exercised by at least
 * {@link RuleSummary#WELL_EXERCISED} runs of the sample's default certification, and this test
 * keeps it so. The counts are the reports' own ({@link RuleSummary}), over the same runs the
 * group tests share.
 */
class ExerciseCoverageTest {

    @Test
    @DisplayName("every MUST rule is exercised by at least 10 runs of the sample's default certification")
    void everyMustRuleIsWellExercised() throws Exception {
        List<CellVerdict> verdicts = new ArrayList<>();
        TreeMap<String, TreeMap<String, Verdict>> all = SampleVerdicts.allOnTheDefaultCloud();
        all.forEach((run, byRule) -> {
            // "profile seed N"
            String profile = run.substring(0, run.lastIndexOf(" seed "));
            long seed = Long.parseLong(run.substring(run.lastIndexOf(' ') + 1));
            byRule.forEach((ruleId, verdict) -> verdicts.add(new CellVerdict(RuleCatalogue.rule(ruleId).orElseThrow(),
                    new Cell(profile, seed, SuiteConfig.DEFAULT_CLOUD), verdict, "", null, null)));
        });
        List<String> thin = new ArrayList<>();
        for (Rule rule : RuleCatalogue.rules()) {
            if (!rule.must()) {
                continue;
            }
            RuleSummary summary = RuleSummary.of(rule, verdicts);
            assertEquals(all.size(), summary.runs(), rule.id() + ": judged on every run");
            if (summary.exercised() < RuleSummary.WELL_EXERCISED) {
                thin.add(rule.id() + " exercised by " + summary.exercisedLine());
            }
            assertEquals(summary.exercised() < RuleSummary.WELL_EXERCISED && summary.exercised() > 0, summary.thinlyExercised());
        }
        assertEquals(List.of(), thin, "MUST rules exercised by fewer than " + RuleSummary.WELL_EXERCISED
                + " default runs: tune the standard profiles (make the situation certain where they list the rule) or the"
                + " default seed count");
    }

    @Test
    @DisplayName("a rule's exercise counts PASS, WARN and FAIL runs, by profile in run order; N/A and NOT_EXERCISED do not count")
    void exerciseIsCountedByProfile() {
        Rule rule = RuleCatalogue.rule("CAP-01").orElseThrow();
        List<CellVerdict> verdicts = List.of(
                cell(rule, "tiny-job-limit", 1, Verdict.pass("CAP-01", "ok")),
                cell(rule, "tiny-job-limit", 2, Verdict.fail("CAP-01", "spun on LIMIT_EXCEEDED", List.of())),
                cell(rule, "baseline", 1, Verdict.notExercised("CAP-01", "no LIMIT_EXCEEDED")),
                cell(rule, "everything", 1, Verdict.pass("CAP-01", "ok")),
                cell(rule, "everything", 2, Verdict.notApplicable("CAP-01", "not used")));
        RuleSummary summary = RuleSummary.of(rule, verdicts);
        assertEquals(3, summary.exercised());
        assertEquals(Map.of("tiny-job-limit", 2, "everything", 1), summary.exercisedBy());
        assertEquals(List.of("tiny-job-limit", "everything"), List.copyOf(summary.exercisedBy().keySet()), "run order");
        assertEquals("3 of 5 (tiny-job-limit 2, everything 1)", summary.exercisedLine());
        assertFalse(summary.thinlyExercised(), "five runs in all are not meant to cover the catalogue: no noise");
        List<CellVerdict> more = new java.util.ArrayList<>(verdicts);
        for (long seed = 1; seed <= 7; seed++) {
            more.add(cell(rule, "baseline", 10 + seed, Verdict.notExercised("CAP-01", "no LIMIT_EXCEEDED")));
        }
        assertTrue(RuleSummary.of(rule, more).thinlyExercised(), "3 of 12 runs: thin");

        RuleSummary none = RuleSummary.of(rule, List.of(cell(rule, "baseline", 1, Verdict.notExercised("CAP-01", "no LIMIT_EXCEEDED"))));
        assertFalse(none.thinlyExercised(), "never exercised is NOT_EXERCISED, not thin");
        Rule should = RuleCatalogue.rule("RTY-04").orElseThrow();
        assertFalse(RuleSummary.of(should, List.of(cell(should, "cloud-errors", 1, Verdict.pass("RTY-04", "ok")))).thinlyExercised(),
                "only MUST rules are held to the minimum");
    }

    private static CellVerdict cell(Rule rule, String profile, long seed, Verdict verdict) {
        return new CellVerdict(rule, new Cell(profile, seed, SuiteConfig.DEFAULT_CLOUD), verdict, "", null, null);
    }

    @Test
    @DisplayName("the stall stop never ends a default run of the sample: every one converges (its verdicts are those of a whole run)")
    void theSampleNeverStalls() throws Exception {
        TreeMap<String, String> reasons = SampleVerdicts.endReasonsOnTheDefaultCloud();
        assertEquals(ProfileCatalogue.names().size() * 3, reasons.size(), reasons.toString());
        TreeMap<String, String> notQuiescent = new TreeMap<>(reasons);
        notQuiescent.values().removeIf("quiescent"::equals);
        assertEquals(Map.of(), notQuiescent, "every default run of the sample ends quiescent, none stalled or at a limit");
    }
}
