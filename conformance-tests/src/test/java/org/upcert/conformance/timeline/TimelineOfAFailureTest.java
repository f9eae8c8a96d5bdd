package org.upcert.conformance.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.mutants.MutantCase;
import org.upcert.conformance.mutants.Mutants;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * A FAIL's timeline, the way certify's reports make one: a mutant's failing run, the rule's
 * verdict, and a mark on the last event of its excerpt (the one the rule blames).
 *
 * <p>With {@code -Dupcert.timeline.example=DIR} it also writes the trace, the page, the SVG and
 * the mark (mark.txt, as {@code LINE:LABEL}) to DIR: docs/timeline-example.png is a screenshot of
 * that page (docs/timeline.md says how).
 */
class TimelineOfAFailureTest {

    @Test
    @DisplayName("the ACK-01 mutant's failing run: the violating event is marked and its activation outlined")
    void markedFailure() throws Exception {
        MutantCase mutant = Mutants.cases().stream().filter(c -> c.ruleId().equals("ACK-01")).findFirst().orElseThrow();
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(mutant.profile()), mutant.seed()).plan();
        RunResult run = Simulation.run(plan, mutant.source(), RunOptions.inMemory().withTransport("direct"));
        Verdict verdict = RuleCatalogue.checker("ACK-01").orElseThrow().check(RunEvidence.of(run));
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.message());

        // An excerpt ends at the event the rule blames.
        TraceEvent blamed = verdict.excerpt().get(verdict.excerpt().size() - 1);
        TimelineMark mark = TimelineMark.of(blamed.line(), "ACK-01: " + verdict.message());
        Timeline timeline = Timeline.parse(run.traceText());
        String html = TimelineRenderer.html(timeline, List.of(mark));
        assertTrue(html.contains("ACK-01: "), "the label is on the page");
        assertTrue(html.contains("class=\"mark-act\""), "the activation of the event is outlined");
        assertEquals(blamed.t(), timeline.event(blamed.line()).t());
        // The mutant never settles: the run goes on to the time limit, so the page adds a zoomed
        // picture of the fault phase, with ids of its own.
        assertTrue(html.contains("The fault phase, zoomed"), "a zoomed picture of the fault phase");
        assertTrue(html.contains("id=\"zoom-act-1\""));

        String example = System.getProperty("upcert.timeline.example");
        if (example != null) {
            Path dir = Path.of(example);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("trace.jsonl"), run.traceText());
            TimelineRenderer.write(timeline, List.of(mark), dir.resolve("timeline.html"), dir.resolve("timeline.svg"));
            Files.writeString(dir.resolve("mark.txt"), mark.line() + ":" + mark.label() + "\n");
        }
    }
}
