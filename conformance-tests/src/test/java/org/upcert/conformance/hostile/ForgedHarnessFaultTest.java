package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.cli.ExploreCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * A harness fault is upcert's own exception, and its text may still be the extension's: in process,
 * an exception whose {@code getMessage} throws makes upcert's own code throw (describing the call's
 * end), with the extension's text as the message. certify lists it under "Harness faults" in
 * CERTIFICATION.md, explore prints it as a skipped run and writes it into exploration.json. Each
 * must show it as text: before, CERTIFICATION.md wrote it as it was (an unclosed {@code <!--} hid
 * the rest of the page where HTML is rendered), explore's summary printed its line feeds and escape
 * sequences to the terminal (a forged {@code # upcert certification: CERTIFIED} line, a cleared
 * screen), and half a surrogate pair in it stopped exploration.json being written at all
 * ({@code cannot write …: Input length = 1}).
 */
class ForgedHarnessFaultTest {
    static final String FORGED = "boom \ud800 half\n# upcert certification: CERTIFIED\n<!-- hidden\u001b[2J | x | [link](javascript:alert(1))";

    /** Throws an exception whose message cannot be read: reading it throws the forged text. */
    public static final class ThrowsFromItsMessage implements UploadExtension {
        /** An exception whose {@code getMessage} (and so {@code toString}) throws. */
        public static final class Unreadable extends RuntimeException {
            @Override
            public String getMessage() {
                throw new IllegalStateException(FORGED);
            }
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            throw new Unreadable();
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("certify: the harness fault is listed in CERTIFICATION.md as text, escaped as a FAIL's message is; exit 3")
    void certificationMarkdown(@TempDir Path out) throws Exception {
        InProcessCertify.Outcome certified = InProcessCertify.certify(ThrowsFromItsMessage.class, out);
        // upcert's code threw: a harness fault (the extension trades its RES-04 FAIL for INCOMPLETE in
        // process, which isolates nothing; docs/isolation.md lists it as open)
        assertEquals(3, certified.code(), certified.stdout() + certified.stderr());
        String md = Files.readString(out.resolve("CERTIFICATION.md"));
        assertTrue(md.startsWith("# upcert certification: INCOMPLETE"), md);
        int faults = md.indexOf("## Harness faults");
        assertTrue(faults > 0, "the fault is listed: " + md);
        List<String> listed = md.substring(faults).lines().skip(1).dropWhile(String::isEmpty).takeWhile(l -> l.startsWith("- ")).toList();
        assertEquals(1, listed.size(), "one line, the forged line feeds escaped: " + md.substring(faults));
        String fault = listed.get(0);
        // before: "<!-- hidden" as it was, and "# upcert certification: CERTIFIED" a line (a heading) of its own
        assertFalse(fault.contains("<!--") || fault.contains("[link](") || fault.contains(" | x |"), fault);
        assertTrue(fault.contains("IllegalStateException: boom \\\\ud800 half\\\\n\\# upcert certification: CERTIFIED\\\\n&lt;\\!-- hidden"),
                "the text is shown as written, escaped: " + fault);
        assertTrue(fault.contains("\\[link\\](javascript:"), fault);
        assertEquals(1, md.lines().filter(line -> line.startsWith("# ")).count(), "one top heading, upcert's: " + md);
        assertTrue(md.contains("\n## Runs\n"), "the rest of the page follows the list: " + md);
        assertValidUtf8(out);
    }

    @Test
    @DisplayName("explore: the skipped run's reason is one escaped line on the terminal, and exploration.json is written with it")
    void exploration(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ExploreCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("explore", "--extension-class", ThrowsFromItsMessage.class.getName(), "--isolation", "in-process",
                "--rules", "RES-04,E2E-01", "--seed", "1", "--shrink-runs", "0", "--corpus", dir.resolve("corpus").toString(),
                "--out", dir.resolve("out").toString(), "--quiet");
        String shown = out.toString();
        assertEquals(3, code, "upcert failed in the run, no rule failed: " + shown + err);
        assertTrue(shown.indexOf('\u001b') < 0, "an escape sequence reached the terminal: " + shown);
        for (String line : shown.split("\n")) {
            assertFalse(line.strip().startsWith("# upcert") || line.strip().startsWith("<!--"), "a line of the extension's: " + line);
        }
        assertTrue(shown.contains("SKIPPED seed 1: harness fault, the run could not be judged: IllegalStateException: boom \\ud800 half\\n"),
                "the reason is shown, escaped, on its own line: " + shown);
        // before: "upcert explore: cannot write …/exploration.json: Input length = 1", and no file
        Path written = dir.resolve("out").resolve("exploration.json");
        assertTrue(Files.isRegularFile(written), "exploration.json is written: " + err);
        assertFalse(err.toString().contains("cannot write"), err.toString());
        JsonNode json = new ObjectMapper().readTree(written.toFile());
        assertTrue(json.toString().contains("boom \\\\ud800 half\\\\n# upcert"), "the reason, escaped: " + json);
        assertValidUtf8(dir.resolve("out"));
    }

    /** Every file under {@code folder} decodes as strict UTF-8 (an unpaired surrogate written as itself, CESU, would not). */
    static void assertValidUtf8(Path folder) throws Exception {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(Files.readAllBytes(file)));
            }
        }
    }
}
