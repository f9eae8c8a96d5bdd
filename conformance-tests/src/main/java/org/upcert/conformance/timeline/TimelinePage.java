package org.upcert.conformance.timeline;

import static org.upcert.conformance.timeline.Markup.cut;
import static org.upcert.conformance.timeline.Markup.esc;

import java.util.List;
import java.util.Map;
import org.upcert.conformance.timeline.Timeline.Activation;
import org.upcert.harness.sim.VirtualClock;

/**
 * The HTML page around the picture. It is also well-formed XML (no named entities, script and
 * style in CDATA sections), so tests can parse it with the JDK's XML parser; a browser reads
 * it as HTML5 and needs nothing beyond the file.
 */
final class TimelinePage {
    private TimelinePage() {
    }

    static String render(Timeline tl, List<TimelineRenderer.ResolvedMark> marks, String svg) {
        StringBuilder out = new StringBuilder(svg.length() + 64 * 1024);
        String title = "upcert timeline · " + tl.profile() + " · seed " + tl.seed();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>").append(esc(title))
                .append("</title>\n<style>/*<![CDATA[*/\n").append(CSS).append("/*]]>*/</style>\n</head>\n<body>\n");

        out.append("<header>\n<h1>").append(esc(title)).append("</h1>\n<p class=\"meta\">extension <b>")
                .append(esc(tl.extension())).append("</b> (sha256 ")
                .append(esc(cut(tl.header().path("extension").path("sha256").asText(), 13))).append(") · cloud <b>")
                .append(esc(tl.cloud())).append("</b> · jobLimit ").append(tl.jobLimit()).append(" · ")
                .append(tl.header().path("library").path("assets").asLong()).append(" assets, ")
                .append(tl.header().path("library").path("resources").asLong()).append(" resources · harness ")
                .append(esc(tl.header().path("harness").asText())).append(" · ").append(tl.lineCount())
                .append(" trace lines</p>\n<p class=\"end\">run end: <b>").append(esc(tl.endSummary())).append("</b> · simulated ")
                .append(esc(VirtualClock.format(tl.end()))).append("</p>\n</header>\n");

        if (!marks.isEmpty()) {
            out.append("<section class=\"marks\">\n");
            for (TimelineRenderer.ResolvedMark m : marks) {
                out.append("<p><span class=\"flag\">▼ ").append(esc(m.mark().label())).append("</span> — trace line ")
                        .append(m.event().line()).append(", ").append(esc(m.event().name())).append(" at ")
                        .append(esc(VirtualClock.format(m.event().t()))).append(", ")
                        .append(esc(m.activation().map(a -> "activation " + a.number() + " (" + a.reason() + ", "
                                + ending(a) + ")").orElse("before the first activation")))
                        .append("<br/><code>").append(esc(cut(m.event().json(), 600))).append("</code></p>\n");
            }
            out.append("</section>\n");
        }

        out.append("<figure>\n").append(svg).append("</figure>\n");
        TimelineRenderer.zoom(tl).ifPresent(window -> out.append("<h2>The fault phase, zoomed: ")
                .append(esc(VirtualClock.format(window[0]))).append(" to ").append(esc(VirtualClock.format(window[1])))
                .append("</h2>\n<figure>\n").append(TimelineSvg.render(tl, marks, window[0], window[1], "zoom-"))
                .append("</figure>\n"));
        legend(out);
        activations(out, tl, marks);
        out.append("<script>//<![CDATA[\n").append(SCRIPT).append("//]]></script>\n</body>\n</html>\n");
        return out.toString();
    }

    private static void legend(StringBuilder out) {
        out.append("<section class=\"legend\">\n<h2>Reading the picture</h2>\n<dl>\n");
        lane(out, "time", "virtual time since the extension was enabled (top and bottom); below it the clock, virtual 0 = "
                + "2026-01-05T08:00Z. Hover anything for its details and trace line; the cursor shows the time.");
        StringBuilder endings = new StringBuilder();
        for (Map.Entry<String, String> e : TimelineSvg.ENDINGS.entrySet()) {
            swatch(endings, e.getValue(), e.getKey());
        }
        lane(out, "activations", "one bar per processJobs call, call.start to call.end (at least 2 px wide), odd and even "
                + "activations on alternate rows, coloured by how it ended: " + endings);
        lane(out, "processes", "extension processes (generations) from launch to exit; ▼ above them: termination notices "
                + "(orange), kills (purple), refused calls, illegal or rejected changes and 50008 penalties (magenta)");
        StringBuilder buckets = new StringBuilder();
        for (Map.Entry<Timeline.JobBucket, String> e : TimelineSvg.BUCKET_COLOURS.entrySet()) {
            swatch(buckets, e.getValue(), TimelineSvg.BUCKET_NAMES.get(e.getKey()));
        }
        lane(out, "jobs outstanding / done", "job counts by state, rebuilt from job.create, job.pending, job.succeeded, "
                + "job.failed, job.retry, job.ack and job.cancel, stacked; outstanding jobs count against jobLimit "
                + "(dashed); each pixel column shows its peak, so short spikes stay visible: " + buckets);
        StringBuilder conditions = new StringBuilder();
        for (Map<String, String[]> band : List.of(TimelineSvg.NETWORK, TimelineSvg.POWER)) {
            for (String[] look : band.values()) {
                swatch(conditions, look[0], look[1]);
            }
        }
        lane(out, "network / power", "conditions from the fault windows: " + conditions
                + " ◆ a battery level set; ticks at the bottom: requests a fault struck (fault.fire)");
        lane(out, "other fault rows", "one row per other fault kind in the run (cloud errors, drops, lost responses, "
                + "consent): shaded windows from fault.start to fault.end (or to the recovery phase), ticks for fault.fire");
        lane(out, "library", "library churn: insert (green), delete (brown), offload (blue) ticks; ◆ library faults");
        lane(out, "overlays", "dashed black line: phase.recovery, every fault off from there; red line: a marked event, "
                + "with its activation outlined in red");
        out.append("</dl>\n</section>\n");
    }

    private static void lane(StringBuilder out, String name, String what) {
        out.append("<dt>").append(esc(name)).append("</dt><dd>").append(what).append("</dd>\n");
    }

    /** A colour swatch and its name; the result is markup, appended to text that is markup too. */
    private static void swatch(StringBuilder out, String colour, String label) {
        out.append("<span class=\"sw\" style=\"background:").append(colour).append("\"></span>").append(esc(label)).append(' ');
    }

    private static void activations(StringBuilder out, Timeline tl, List<TimelineRenderer.ResolvedMark> marks) {
        out.append("<section>\n<h2>Activations (").append(tl.activations().size()).append(")</h2>\n<table>\n<thead><tr>"
                + "<th>#</th><th>start</th><th>ms</th><th>reason</th><th>gen</th><th>ended</th><th>API calls</th>"
                + "<th>changes</th><th>unacked</th><th>presented</th><th>trace lines</th></tr></thead>\n<tbody>\n");
        for (Activation a : tl.activations()) {
            boolean marked = marks.stream().anyMatch(m -> m.activation().map(x -> x.number() == a.number()).orElse(false));
            out.append("<tr id=\"row-").append(a.number()).append("\" data-act=\"").append(a.number()).append('"')
                    .append(marked ? " class=\"marked\"" : "").append("><td>").append(a.number()).append("</td><td>")
                    .append(esc(VirtualClock.format(a.start()))).append("</td><td>").append(a.end() - a.start()).append("</td><td>")
                    .append(esc(a.reason())).append("</td><td>").append(a.generation()).append("</td><td><span class=\"sw\" style=\"background:")
                    .append(TimelineSvg.ENDINGS.getOrDefault(a.ending(), "#999999")).append("\"></span>").append(esc(ending(a)))
                    .append("</td><td>").append(a.calls()).append("</td><td>").append(a.changes()).append("</td><td>")
                    .append(a.unacked()).append("</td><td>").append(a.presented()).append("</td><td>").append(a.startLine())
                    .append("–").append(a.endLine()).append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private static String ending(Activation a) {
        return switch (a.ending()) {
            case "killed" -> "killed: " + a.detail();
            case "threw" -> "threw " + cut(a.detail(), 80);
            case "unfinished" -> "unfinished";
            default -> a.ending();
        };
    }

    private static final String CSS = """
            body{margin:8px 12px;font:13px/1.4 "DejaVu Sans",Helvetica,Arial,sans-serif;color:#222;background:#fff}
            h1{font-size:18px;margin:0 0 2px}
            h2{font-size:15px;margin:16px 0 6px}
            header p{margin:1px 0;color:#444}
            .marks{border-left:4px solid #e00000;background:#fff5f5;padding:2px 10px;margin:6px 0}
            .marks p{margin:4px 0}
            .flag{color:#e00000;font-weight:bold}
            code{font:11px "DejaVu Sans Mono",monospace;color:#555;word-break:break-all}
            figure{margin:4px 0}
            figure svg{max-width:100%;height:auto;display:block}
            .sw{display:inline-block;width:10px;height:10px;margin:0 3px 0 6px;vertical-align:-1px}
            dl{display:grid;grid-template-columns:170px 1fr;gap:3px 10px;margin:0}
            dt{font-weight:bold}
            dd{margin:0}
            table{border-collapse:collapse;font-size:12px}
            th,td{border-bottom:1px solid #e5e5e5;padding:2px 8px;text-align:right}
            th{background:#f3f3f3;position:sticky;top:0}
            td:nth-child(4),td:nth-child(6){text-align:left}
            tr:hover td{background:#eef4fb}
            tr.marked td{background:#ffe5e5}
            tr.flash td{background:#fff3b0}
            """;

    private static final String SCRIPT = """
            (function () {
              var epoch = Date.UTC(2026, 0, 5, 8, 0, 0);
              function two(n) { return (n < 10 ? '0' : '') + n; }
              function fmt(ms) {
                var s = Math.floor(ms / 1000), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
                var clock = new Date(epoch + ms).toISOString().substring(11, 19) + 'Z';
                return (h > 0 ? h + 'h' : '') + two(m) + 'm' + two(s % 60) + 's  (' + clock + ')';
              }
              document.querySelectorAll('svg.upcert-timeline').forEach(function (svg) {
              var x0 = +svg.getAttribute('data-x0'), plot = +svg.getAttribute('data-plot');
              var from = +svg.getAttribute('data-from'), span = +svg.getAttribute('data-span');
              var cursor = svg.querySelector('g.cursor'), line = cursor.querySelector('line'), label = cursor.querySelector('text');
              svg.addEventListener('mousemove', function (e) {
                var p = svg.createSVGPoint();
                p.x = e.clientX; p.y = e.clientY;
                var q = p.matrixTransform(svg.getScreenCTM().inverse());
                if (q.x < x0 || q.x > x0 + plot) { cursor.setAttribute('visibility', 'hidden'); return; }
                var x = q.x.toFixed(1);
                line.setAttribute('x1', x); line.setAttribute('x2', x);
                label.setAttribute('x', q.x > x0 + plot - 160 ? q.x - 4 : q.x + 4);
                label.setAttribute('text-anchor', q.x > x0 + plot - 160 ? 'end' : 'start');
                label.textContent = fmt(from + (q.x - x0) / plot * span);
                cursor.setAttribute('visibility', 'visible');
              });
              svg.addEventListener('mouseleave', function () { cursor.setAttribute('visibility', 'hidden'); });
              });
              document.querySelectorAll('tr[data-act]').forEach(function (row) {
                var bars = document.querySelectorAll('rect.act[data-act="' + row.getAttribute('data-act') + '"]');
                function light(on) { bars.forEach(function (bar) { bar.classList.toggle('hl', on); }); }
                row.addEventListener('mouseenter', function () { light(true); });
                row.addEventListener('mouseleave', function () { light(false); });
              });
              document.querySelectorAll('rect.act').forEach(function (bar) {
                bar.addEventListener('click', function () {
                  var row = document.getElementById('row-' + bar.getAttribute('data-act'));
                  if (!row) { return; }
                  row.scrollIntoView({block: 'center'});
                  row.classList.add('flash');
                  setTimeout(function () { row.classList.remove('flash'); }, 1500);
                });
              });
            })();
            """;
}
