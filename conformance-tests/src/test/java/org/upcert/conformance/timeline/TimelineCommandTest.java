package org.upcert.conformance.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.cli.TimelineCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/** {@code upcert timeline} from the command line: where it writes, and exit 2 for bad input. */
class TimelineCommandTest {

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome timeline(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new TimelineCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "timeline";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Outcome(cli.execute(all), out.toString(), err.toString());
    }

    private static Path trace(Path dir) throws Exception {
        Path trace = dir.resolve("run-1/trace.jsonl");
        Files.createDirectories(trace.getParent());
        Files.writeString(trace, TimelineFixture.trace());
        return trace;
    }

    @Test
    @DisplayName("writes timeline.html and timeline.svg next to the trace, or where --out and --svg say")
    void writes(@TempDir Path dir) throws Exception {
        Path trace = trace(dir);
        int line = TimelineFixture.firstLine("job.failed");
        Outcome made = timeline(trace.toString(), "--mark", line + ":ACK-01: example");
        assertEquals(0, made.code(), made.err());
        String html = Files.readString(trace.resolveSibling("timeline.html"));
        assertTrue(html.contains("ACK-01: example"));
        assertTrue(Files.readString(trace.resolveSibling("timeline.svg")).startsWith("<?xml"));
        assertTrue(made.out().contains("timeline.html"), made.out());

        Outcome elsewhere = timeline(trace.toString(), "--out", dir.resolve("pics/fail-1.html").toString());
        assertEquals(0, elsewhere.code(), elsewhere.err());
        assertTrue(Files.isRegularFile(dir.resolve("pics/fail-1.html")));
        assertTrue(Files.isRegularFile(dir.resolve("pics/fail-1.svg")));

        Outcome both = timeline(trace.toString(), "--out", dir.resolve("a.html").toString(), "--svg",
                dir.resolve("b/c.svg").toString(), "--mark", "2", "--mark", "3:second");
        assertEquals(0, both.code(), both.err());
        assertTrue(Files.isRegularFile(dir.resolve("b/c.svg")));
    }

    @Test
    @DisplayName("exit 2 with a clear message: missing file, not an upcert trace, a mark outside the trace or malformed")
    void badInput(@TempDir Path dir) throws Exception {
        Outcome missing = timeline(dir.resolve("nope.jsonl").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such trace file"), missing.err());

        Path notTrace = dir.resolve("other.jsonl");
        Files.writeString(notTrace, "{\"ev\":\"header\",\"format\":\"something-else/2\"}\n{\"t\":0}\n");
        Outcome wrong = timeline(notTrace.toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("is not an upcert trace") && wrong.err().contains("upcert-trace/1"), wrong.err());

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello\n");
        assertEquals(2, timeline(text.toString()).code());

        Path trace = trace(dir);
        long lines = TimelineFixture.trace().lines().count();
        Outcome outside = timeline(trace.toString(), "--mark", (lines + 1) + ":too far");
        assertEquals(2, outside.code());
        assertTrue(outside.err().contains("outside the trace") && outside.err().contains("lines 1-" + lines), outside.err());

        Outcome malformed = timeline(trace.toString(), "--mark", "first:label");
        assertEquals(2, malformed.code());
        assertTrue(malformed.err().contains("LINE[:LABEL]"), malformed.err());
        assertEquals(2, timeline(trace.toString(), "--mark", "0").code());
        assertTrue(Files.notExists(trace.resolveSibling("timeline.html")), "nothing written on bad input");
    }

    @Test
    @DisplayName("an empty, truncated or binary trace, and an --out that is a folder or under a file: exit 2, one line")
    void edges(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.jsonl"));
        assertOneLineRefusal(timeline(empty.toString()), "is empty, not an upcert trace");

        Path trace = trace(dir);
        String text = TimelineFixture.trace();
        long lines = text.lines().count();
        Files.writeString(trace, text.substring(0, text.length() - 10));
        assertOneLineRefusal(timeline(trace.toString()), "damaged trace: line " + lines + ": cut off mid-line");

        Path binary = dir.resolve("binary.jsonl");
        Files.write(binary, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, '\n', 0x55});
        assertOneLineRefusal(timeline(binary.toString()), "damaged trace: line 1: binary data, not text");

        Path good = trace(dir.resolve("good"));
        assertOneLineRefusal(timeline(good.toString(), "--out", dir.toString()), "is a folder, not a file");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertOneLineRefusal(timeline(good.toString(), "--out", file.resolve("page.html").toString()), "is a file, not a folder");
        assertOneLineRefusal(timeline(good.toString(), "--svg", file.resolve("page.svg").toString()), "--svg");
        assertTrue(Files.notExists(good.resolveSibling("timeline.html")), "nothing written on bad input");
    }

    private static void assertOneLineRefusal(Outcome outcome, String fragment) {
        assertEquals(2, outcome.code(), outcome.err());
        assertTrue(outcome.err().contains(fragment), outcome.err());
        assertEquals(1, outcome.err().strip().lines().count(), "one line, no stack trace: " + outcome.err());
    }
}
