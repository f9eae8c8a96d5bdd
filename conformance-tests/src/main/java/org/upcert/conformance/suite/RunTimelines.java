package org.upcert.conformance.suite;

import java.nio.file.Path;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.timeline.Timeline;
import org.upcert.conformance.timeline.TimelineMark;
import org.upcert.conformance.timeline.TimelineRenderer;
import org.upcert.conformance.verdict.Verdict;

/**
 * The timeline pictures of a certification: one per run ({@code timelines/RUN.html} and
 * {@code .svg}), written right after the run is simulated, on its worker thread; and one per FAIL
 * with the violating event marked ({@code timelines/RUN-RULE.html}). A picture that cannot be
 * drawn is left out: reports never change a verdict.
 */
public final class RunTimelines {
    private RunTimelines() {
    }

    /** The run's picture; returns its path relative to {@code reports}, or null. */
    static String writeRun(Path reports, Cell cell, String traceText, RunEvidence evidence) {
        try {
            Path html = reports.resolve("timelines").resolve(cell.fileName() + ".html");
            TimelineRenderer.write(Timeline.parse(traceText, ParsedLines.of(evidence)), List.of(), html, html.resolveSibling(cell.fileName() + ".svg"));
            return reports.relativize(html).toString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The picture of a FAIL: the event the verdict blames (the last of its excerpt) marked with
     * the rule id and message. Returns the HTML path relative to {@code reports}, or null.
     */
    static String writeFailure(Path reports, Cell cell, Verdict verdict, String traceText, RunEvidence evidence) {
        if (verdict.excerpt().isEmpty() || traceText == null) {
            return null;
        }
        try {
            TraceEvent blamed = verdict.excerpt().get(verdict.excerpt().size() - 1);
            String name = cell.fileName() + "-" + verdict.ruleId();
            Path html = reports.resolve("timelines").resolve(name + ".html");
            TimelineRenderer.write(Timeline.parse(traceText, ParsedLines.of(evidence)), List.of(TimelineMark.of(blamed.line(),
                    verdict.ruleId() + ": " + verdict.message())), html, html.resolveSibling(name + ".svg"));
            return reports.relativize(html).toString();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The run's lines as the evidence parsed them, by line number (a reading of the evidence: made once per run). */
    private record ParsedLines(JsonNode[] byLine) {
        static JsonNode[] of(RunEvidence evidence) {
            if (evidence == null) {
                return null;
            }
            return evidence.derived(ParsedLines.class, e -> {
                int last = e.events().isEmpty() ? 1 : e.events().get(e.events().size() - 1).line();
                JsonNode[] lines = new JsonNode[last + 1];
                if (e.header() != null) {
                    lines[1] = e.header();
                }
                for (TraceEvent event : e.events()) {
                    lines[event.line()] = event.fields();
                }
                return new ParsedLines(lines);
            }).byLine();
        }
    }
}
