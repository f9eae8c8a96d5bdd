package org.upcert.conformance.timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.upcert.harness.sim.VirtualClock;

/**
 * Draws a {@link Timeline} as a self-contained SVG and a self-contained HTML page (inline CSS,
 * SVG and script; no network, no fonts to fetch). The same trace and marks give the same bytes.
 *
 * <pre>{@code
 * Timeline timeline = Timeline.parse(traceText);            // or Timeline.read(path)
 * List<TimelineMark> marks = List.of(TimelineMark.of(event.line(), "ACK-01: J000042 never acknowledged"));
 * TimelineRenderer.write(timeline, marks, dir.resolve("timeline.html"), dir.resolve("timeline.svg"));
 * }</pre>
 */
public final class TimelineRenderer {
    private TimelineRenderer() {
    }

    /** What {@link #write} wrote. */
    public record Written(Path html, Path svg, long htmlBytes, long svgBytes) {
    }

    /** A mark placed on its event, and the activation it highlights. */
    record ResolvedMark(TimelineMark mark, Timeline.Event event, Optional<Timeline.Activation> activation) {
        String describe() {
            return mark.label() + "\ntrace line " + event.line() + " at " + VirtualClock.format(event.t()) + ", "
                    + activation.map(a -> "activation " + a.number()).orElse("before the first activation") + "\n"
                    + Markup.cut(event.json(), 400);
        }
    }

    /**
     * The picture as a standalone SVG document (with an XML declaration).
     *
     * @throws IllegalArgumentException when a mark's line is outside the trace
     */
    public static String svg(Timeline timeline, List<TimelineMark> marks) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + TimelineSvg.render(timeline, resolve(timeline, marks));
    }

    /**
     * The picture of virtual times {@code [from, to]} only, as a standalone SVG document: for a
     * close look at part of a long run.
     *
     * @throws IllegalArgumentException when a mark's line is outside the trace
     */
    public static String svg(Timeline timeline, List<TimelineMark> marks, long from, long to) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + TimelineSvg.render(timeline, resolve(timeline, marks), from, to, "");
    }

    /**
     * The part of a run a second, zoomed picture shows on the page: the fault phase and a
     * quarter more, when the run lasted far longer than it (a run that never settles goes on
     * until the simulator's time limit, days later, and squeezes the faults into a sliver).
     */
    static Optional<long[]> zoom(Timeline timeline) {
        return timeline.recoveryAt().filter(t -> t > 0 && t * 3 < timeline.end())
                .map(t -> new long[] {0, t + t / 4});
    }

    /**
     * The page: header (profile, seed, extension, cloud, how the run ended), the marks, the
     * picture, a legend and a table of activations.
     *
     * @throws IllegalArgumentException when a mark's line is outside the trace
     */
    public static String html(Timeline timeline, List<TimelineMark> marks) {
        List<ResolvedMark> resolved = resolve(timeline, marks);
        return TimelinePage.render(timeline, resolved, TimelineSvg.render(timeline, resolved));
    }

    /**
     * Writes both files (creating their folders).
     *
     * @throws IllegalArgumentException when a mark's line is outside the trace
     * @throws UncheckedIOException when a file cannot be written
     */
    public static Written write(Timeline timeline, List<TimelineMark> marks, Path html, Path svg) {
        List<ResolvedMark> resolved = resolve(timeline, marks);
        String picture = TimelineSvg.render(timeline, resolved);
        byte[] page = TimelinePage.render(timeline, resolved, picture).getBytes(StandardCharsets.UTF_8);
        byte[] image = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + picture).getBytes(StandardCharsets.UTF_8);
        try {
            for (Path file : List.of(html, svg)) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            }
            Files.write(html, page);
            Files.write(svg, image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the timeline: " + e.getMessage(), e);
        }
        return new Written(html, svg, page.length, image.length);
    }

    private static List<ResolvedMark> resolve(Timeline timeline, List<TimelineMark> marks) {
        List<ResolvedMark> resolved = new ArrayList<>();
        for (TimelineMark mark : marks) {
            resolved.add(new ResolvedMark(mark, timeline.event(mark.line()), mark.line() == 1 ? Optional.empty()
                    : timeline.activationOf(mark.line())));
        }
        return resolved;
    }
}
