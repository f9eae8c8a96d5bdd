package org.upcert.conformance.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.upcert.conformance.timeline.Timeline;
import org.upcert.conformance.timeline.TimelineMark;
import org.upcert.conformance.timeline.TimelineRenderer;
import org.upcert.conformance.timeline.TraceFormatException;
import org.upcert.harness.cli.ExitCode;
import org.upcert.harness.cli.OutputLocation;
import org.upcert.harness.trace.TraceDamage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code upcert timeline TRACE}: the timeline picture of a run, as an HTML page and an SVG. */
@Command(name = "timeline", mixinStandardHelpOptions = true,
        header = "Draws a run's trace as a timeline: a self-contained HTML page and an SVG.",
        description = {"Draws a run's trace as a timeline: activations, job counts by state, fault windows, network and power,"
                + " library churn, the recovery phase, and marked events.",
                "Writes a self-contained HTML page and an SVG (no network needed to view them). Exit 0, or 2 for bad input."})
public final class TimelineCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "TRACE", description = "A trace.jsonl written by upcert run or certify.")
    Path trace;

    @Option(names = "--out", paramLabel = "FILE.html", description = "The page (default: timeline.html next to the trace).")
    Path out;

    @Option(names = "--svg", paramLabel = "FILE.svg",
            description = "The SVG (default: next to the page, with the page's name and .svg; timeline.svg by default).")
    Path svg;

    @Option(names = "--mark", paramLabel = "LINE[:LABEL]",
            description = "Mark the event on trace line LINE (the header is line 1), e.g. --mark '4711:ACK-01: J000042 never"
                    + " acknowledged'. Repeatable.")
    List<String> marks = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(trace)) {
            err.println("upcert timeline: no such trace file: " + trace.toAbsolutePath());
            return ExitCode.USAGE.code();
        }
        List<TimelineMark> parsed = new ArrayList<>();
        for (String mark : marks) {
            try {
                parsed.add(TimelineMark.parse(mark));
            } catch (IllegalArgumentException e) {
                err.println("upcert timeline: " + e.getMessage());
                return ExitCode.USAGE.code();
            }
        }
        try {
            Optional<TraceDamage> damage = TraceDamage.find(trace);
            if (damage.isPresent()) {
                err.println("upcert timeline: " + (damage.get().line() == 0 ? trace + " is empty, not an upcert trace"
                        : "damaged trace: " + damage.get() + " (" + trace + ")"));
                return ExitCode.USAGE.code();
            }
        } catch (java.io.IOException e) {
            err.println("upcert timeline: cannot read " + trace + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        Timeline timeline;
        try {
            timeline = Timeline.read(trace);
        } catch (TraceFormatException e) {
            err.println("upcert timeline: " + trace + " is not an upcert trace: " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (UncheckedIOException e) {
            err.println("upcert timeline: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        for (TimelineMark mark : parsed) {
            if (mark.line() > timeline.lineCount()) {
                err.println("upcert timeline: --mark " + mark.line() + " is outside the trace (" + trace + " has lines 1-"
                        + timeline.lineCount() + ")");
                return ExitCode.USAGE.code();
            }
        }
        Path html = out != null ? out : siblingOf(trace, "timeline.html");
        Path image = svg != null ? svg : siblingOf(html, withExtension(html.getFileName().toString(), ".svg"));
        for (Path file : List.of(html, image)) {
            Optional<String> unwritable = OutputLocation.fileProblem(file);
            if (unwritable.isPresent()) {
                err.println("upcert timeline: " + (file == html ? "--out " : "--svg ") + unwritable.get());
                return ExitCode.USAGE.code();
            }
        }
        long started = System.nanoTime(); // wall-clock ok: reports how long drawing took
        TimelineRenderer.Written written;
        try {
            written = TimelineRenderer.write(timeline, parsed, html, image);
        } catch (UncheckedIOException e) {
            err.println("upcert timeline: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        double ms = (System.nanoTime() - started) / 1e6; // wall-clock ok
        stdout.println(String.format(Locale.ROOT, "timeline  %s (%,d bytes)%n          %s (%,d bytes)%n          %d activations,"
                + " %,d trace lines, %d marks · drawn in %.0f ms", written.html(), written.htmlBytes(), written.svg(),
                written.svgBytes(), timeline.activations().size(), timeline.lineCount(), parsed.size(), ms));
        stdout.flush();
        return ExitCode.OK.code();
    }

    private static Path siblingOf(Path file, String name) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(name) : parent.resolve(name);
    }

    private static String withExtension(String name, String extension) {
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + extension;
    }
}
