package org.upcert.conformance.timeline;

import static org.upcert.conformance.timeline.Markup.cut;
import static org.upcert.conformance.timeline.Markup.esc;
import static org.upcert.conformance.timeline.Markup.num;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;
import org.upcert.conformance.timeline.Timeline.Activation;
import org.upcert.conformance.timeline.Timeline.FaultWindow;
import org.upcert.conformance.timeline.Timeline.JobBucket;
import org.upcert.conformance.timeline.Timeline.JobCounts;
import org.upcert.conformance.timeline.Timeline.Point;
import org.upcert.harness.sim.VirtualClock;

/**
 * Draws a {@link Timeline} as one SVG: lanes stacked top to bottom over a shared time axis.
 *
 * <p>Sizes stay bounded whatever the run's length: anything that can happen thousands of times
 * (job counts, fault strikes, library churn, refusals) is aggregated per pixel column, so the
 * picture has at most a few elements per column; only activations, processes and fault windows
 * are drawn one element each (a run has hundreds of those, not thousands).
 */
final class TimelineSvg {
    static final int WIDTH = 1600;
    static final int LEFT = 176;
    static final int PLOT = 1400;
    /** The mark colour; nothing else in the picture uses it (the screenshot test looks for it). */
    static final String MARK = "#e00000";

    /** Colours of how an activation ended. */
    static final Map<String, String> ENDINGS = orderedMap(
            "PROCESSING", "#4c78a8", "COMPLETED", "#54a24b", "FAILURE", "#f58518", "killed", "#7b3294",
            "threw", "#8c564b", "unfinished", "#999999");
    /** Colours and names of the job buckets. */
    static final Map<JobBucket, String> BUCKET_COLOURS = new LinkedHashMap<>();
    static final Map<JobBucket, String> BUCKET_NAMES = new LinkedHashMap<>();
    /** Network and power conditions: kind → colour, label; drawn in this order (later on top). */
    static final Map<String, String[]> NETWORK = new LinkedHashMap<>();
    static final Map<String, String[]> POWER = new LinkedHashMap<>();

    static {
        bucket(JobBucket.REGISTERED, "#9ecae9", "registered");
        bucket(JobBucket.PENDING, "#3182bd", "pending (transfer)");
        bucket(JobBucket.SUCCEEDED, "#a1d99b", "succeeded, unacked");
        bucket(JobBucket.FAILED, "#fd8d3c", "failed, unacked");
        bucket(JobBucket.ACKNOWLEDGED, "#31a354", "acknowledged");
        bucket(JobBucket.ACKNOWLEDGED_FAILED, "#a63603", "acknowledged failed");
        bucket(JobBucket.CANCELLED, "#969696", "cancelled");
        NETWORK.put("network.expensive", new String[] {"#bcbddc", "expensive"});
        NETWORK.put("network.degraded", new String[] {"#fdd49e", "degraded"});
        NETWORK.put("network.offline", new String[] {"#636363", "offline"});
        POWER.put("device.unplugged", new String[] {"#c7e9c0", "on battery"});
        POWER.put("device.low-power", new String[] {"#fee391", "low power"});
        POWER.put("device.thermal", new String[] {"#fdae6b", "thermal"});
        POWER.put("device.battery", new String[] {"#238b45", "battery"});
    }

    private static final String[] MARKER_COLOURS = {"notice", "#f58518", "kill", "#7b3294", "launch-failed", "#7b3294",
        "penalty", "#c51b7d", "refused", "#c51b7d", "illegal", "#c51b7d", "rejected", "#c51b7d", "dropped", "#969696"};
    private static final Map<String, String> CHURN = orderedMap(
            "library.insert", "#31a354", "library.delete", "#7f2704", "library.offload", "#6baed6");
    private static final long[] STEPS = {1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
        1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000};

    private final Timeline tl;
    private final List<TimelineRenderer.ResolvedMark> marks;
    private final long from;
    private final long to;
    private final long span;
    /** Prefix of element ids, so that two pictures of one run can share a page. */
    private final String ids;
    private final StringBuilder out = new StringBuilder(64 * 1024);
    private int y;

    private TimelineSvg(Timeline timeline, List<TimelineRenderer.ResolvedMark> marks, long from, long to, String ids) {
        this.tl = timeline;
        this.marks = marks;
        this.from = Math.max(0, from);
        this.to = Math.max(to, this.from + 1000);
        this.span = this.to - this.from;
        this.ids = ids;
    }

    /** The whole run as an SVG element (no XML declaration), ready to inline in a page or to write to a file. */
    static String render(Timeline timeline, List<TimelineRenderer.ResolvedMark> marks) {
        return new TimelineSvg(timeline, marks, 0, timeline.end(), "").draw();
    }

    /**
     * The virtual times {@code [from, to]} only; element ids start with {@code ids} (unique per
     * picture on a page).
     */
    static String render(Timeline timeline, List<TimelineRenderer.ResolvedMark> marks, long from, long to, String ids) {
        return new TimelineSvg(timeline, marks, from, to, ids).draw();
    }

    private String draw() {
        if (ids.isEmpty()) {
            title();
            legend();
        } else {
            y = 0; // a second picture on a page: the first one has the title and the legend
        }
        String head = take();
        int axisTop = y;
        y += 32;
        int marksTop = y;
        y += 18 * marks.size() + 14; // a row per mark label, then one for the recovery label
        int lanesTop = y;
        activationLane();
        processLane();
        jobLanes();
        bands();
        faultRows();
        libraryLane();
        int lanesBottom = y - 6;
        String lanes = take();
        axis(axisTop, lanesBottom);
        String grid = take();
        overlays(marksTop, lanesTop, lanesBottom);
        String over = take();
        int height = lanesBottom + 34;

        StringBuilder svg = new StringBuilder(head.length() + lanes.length() + grid.length() + over.length() + 4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"upcert-timeline\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"11\" data-x0=\"")
                .append(LEFT).append("\" data-plot=\"").append(PLOT).append("\" data-from=\"").append(from).append("\" data-span=\"").append(span).append("\">\n");
        svg.append("<style>\n").append(STYLE).append("</style>\n");
        svg.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" fill=\"#ffffff\"/>\n");
        svg.append(head).append(lanes).append(grid).append(over);
        // The page's script moves this cursor with the mouse; a standalone SVG leaves it hidden.
        svg.append("<g id=\"").append(ids).append("cursor\" class=\"cursor\" visibility=\"hidden\"><line class=\"cursor\" x1=\"0\" x2=\"0\" y1=\"").append(lanesTop)
                .append("\" y2=\"").append(lanesBottom).append("\"/><text class=\"cursor\" x=\"0\" y=\"")
                .append(lanesTop - 3).append("\"></text></g>\n");
        svg.append("</svg>\n");
        return svg.toString();
    }

    private String take() {
        String text = out.toString();
        out.setLength(0);
        return text;
    }

    private static final String STYLE = """
            .lane-bg{fill:#f7f7f7}
            .lane-label{font-size:12px;fill:#333}
            .small{font-size:10px;fill:#555}
            .halo{paint-order:stroke;stroke:#ffffff;stroke-width:3px;stroke-linejoin:round}
            .none{font-size:10px;fill:#999;font-style:italic}
            .title{font-size:15px;font-weight:bold;fill:#111}
            .grid{stroke:#e3e3e3;stroke-width:1}
            .tick{fill:#444;font-size:11px}
            .clock{fill:#888;font-size:10px}
            .act{stroke:#ffffff;stroke-width:0.5}
            .act.hl{stroke:#000000;stroke-width:2}
            .mark-act{fill:none;stroke:#e00000;stroke-width:2.5}
            .mark-line{stroke:#e00000;stroke-width:2}
            .mark-label{fill:#e00000;font-size:12px;font-weight:bold}
            .recovery{stroke:#333333;stroke-width:1.2;stroke-dasharray:5 3}
            .limit{stroke:#555555;stroke-width:1;stroke-dasharray:3 3;fill:none}
            .fire{stroke:#222222;stroke-width:1}
            .cursor{stroke:#000000;stroke-width:0.8;fill:#000000;font-size:11px}
            """;

    // --- header ---------------------------------------------------------------------------------

    private void title() {
        text(8, 18, "title", "upcert timeline · profile " + tl.profile() + " · seed " + tl.seed() + " · "
                + cut(tl.extension(), 70) + " · cloud " + tl.cloud());
        boolean whole = from == 0 && to >= tl.end();
        text(8, 34, "small", tl.endSummary() + " · simulated " + VirtualClock.format(tl.end())
                + (whole ? "" : " · showing " + VirtualClock.format(from) + " to " + VirtualClock.format(to))
                + " · virtual time 0 = 2026-01-05T08:00Z");
        y = 42;
    }

    private void legend() {
        double x = 8;
        text(x, y + 11, "small", "activations:");
        x += 70;
        for (Map.Entry<String, String> e : ENDINGS.entrySet()) {
            x = swatch(x, e.getValue(), e.getKey().equals(e.getKey().toUpperCase(Locale.ROOT)) ? "returned " + e.getKey()
                    : e.getKey());
        }
        x += 12;
        x = triangleSwatch(x, "#f58518", "termination notice");
        x = triangleSwatch(x, "#7b3294", "kill");
        x = triangleSwatch(x, "#c51b7d", "refused / penalty");
        x += 12;
        out.append("<line x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"").append(y + 2)
                .append("\" y2=\"").append(y + 14).append("\" class=\"mark-line\"/>");
        text(x + 5, y + 11, "small", "marked event");
        y += 16;
        x = 8;
        text(x, y + 11, "small", "jobs:");
        x += 70;
        for (Map.Entry<JobBucket, String> e : BUCKET_COLOURS.entrySet()) {
            x = swatch(x, e.getValue(), BUCKET_NAMES.get(e.getKey()));
        }
        x += 12;
        for (Map.Entry<String, String> e : CHURN.entrySet()) {
            x = swatch(x, e.getValue(), e.getKey().substring("library.".length()));
        }
        y += 18;
    }

    private double swatch(double x, String colour, String label) {
        out.append("<rect x=\"").append(num(x)).append("\" y=\"").append(y + 3).append("\" width=\"10\" height=\"10\" fill=\"")
                .append(colour).append("\"/>");
        text(x + 13, y + 12, "small", label);
        return x + 13 + 5.6 * label.length() + 12;
    }

    private double triangleSwatch(double x, String colour, String label) {
        triangle(x + 5, y + 3, colour, null);
        text(x + 13, y + 12, "small", label);
        return x + 13 + 5.6 * label.length() + 12;
    }

    // --- axis, grid, overlays ----------------------------------------------------------------

    private void axis(int top, int lanesBottom) {
        long step = STEPS[STEPS.length - 1];
        for (long candidate : STEPS) {
            if (span / candidate <= 12) {
                step = candidate;
                break;
            }
        }
        for (long t = (from + step - 1) / step * step; t <= to; t += step) {
            double x = x(t);
            out.append("<line class=\"grid\" x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"")
                    .append(top + 26).append("\" y2=\"").append(lanesBottom + 4).append("\"/>\n");
            String anchor = x < LEFT + 20 ? "start" : x > LEFT + PLOT - 30 ? "end" : "middle";
            textAnchored(x, top + 12, "tick", anchor, duration(t));
            textAnchored(x, top + 24, "clock", anchor, clock(t, step));
            textAnchored(x, lanesBottom + 16, "tick", anchor, duration(t));
            textAnchored(x, lanesBottom + 28, "clock", anchor, clock(t, step));
        }
        text(8, top + 12, "small", "virtual time");
        text(8, top + 24, "small", "clock (UTC)");
    }

    private void overlays(int marksTop, int lanesTop, int lanesBottom) {
        tl.recoveryAt().filter(t -> t >= from && t <= to).ifPresent(t -> {
            double x = x(t);
            out.append("<line class=\"recovery\" x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"")
                    .append(lanesTop - 14).append("\" y2=\"").append(lanesBottom).append("\"><title>")
                    .append(esc("phase.recovery at " + VirtualClock.format(t) + ": every fault off from here"))
                    .append("</title></line>\n");
            text(x + 3, lanesTop - 4, "small", "recovery phase →");
        });
        int row = 0;
        for (TimelineRenderer.ResolvedMark mark : marks) {
            if (mark.event().t() < from || mark.event().t() > to) {
                row++;
                continue;
            }
            double x = x(mark.event().t());
            int labelY = marksTop + 13 + 18 * row;
            String id = ids + "mark-" + (row + 1);
            out.append("<g id=\"").append(id).append("\" class=\"mark\"><title>").append(esc(mark.describe())).append("</title>");
            out.append("<line class=\"mark-line\" x1=\"").append(num(x)).append("\" x2=\"").append(num(x)).append("\" y1=\"")
                    .append(labelY + 3).append("\" y2=\"").append(lanesBottom).append("\"/>");
            mark.activation().filter(this::visible).ifPresent(a -> {
                double[] bar = bar(a);
                out.append("<rect class=\"mark-act\" x=\"").append(num(bar[0] - 3)).append("\" y=\"").append(num(bar[1] - 3))
                        .append("\" width=\"").append(num(bar[2] + 6)).append("\" height=\"").append(num(bar[3] + 6))
                        .append("\"/>");
            });
            // The ▼ sits on the line; the text runs away from the nearer edge.
            String label = cut(mark.mark().label(), 110) + " (line " + mark.mark().line() + ", "
                    + VirtualClock.format(mark.event().t()) + ")";
            boolean right = x > LEFT + PLOT * 0.6;
            textAnchored(right ? x + 5 : x - 5, labelY, "mark-label halo", right ? "end" : "start",
                    right ? label + " ▼" : "▼ " + label);
            out.append("</g>\n");
            row++;
        }
    }

    // --- lanes -----------------------------------------------------------------------------------

    private int laneY;
    private int activationTop;

    private void lane(String label, int height, String hint) {
        laneY = y;
        out.append("<rect class=\"lane-bg\" x=\"").append(LEFT).append("\" y=\"").append(y).append("\" width=\"").append(PLOT)
                .append("\" height=\"").append(height).append("\"/>");
        out.append("<text class=\"lane-label\" x=\"8\" y=\"").append(y + Math.min(height / 2 + 4, 14)).append("\">")
                .append(esc(label)).append("<title>").append(esc(hint)).append("</title></text>\n");
        y += height + 6;
    }

    private void activationLane() {
        activationTop = y;
        lane("activations (" + tl.activations().size() + ")", 40,
                "processJobs calls, call.start to call.end, coloured by how they ended; odd and even activations alternate rows");
        for (Activation a : tl.activations()) {
            if (!visible(a)) {
                continue;
            }
            double[] bar = bar(a);
            out.append("<rect id=\"").append(ids).append("act-").append(a.number()).append("\" class=\"act\" data-act=\"")
                    .append(a.number()).append("\" x=\"").append(num(bar[0])).append("\" y=\"")
                    .append(num(bar[1])).append("\" width=\"").append(num(bar[2])).append("\" height=\"").append(num(bar[3]))
                    .append("\" fill=\"").append(ENDINGS.getOrDefault(a.ending(), "#999999")).append("\" data-ending=\"")
                    .append(esc(a.ending())).append("\"><title>").append(esc(describe(a))).append("</title></rect>\n");
        }
    }

    /** x, y, width, height of an activation's bar. */
    private double[] bar(Activation a) {
        int top = activationTop + (a.number() % 2 == 1 ? 4 : 22);
        double x = x(a.start());
        return new double[] {x, top, Math.max(2, x(a.end()) - x), 14};
    }

    static String describe(Activation a) {
        String how = switch (a.ending()) {
            case "killed" -> "killed: " + a.detail();
            case "threw" -> "threw " + a.detail();
            case "unfinished" -> a.detail();
            default -> "returned " + a.ending();
        };
        return "activation " + a.number() + " · " + a.reason() + " · process gen " + a.generation() + "\n"
                + VirtualClock.format(a.start()) + " → " + VirtualClock.format(a.end()) + " (" + (a.end() - a.start()) + " ms), "
                + a.calls() + " API calls, " + a.changes() + " changes\n" + how + "\nunacked " + a.unacked() + ", presented "
                + a.presented() + " at start · trace lines " + a.startLine() + "–" + a.endLine();
    }

    private void processLane() {
        lane("processes (" + tl.processes().size() + ")", 28,
                "extension processes (generations) from launch to exit; ▼ termination notices, kills and refusals");
        int top = laneY;
        for (Timeline.ProcessLife p : tl.processes()) {
            if (!visible(p.start(), p.end())) {
                continue;
            }
            double x = x(p.start());
            double w = Math.max(1.5, x(p.end()) - x);
            out.append("<rect x=\"").append(num(x)).append("\" y=\"").append(top + 15).append("\" width=\"").append(num(w))
                    .append("\" height=\"9\" fill=\"").append(p.generation() % 2 == 0 ? "#bdbdbd" : "#d9d9d9")
                    .append("\"><title>").append(esc("process gen " + p.generation() + " · launched "
                            + VirtualClock.format(p.start()) + " · ended " + VirtualClock.format(p.end()) + " (" + p.exitReason()
                            + ") · trace line " + p.line())).append("</title></rect>");
            if (w > 30) {
                text(x + 3, top + 23, "small", "gen " + p.generation());
            }
        }
        out.append('\n');
        Map<String, Group> groups = new LinkedHashMap<>();
        for (Timeline.Marker m : tl.markers()) {
            if (!visible(m.t(), m.t())) {
                continue;
            }
            group(groups, m.kind(), m.t(), m.line(), m.kind() + ": " + m.detail());
        }
        for (Group g : groups.values()) {
            triangle(g.x, top + 3, markerColour(g.kind), g.describe(g.kind));
        }
        out.append('\n');
    }

    private void jobLanes() {
        List<JobCounts> snapshots = tl.jobCounts();
        JobCounts[] outstanding = columns(snapshots, JobCounts::outstanding);
        int peak = 0;
        for (JobCounts c : snapshots) {
            peak = Math.max(peak, c.outstanding());
        }
        int limit = tl.jobLimit();
        int scale = Math.max(1, Math.max(peak, limit));
        lane("jobs outstanding", 100, "jobs not yet acknowledged or cancelled, stacked by state (peak per pixel column); "
                + "dashed: jobLimit");
        stack(outstanding, List.of(JobBucket.REGISTERED, JobBucket.PENDING, JobBucket.SUCCEEDED, JobBucket.FAILED), scale, 100,
                snapshots);
        text(LEFT - 4 - 6 * String.valueOf(scale).length(), laneY + 10, "small", String.valueOf(scale));
        text(LEFT - 10, laneY + 100, "small", "0");
        if (limit > 0) {
            double ly = laneY + 100 - 100.0 * limit / scale;
            out.append("<line class=\"limit\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + PLOT).append("\" y1=\"")
                    .append(num(ly)).append("\" y2=\"").append(num(ly)).append("\"><title>jobLimit ").append(limit)
                    .append("</title></line>");
            textAnchored(LEFT + PLOT - 4, ly - 3, "small halo", "end", "jobLimit " + limit + " · peak " + peak);
        }
        out.append('\n');

        JobCounts[] done = columns(snapshots, JobCounts::done);
        JobCounts last = snapshots.get(snapshots.size() - 1);
        int doneScale = Math.max(1, last.done());
        for (JobCounts c : snapshots) {
            doneScale = Math.max(doneScale, c.done());
        }
        lane("jobs done", 60, "jobs acknowledged (after success or failure) or cancelled, cumulative");
        stack(done, List.of(JobBucket.ACKNOWLEDGED, JobBucket.ACKNOWLEDGED_FAILED, JobBucket.CANCELLED), doneScale, 60,
                snapshots);
        text(LEFT - 4 - 6 * String.valueOf(doneScale).length(), laneY + 10, "small", String.valueOf(doneScale));
        text(LEFT - 10, laneY + 60, "small", "0");
        textAnchored(LEFT + PLOT - 4, laneY + 12, "small halo", "end", "at the end: " + last.acknowledged() + " acknowledged, "
                + last.acknowledgedFailed() + " acknowledged failed, " + last.cancelled() + " cancelled, "
                + last.outstanding() + " outstanding");
        out.append('\n');
    }

    /**
     * The job counts to draw in each pixel column: the snapshot with the highest {@code total}
     * among the one carried into the column and those inside it, so short peaks stay visible.
     */
    private JobCounts[] columns(List<JobCounts> snapshots, ToIntFunction<JobCounts> total) {
        JobCounts[] columns = new JobCounts[PLOT];
        JobCounts carried = snapshots.get(0);
        int next = 0;
        while (next < snapshots.size() && snapshots.get(next).t() < from) {
            carried = snapshots.get(next++); // the state the window starts in
        }
        for (int c = 0; c < PLOT; c++) {
            long columnEnd = c == PLOT - 1 ? to + 1 : from + (long) ((c + 1) * (double) span / PLOT);
            JobCounts best = carried;
            while (next < snapshots.size() && snapshots.get(next).t() < columnEnd) {
                carried = snapshots.get(next++);
                if (total.applyAsInt(carried) > total.applyAsInt(best)) {
                    best = carried;
                }
            }
            columns[c] = best;
        }
        return columns;
    }

    /** Stacked step areas: painted from the whole stack down, each area covering the ones above it. */
    private void stack(JobCounts[] columns, List<JobBucket> order, int scale, int height, List<JobCounts> snapshots) {
        int base = laneY + height;
        for (int top = order.size() - 1; top >= 0; top--) {
            List<JobBucket> below = order.subList(0, top + 1);
            JobBucket bucket = order.get(top);
            int peak = 0;
            for (JobCounts s : snapshots) {
                peak = Math.max(peak, s.count(bucket));
            }
            StringBuilder d = new StringBuilder("M").append(LEFT).append(' ').append(base);
            String lastY = null;
            for (int c = 0; c < columns.length; c++) {
                int sum = 0;
                for (JobBucket b : below) {
                    sum += columns[c].count(b);
                }
                String yy = num(base - (double) height * sum / scale);
                if (!yy.equals(lastY)) {
                    d.append('H').append(LEFT + c).append('V').append(yy);
                    lastY = yy;
                }
            }
            d.append('H').append(LEFT + PLOT).append('V').append(base).append('Z');
            out.append("<path d=\"").append(d).append("\" fill=\"").append(BUCKET_COLOURS.get(bucket)).append("\"><title>")
                    .append(esc(BUCKET_NAMES.get(bucket) + ": peak " + peak)).append("</title></path>\n");
        }
    }

    private void bands() {
        band("network", NETWORK, "network conditions from fault windows: offline, degraded (latency, bandwidth), expensive");
        band("power", POWER, "power conditions from fault windows: on battery, low power mode, thermal pressure; "
                + "◆ battery level set");
    }

    private void band(String label, Map<String, String[]> kinds, String hint) {
        lane(label, 16, hint);
        if (tl.faults().stream().noneMatch(f -> kinds.containsKey(f.kind()))) {
            text(LEFT + 4, laneY + 12, "none", "no " + label + " faults in this run");
        }
        for (String kind : kinds.keySet()) {
            for (FaultWindow f : tl.faults()) {
                if (f.kind().equals(kind)) {
                    window(f, laneY, 16, kinds.get(kind)[0], kinds.get(kind)[1]);
                }
            }
        }
        fires(kinds.keySet(), laneY, 16);
        out.append('\n');
    }

    private void faultRows() {
        List<String> kinds = new ArrayList<>();
        for (FaultWindow f : tl.faults()) {
            if (!NETWORK.containsKey(f.kind()) && !POWER.containsKey(f.kind()) && !f.kind().startsWith("library.")
                    && !kinds.contains(f.kind())) {
                kinds.add(f.kind());
            }
        }
        for (Point p : tl.fires()) {
            if (!NETWORK.containsKey(p.kind()) && !POWER.containsKey(p.kind()) && !kinds.contains(p.kind())) {
                kinds.add(p.kind());
            }
        }
        if (kinds.isEmpty()) {
            lane("faults", 14, "no other fault windows in this run");
            text(LEFT + 4, laneY + 11, "none", "no cloud, drop, response-lost or consent faults in this run");
            return;
        }
        for (String kind : kinds) {
            lane(kind, 14, "fault windows of " + kind + "; ticks: the requests it struck (fault.fire)");
            for (FaultWindow f : tl.faults()) {
                if (f.kind().equals(kind)) {
                    window(f, laneY, 14, faultColour(kind), "");
                }
            }
            fires(Set.of(kind), laneY, 14);
            out.append('\n');
        }
    }

    private void libraryLane() {
        lane("library", 18, "library churn (ticks: insert, delete, offload); ◆ library faults (add, delete, offload, "
                + "token expiry)");
        for (FaultWindow f : tl.faults()) {
            if (f.kind().startsWith("library.") && visible(f.from(), f.until())) {
                diamond(x(f.from()), laneY + 9, "#333333", "fault " + f.fault() + " · " + f.kind() + " at "
                        + VirtualClock.format(f.from()) + (f.parameters().isEmpty() ? "" : " · " + f.parameters())
                        + " · trace line " + f.line());
            }
        }
        Map<String, Group> groups = new LinkedHashMap<>();
        for (Point p : tl.libraryChurn()) {
            if (!visible(p.t(), p.t())) {
                continue;
            }
            group(groups, p.kind(), p.t(), p.line(), p.detail());
        }
        for (Group g : groups.values()) {
            out.append("<rect x=\"").append(num(g.x - 0.75)).append("\" y=\"").append(laneY + 2).append("\" width=\"1.5\" height=\"14\" fill=\"")
                    .append(CHURN.getOrDefault(g.kind, "#333333")).append("\"><title>").append(esc(g.describe(g.kind)))
                    .append("</title></rect>");
        }
        out.append('\n');
    }

    // --- pieces ----------------------------------------------------------------------------------

    private void window(FaultWindow f, int top, int height, String colour, String label) {
        if (!visible(f.from(), f.until())) {
            return;
        }
        String title = "fault " + f.fault() + " · " + f.kind() + (f.parameters().isEmpty() ? "" : " · " + f.parameters())
                + "\n" + VirtualClock.format(f.from()) + (f.instant() ? "" : " → " + VirtualClock.format(f.until()))
                + " · trace line " + f.line();
        if (f.instant()) {
            String percent = f.parameters().replaceAll(".*percent=(\\d+).*", "$1");
            diamond(x(f.from()), top + height / 2.0, colour, title);
            if (f.kind().equals("device.battery") && !percent.equals(f.parameters())) {
                text(x(f.from()) + 6, top + height - 3, "small", percent + "%");
            }
            return;
        }
        double x = x(f.from());
        double w = Math.max(1, x(f.until()) - x);
        out.append("<rect class=\"fault\" x=\"").append(num(x)).append("\" y=\"").append(top).append("\" width=\"").append(num(w))
                .append("\" height=\"").append(height).append("\" fill=\"").append(colour).append("\" data-kind=\"")
                .append(esc(f.kind())).append("\"><title>").append(esc(title)).append("</title></rect>");
        if (!label.isEmpty() && w > 6 * label.length() + 6) {
            boolean dark = colour.equals("#636363");
            out.append("<text x=\"").append(num(x + 3)).append("\" y=\"").append(top + height - 4).append("\" font-size=\"10\" fill=\"")
                    .append(dark ? "#ffffff" : "#333333").append("\">").append(esc(label)).append("</text>");
        }
    }

    /** Strikes of these kinds as ticks at the bottom of the row, one path for the row. */
    private void fires(Set<String> kinds, int top, int height) {
        StringBuilder d = new StringBuilder();
        int count = 0;
        String lastX = null;
        for (Point p : tl.fires()) {
            if (!kinds.contains(p.kind()) || !visible(p.t(), p.t())) {
                continue;
            }
            count++;
            String x = num(Math.round(x(p.t()) * 2) / 2.0);
            if (!x.equals(lastX)) {
                d.append('M').append(x).append(' ').append(top + height - 5).append("v5");
                lastX = x;
            }
        }
        if (count > 0) {
            out.append("<path class=\"fire\" d=\"").append(d).append("\"><title>").append(count).append(" requests struck (fault.fire) by ")
                    .append(esc(String.join(", ", new java.util.TreeSet<>(kinds)))).append("</title></path>");
        }
    }

    private void triangle(double x, double top, String colour, String title) {
        out.append("<path d=\"M").append(num(x - 4.5)).append(' ').append(num(top)).append("h9l-4.5 9z\" fill=\"").append(colour)
                .append('"');
        if (title == null) {
            out.append("/>");
        } else {
            out.append("><title>").append(esc(title)).append("</title></path>");
        }
    }

    private void diamond(double x, double cy, String colour, String title) {
        out.append("<path d=\"M").append(num(x)).append(' ').append(num(cy - 5)).append("l4 5l-4 5l-4 -5z\" fill=\"").append(colour)
                .append("\"><title>").append(esc(title)).append("</title></path>");
    }

    private void text(double x, double yy, String cls, String content) {
        textAnchored(x, yy, cls, "start", content);
    }

    private void textAnchored(double x, double yy, String cls, String anchor, String content) {
        out.append("<text class=\"").append(cls).append("\" x=\"").append(num(x)).append("\" y=\"").append(num(yy)).append('"');
        if (!anchor.equals("start")) {
            out.append(" text-anchor=\"").append(anchor).append('"');
        }
        out.append('>').append(esc(content)).append("</text>");
    }

    private double x(long t) {
        return LEFT + PLOT * (double) (Math.min(Math.max(t, from), to) - from) / span;
    }

    private boolean visible(long start, long end) {
        return end >= from && start <= to;
    }

    private boolean visible(Activation a) {
        return visible(a.start(), a.end());
    }

    /** Occurrences aggregated by kind and pixel column. */
    private final class Group {
        final String kind;
        final double x;
        int count;
        long firstT;
        int firstLine;
        String firstDetail;

        Group(String kind, double x) {
            this.kind = kind;
            this.x = x;
        }

        String describe(String what) {
            return (count == 1 ? "" : count + "× ") + what + " at " + VirtualClock.format(firstT)
                    + (count == 1 ? "" : " (first of them)") + "\n" + firstDetail + "\ntrace line " + firstLine;
        }
    }

    private void group(Map<String, Group> groups, String kind, long t, int line, String detail) {
        double x = Math.round(x(t));
        Group g = groups.computeIfAbsent(kind + "@" + num(x), key -> new Group(kind, x));
        if (g.count++ == 0) {
            g.firstT = t;
            g.firstLine = line;
            g.firstDetail = detail;
        }
    }

    private static String markerColour(String kind) {
        for (int i = 0; i < MARKER_COLOURS.length; i += 2) {
            if (MARKER_COLOURS[i].equals(kind)) {
                return MARKER_COLOURS[i + 1];
            }
        }
        return "#c51b7d";
    }

    private static String faultColour(String kind) {
        if (kind.startsWith("cloud.")) {
            return "#c6dbef";
        }
        if (kind.startsWith("consent.")) {
            return "#fcbba1";
        }
        return "#d9d9d9";
    }

    /** {@code 0}, {@code 45s}, {@code 30m}, {@code 2h}, {@code 1h30m}, {@code 1d2h}. */
    static String duration(long t) {
        long s = t / 1000;
        long d = s / 86_400;
        long h = s / 3600 % 24;
        long m = s / 60 % 60;
        long sec = s % 60;
        if (s == 0) {
            return "0";
        }
        StringBuilder b = new StringBuilder();
        if (d > 0) {
            b.append(d).append('d');
        }
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (sec > 0) {
            b.append(sec).append('s');
        }
        return b.toString();
    }

    /** The wall-clock time of virtual time {@code t}: {@code 09:30Z}, {@code 01-06 09:30Z} on a later day. */
    static String clock(long t, long step) {
        ZonedDateTime at = VirtualClock.instantAt(t).atZone(ZoneOffset.UTC);
        ZonedDateTime start = VirtualClock.EPOCH.atZone(ZoneOffset.UTC);
        String time = step < 60_000 ? String.format(Locale.ROOT, "%02d:%02d:%02dZ", at.getHour(), at.getMinute(), at.getSecond())
                : String.format(Locale.ROOT, "%02d:%02dZ", at.getHour(), at.getMinute());
        return at.toLocalDate().equals(start.toLocalDate()) ? time
                : String.format(Locale.ROOT, "%02d-%02d ", at.getMonthValue(), at.getDayOfMonth()) + time;
    }

    private static void bucket(JobBucket bucket, String colour, String name) {
        BUCKET_COLOURS.put(bucket, colour);
        BUCKET_NAMES.put(bucket, name);
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
