package org.upcert.conformance.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The timeline of a real run: well-formed, complete, marked, byte-stable and self-contained. */
class TimelineRendererTest {
    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> svgElements(Document doc, String tag, String cls) {
        NodeList nodes = doc.getElementsByTagNameNS(SVG_NS, tag);
        java.util.ArrayList<Element> found = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (List.of(e.getAttribute("class").split(" ")).contains(cls)) {
                found.add(e);
            }
        }
        return found;
    }

    private static List<TimelineMark> failedMark() {
        return List.of(TimelineMark.of(TimelineFixture.firstLine("job.failed"), "ACK-01: first failed job (test mark)"));
    }

    @Test
    @DisplayName("the SVG and the page are well-formed XML; the page holds the SVG, the header, the legend and the table")
    void wellFormed() throws Exception {
        Timeline timeline = Timeline.parse(TimelineFixture.trace());
        Document svg = parse(TimelineRenderer.svg(timeline, failedMark()));
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        assertEquals(SVG_NS, svg.getDocumentElement().getNamespaceURI());

        String html = TimelineRenderer.html(timeline, failedMark());
        assertTrue(html.startsWith("<!DOCTYPE html>\n"), html.substring(0, 40));
        Document page = parse(html);
        assertEquals("html", page.getDocumentElement().getTagName());
        assertEquals(1, page.getElementsByTagNameNS(SVG_NS, "svg").getLength());
        NodeList rows = page.getElementsByTagName("tr");
        int activationRows = 0;
        for (int i = 0; i < rows.getLength(); i++) {
            activationRows += ((Element) rows.item(i)).hasAttribute("data-act") ? 1 : 0;
        }
        assertEquals(timeline.activations().size(), activationRows);
        String text = page.getDocumentElement().getTextContent();
        for (String expected : List.of("everything", "seed 1", "SampleUploadExtension", "generic-put", "quiescent",
                "Reading the picture", "Activations (" + timeline.activations().size() + ")")) {
            assertTrue(text.contains(expected), expected);
        }
    }

    @Test
    @DisplayName("one bar per activation, coloured by how each call ended")
    void oneBarPerActivation() throws Exception {
        Timeline timeline = Timeline.parse(TimelineFixture.trace());
        List<Element> bars = svgElements(parse(TimelineRenderer.svg(timeline, List.of())), "rect", "act");
        assertEquals(TimelineFixture.count("\"ev\":\"call.start\""), bars.size());
        assertTrue(bars.size() > 20, "the everything profile makes dozens of activations: " + bars.size());

        Map<String, Integer> drawn = new TreeMap<>();
        for (Element bar : bars) {
            drawn.merge(bar.getAttribute("data-ending"), 1, Integer::sum);
            assertFalse(bar.getElementsByTagNameNS(SVG_NS, "title").item(0).getTextContent().isBlank());
        }
        Map<String, Integer> traced = new TreeMap<>();
        Matcher m = Pattern.compile("\"ev\":\"call.end\",\"act\":\\d+,\"outcome\":\"(\\w+)\"(?:,\"result\":\"(\\w+)\")?")
                .matcher(TimelineFixture.trace());
        while (m.find()) {
            traced.merge(m.group(2) != null ? m.group(2) : m.group(1), 1, Integer::sum);
        }
        assertEquals(traced, drawn);
        assertTrue(drawn.containsKey("killed"), "seed 1 of everything kills the extension: " + drawn);
    }

    @Test
    @DisplayName("every fault window is drawn, with its kind; fault strikes and the recovery phase too")
    void faultWindows() throws Exception {
        Timeline timeline = Timeline.parse(TimelineFixture.trace());
        Document svg = parse(TimelineRenderer.svg(timeline, List.of()));
        List<Element> windows = svgElements(svg, "rect", "fault");
        long windowed = TimelineFixture.trace().lines()
                .filter(line -> line.contains("\"ev\":\"fault.start\"") && line.contains("\"until\":")).count();
        assertTrue(windowed > 10, "windows in the run: " + windowed);
        assertEquals(windowed, windows.size());
        for (Element window : windows) {
            String title = window.getElementsByTagNameNS(SVG_NS, "title").item(0).getTextContent();
            assertTrue(title.contains(window.getAttribute("data-kind")), title);
        }
        assertTrue(windows.stream().anyMatch(w -> w.getAttribute("data-kind").equals("network.offline")));
        assertFalse(svgElements(svg, "path", "fire").isEmpty(), "fault.fire ticks");
        assertEquals(1, svgElements(svg, "line", "recovery").size());
    }

    @Test
    @DisplayName("job counts rebuilt from the trace end where run.end says: every job created is accounted for")
    void jobCounts() {
        Timeline timeline = Timeline.parse(TimelineFixture.trace());
        Timeline.JobCounts last = timeline.jobCounts().get(timeline.jobCounts().size() - 1);
        assertEquals(TimelineFixture.count("\"ev\":\"job.create\""), last.outstanding() + last.done());
        assertEquals(timeline.runEnd().orElseThrow().path("unacked").asInt(), last.outstanding());
        assertTrue(last.acknowledgedFailed() > 0, "everything seed 1 acknowledges failed jobs: " + last);
    }

    @Test
    @DisplayName("a mark draws a red line at its event with its label, outlines its activation and is listed on the page")
    void mark() throws Exception {
        Timeline timeline = Timeline.parse(TimelineFixture.trace());
        int line = TimelineFixture.firstLine("job.failed");
        Document svg = parse(TimelineRenderer.svg(timeline, failedMark()));
        List<Element> marks = svgElements(svg, "g", "mark");
        assertEquals(1, marks.size());
        Element mark = marks.get(0);
        assertEquals("mark-1", mark.getAttribute("id"));
        assertTrue(mark.getTextContent().contains("ACK-01: first failed job (test mark)"));
        assertTrue(mark.getTextContent().contains("line " + line));
        assertEquals(1, svgElements(svg, "line", "mark-line").stream().filter(l -> l.getParentNode() == mark).count());
        assertEquals(1, svgElements(svg, "rect", "mark-act").size());

        int activation = timeline.activationOf(line).orElseThrow().number();
        Document page = parse(TimelineRenderer.html(timeline, failedMark()));
        NodeList rows = page.getElementsByTagName("tr");
        int marked = 0;
        for (int i = 0; i < rows.getLength(); i++) {
            Element row = (Element) rows.item(i);
            if (row.getAttribute("class").equals("marked")) {
                marked++;
                assertEquals(String.valueOf(activation), row.getAttribute("data-act"));
            }
        }
        assertEquals(1, marked);
        assertTrue(page.getDocumentElement().getTextContent().contains("ACK-01: first failed job (test mark)"));
    }

    @Test
    @DisplayName("the same trace gives the same bytes")
    void deterministic() {
        String trace = TimelineFixture.trace();
        assertEquals(TimelineRenderer.html(Timeline.parse(trace), failedMark()),
                TimelineRenderer.html(Timeline.parse(trace), failedMark()));
        assertEquals(TimelineRenderer.svg(Timeline.parse(trace), failedMark()),
                TimelineRenderer.svg(Timeline.parse(trace), failedMark()));
    }

    @Test
    @DisplayName("self-contained: no URL but the SVG namespace, nothing to fetch, and small")
    void selfContained() {
        Timeline timeline = Timeline.parse(TimelineFixture.trace());
        for (String output : List.of(TimelineRenderer.html(timeline, failedMark()), TimelineRenderer.svg(timeline, failedMark()))) {
            Matcher urls = Pattern.compile("(?i)https?://[^\\s\"'<>)]*").matcher(output);
            while (urls.find()) {
                assertEquals(SVG_NS, urls.group());
            }
            for (String fetch : List.of(" src=", " href=", "url(", "@import", "<link", "@font-face")) {
                assertFalse(output.contains(fetch), fetch);
            }
            assertTrue(output.length() < 300_000, "size " + output.length());
        }
    }

    @Test
    @DisplayName("bad input: not a trace, a mark outside the trace")
    void badInput() {
        assertThrows(TraceFormatException.class, () -> Timeline.parse("{\"foo\":1}\n"));
        assertThrows(TraceFormatException.class, () -> Timeline.parse(""));
        assertThrows(TraceFormatException.class, () -> Timeline.parse("not json\n"));
        Timeline timeline = Timeline.parse(TimelineFixture.trace());
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> TimelineRenderer.svg(timeline, List.of(TimelineMark.of(timeline.lineCount() + 1, "x"))));
        assertTrue(outside.getMessage().contains("outside the trace"), outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimelineMark.parse("abc"));
        assertEquals(new TimelineMark(12, "RTY-01: lost"), TimelineMark.parse("12:RTY-01: lost"));
        assertEquals(new TimelineMark(7, "line 7"), TimelineMark.parse("7"));
    }
}
