package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.xml.sax.SAXParseException;

/**
 * XML 1.0 forbids the noncharacters U+FFFE and U+FFFF, half a surrogate pair and the C0 controls but
 * tab, line feed and carriage return; an extension's log line or exception message may hold any of
 * them, and the timeline (HTML and SVG, also attached to Allure) and the JUnit XML quote such text.
 * Before, one U+FFFF in a log line made every timeline page and picture of the run invalid XML (the
 * JDK's parser stops: "An invalid XML character (Unicode: 0xffff)"). The JUnit XML, written by the
 * JUnit Platform's legacy XML reporter, was valid already: it writes U+FFFD in their place.
 */
class NonXmlCharactersTest {
    static final String TEXT = "nonchar \uffff and \ufffe, half \ud800, controls \u0001\u0008\u000b\u000c\u001f\r end, \ud83d\ude00 paired";

    /** Logs the text and throws it out of processJobs (RES-04). */
    public static final class WritesNonXmlCharacters implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            context.log().info(TEXT);
            throw new IllegalStateException(TEXT);
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("U+FFFE, U+FFFF, half a surrogate pair, C0 controls: every timeline page and picture and the JUnit XML parse as XML")
    void everyXmlReportParses(@TempDir Path out) throws Exception {
        InProcessCertify.Outcome certified = InProcessCertify.certify(WritesNonXmlCharacters.class, out);
        assertEquals(1, certified.code(), "NOT_CERTIFIED: " + certified.stdout() + certified.stderr());
        assertTrue(certified.stdout().contains("RES-04 FAIL"), certified.stdout());
        List<Path> xml = new ArrayList<>();
        try (Stream<Path> files = Files.walk(out)) {
            files.filter(f -> f.toString().endsWith(".xml") || f.toString().endsWith(".html") || f.toString().endsWith(".svg"))
                    .sorted().forEach(xml::add);
        }
        // the run's page and picture, one of each per FAIL, their Allure copies, the JUnit XML
        assertTrue(xml.stream().filter(f -> f.getParent().endsWith("timelines")).count() >= 4, "timelines written: " + xml);
        assertTrue(xml.stream().anyMatch(f -> f.getParent().endsWith("junit-xml")), "JUnit XML written: " + xml);
        List<String> invalid = new ArrayList<>();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        for (Path file : xml) {
            var builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null); // no "[Fatal Error]" lines on stderr: the exception says it
            try {
                builder.parse(file.toFile());
            } catch (SAXParseException e) {
                invalid.add(out.relativize(file) + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), invalid, "reports that are not XML");
        String page = Files.readString(out.resolve("timelines").resolve("baseline-seed1-generic-put.html"));
        // shown as the extension wrote them, escaped as the trace's display escapes half a pair
        assertTrue(page.contains("nonchar \\uffff and \\ufffe, half \\ud800"), "the text, escaped, on the page");
    }
}
