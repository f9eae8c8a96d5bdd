package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * A Java string may hold half of a surrogate pair, which no UTF-8 file can: JSON's {@code \ud800}
 * escape puts one in any string a command sends (a log line, an exception, a file name), and a Java
 * extension makes one with a cast. Every report must still be written, as valid UTF-8, and the
 * verdict stay the extension's own (NOT_CERTIFIED, RES-04 FAIL), never upcert's failure (exit 3).
 */
class UnpairedSurrogateTest {
    static final String HALF = "boom \ud800 and \udfff alone, \ud83d\ude00 paired";

    /** Logs the text, writes a file of that name, and throws it out of processJobs (RES-04). */
    public static final class WritesHalfASurrogate implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            context.log().info(HALF);
            context.storage().write(HALF, new byte[] {1});
            throw new IllegalStateException(HALF);
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("upcert run with a command sending half a pair (a log line, a storage name, an error): trace and summary.json valid UTF-8")
    void runCommand(@TempDir Path dir) throws Exception {
        String python = org.upcert.conformance.python.Python.require();
        Path script = Path.of("src", "test", "resources", "hostile", "hostile_command.py").toAbsolutePath();
        java.io.StringWriter printed = new java.io.StringWriter();
        java.io.StringWriter errors = new java.io.StringWriter();
        picocli.CommandLine cli = org.upcert.harness.cli.UpcertCommand.commandLine();
        cli.setOut(new java.io.PrintWriter(printed, true));
        cli.setErr(new java.io.PrintWriter(errors, true));
        Path out = dir.resolve("run");
        int code = cli.execute("run", "--extension-cmd", org.upcert.conformance.python.Python.command(python, script) + " unpaired-surrogate",
                "--profile", "baseline", "--seed", "1", "--hang-after", "2s", "--out", out.toString());
        // the backup did not converge (the command crashes every call): upcert's verdict, not its failure (3)
        assertEquals(1, code, printed + " " + errors);
        // run's every writer: the trace (log and storage lines quote the half pair), summary.json, the output log.
        // No text of the extension's reaches summary.json today: its writer escapes any half pair as certify's
        // do (RunCommand), so that one added later cannot cost the file; this guards the files as they are.
        assertTrue(Files.readString(out.resolve("trace.jsonl")).contains("half \\uD800 here"), "the log line, escaped as Jackson does");
        for (String file : List.of("trace.jsonl", "summary.json", "extension-output.log")) {
            byte[] bytes = Files.readAllBytes(out.resolve(file));
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes));
        }
        for (String line : Files.readAllLines(out.resolve("trace.jsonl"))) {
            new ObjectMapper().readTree(line);
        }
        assertEquals("extension-failing", new ObjectMapper().readTree(out.resolve("summary.json").toFile()).path("endReason").asText());
    }

    @Test
    @DisplayName("an unpaired surrogate in an exception and a log line: every report written as valid UTF-8, NOT_CERTIFIED")
    void everyReportWritten(@TempDir Path out) throws Exception {
        InProcessCertify.Outcome certified = InProcessCertify.certify(WritesHalfASurrogate.class, out);
        assertEquals(1, certified.code(), "NOT_CERTIFIED (1), not upcert's failure (3): " + certified.stdout() + certified.stderr());
        assertTrue(certified.stdout().contains("RES-04 FAIL"), certified.stdout());
        for (String report : List.of("certification.json", "CERTIFICATION.md")) {
            assertTrue(Files.isRegularFile(out.resolve(report)), report + " written: " + certified.stderr());
        }
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                // strict decoding: an unpaired surrogate encoded as itself (CESU) or a '?' would be a lie about the text
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes));
                String name = file.toString();
                if (name.endsWith(".json") || name.endsWith(".jsonl")) {
                    for (String line : name.endsWith(".jsonl") ? Files.readAllLines(file) : List.of(Files.readString(file))) {
                        new ObjectMapper().readTree(line);
                    }
                } else if (name.endsWith(".xml") || name.endsWith(".html") || name.endsWith(".svg")) {
                    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
                }
            }
        }
    }
}
