package org.upcert.conformance.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;

/**
 * A run is judged once, as soon as it is simulated, and the group classes (concurrent) report the
 * verdicts made; a reading of the evidence is computed once even when several threads ask at once.
 */
class JudgedOnceTest {

    @Test
    @DisplayName("a reading asked for by two threads at once is computed once; the second waits for the first")
    void readingComputedOnce() throws Exception {
        RunEvidence evidence = new RunEvidence("p", 1, null, List.of(), Set.of(), Set.of(), null, null, null);
        AtomicInteger computed = new AtomicInteger();
        Thread[] second = new Thread[1];
        second[0] = new Thread(() -> evidence.derived(StringBuilder.class, e -> {
            computed.incrementAndGet();
            return new StringBuilder("second");
        }));
        StringBuilder first = evidence.derived(StringBuilder.class, e -> {
            computed.incrementAndGet();
            second[0].start();
            // the second thread asks while this one computes: it waits (or, computing it again, counts 2)
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> second[0].getState() == Thread.State.WAITING || computed.get() == 2 || !second[0].isAlive());
            return new StringBuilder("first");
        });
        second[0].join(30_000);
        assertEquals(1, computed.get(), "computed once");
        assertEquals("first", first.toString());
        assertSame(first, evidence.derived(StringBuilder.class, e -> new StringBuilder("again")));
    }

    /** The sample's baseline, seed 1, in process. */
    private static SuiteConfig baseline() {
        return SuiteConfig.from(key -> Optional.ofNullable(Map.of("upcert.profiles", "baseline", "upcert.seeds", "1",
                "upcert.isolation", "in-process", "upcert.explore", "0").get(key)));
    }

    /** The configuration's first cell simulated as the suite simulates it (judged ahead as it ends). */
    private static RunOutcome simulated(SuiteConfig config) {
        RunOutcome outcome = SharedRuns.simulate(config, config.cells().get(0));
        assertTrue(outcome.ran(), String.valueOf(outcome.harnessFault()));
        return outcome;
    }

    @Test
    @DisplayName("each rule's verdict on a run is made once, when the run ends, and is what its cell reports")
    void verdictsMadeWhenTheRunEnds() {
        SuiteConfig config = baseline();
        RunOutcome outcome = simulated(config);
        for (Rule rule : config.rules()) {
            CellVerdict first = CellJudge.judge(config, rule, outcome);
            assertSame(first.verdict(), CellJudge.judge(config, rule, outcome).verdict(), rule.id() + " judged once");
            if (RuleCatalogue.checker(rule.id()).isPresent()) {
                assertEquals(RuleCatalogue.judge(rule.id(), outcome.evidence()).status(), first.verdict().status(), rule.id());
                assertEquals(RuleCatalogue.judge(rule.id(), outcome.evidence()).message(), first.verdict().message(), rule.id());
            }
        }
    }

    @Test
    @DisplayName("the checkers' own verdicts (before applicability and thresholds) are kept from that one judgement, for the group tests")
    void unadjustedVerdictsKept() {
        SuiteConfig config = baseline();
        RunOutcome outcome = simulated(config);
        for (Rule rule : config.rules()) {
            Optional<RuleChecker> checker = RuleCatalogue.checker(rule.id());
            if (checker.isEmpty()) {
                continue;
            }
            Verdict kept = CellJudge.unadjusted(outcome, rule.id()).orElseThrow(() -> new AssertionError(rule.id() + " not kept"));
            Verdict again = checker.get().check(outcome.evidence());
            assertEquals(again.status(), kept.status(), rule.id());
            assertEquals(again.message(), kept.message(), rule.id());
            assertSame(kept, CellJudge.unadjusted(outcome, rule.id()).orElseThrow(), rule.id() + ": read, not judged again");
        }
        // the same run's evidence read afresh (nobody judged it): nothing kept, the caller asks the checker
        RunEvidence e = outcome.evidence();
        RunOutcome unjudged = new RunOutcome(outcome.cell(), new RunEvidence(e.profile(), e.seed(), e.header(), e.events(), e.liveResources(),
                e.storedResources(), e.inventory(), e.library(), e.payloads()), null, null, 0);
        assertTrue(CellJudge.unadjusted(unjudged, "RTY-01").isEmpty());
    }

    @Test
    @DisplayName("runs at once: one per core in process, one more when the extension runs in its own processes")
    void parallelism() {
        int cores = Runtime.getRuntime().availableProcessors();
        SuiteConfig inProcess = SuiteConfig.from(key -> Optional.ofNullable(Map.of("upcert.isolation", "in-process").get(key)));
        SuiteConfig worker = SuiteConfig.from(key -> Optional.ofNullable(Map.of("upcert.isolation", "worker").get(key)));
        assertEquals(cores, SharedRuns.parallelism(inProcess));
        assertEquals(cores + 1, SharedRuns.parallelism(worker));
    }
}
