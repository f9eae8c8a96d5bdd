package org.upcert.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.testing.BadJars;
import org.upcert.harness.testing.NaiveExtension;
import org.upcert.harness.testing.TestJars;

/**
 * The harness's own edges, for the commands the harness owns (run, replay, trace): bad input is
 * exit 2 with one line saying what is wrong, no stack trace, and nothing run.
 */
class CommandInputEdgesTest {

    record Outcome(int code, String out, String err) {
        /** Exit 2, one line on stderr that contains {@code fragment}, and no stack trace. */
        void assertRefused(String fragment) {
            assertEquals(2, code, "exit 2 (bad input); stderr: " + err);
            assertTrue(err.contains(fragment), "the reason is given: " + err);
            assertEquals(1, err.strip().lines().count(), "one line, no stack trace: " + err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        }
    }

    static Outcome upcert(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = UpcertCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "run --extension {0}")
    @EnumSource(BadJars.class)
    @DisplayName("run refuses a jar that cannot be hosted before anything runs")
    void runRefusesBadJars(BadJars kind, @TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        Outcome run = upcert("run", "--extension", kind.write(dir).toString(), "--assets", "5", "--transport", "direct",
                "--out", out.toString());
        run.assertRefused(kind.reason());
        assertTrue(run.err().startsWith("upcert run: extension jar "), run.err());
        assertTrue(Files.notExists(out), "nothing was run, nothing written");
    }

    @ParameterizedTest(name = "replay --extension {0}")
    @EnumSource(BadJars.class)
    @DisplayName("replay refuses a jar that cannot be hosted, with its reason")
    void replayRefusesBadJars(BadJars kind, @TempDir Path dir) throws IOException {
        Outcome replay = upcert("replay", trace(dir).toString(), "--extension", kind.write(dir).toString());
        replay.assertRefused(kind.reason());
    }

    @Test
    @DisplayName("run --out that is a file, or under a file, or a folder that cannot be written: exit 2 before the run")
    void runOutUnwritable(@TempDir Path dir) throws IOException {
        Path jar = TestJars.jarOf(dir, NaiveExtension.class);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        upcert("run", "--extension", jar.toString(), "--assets", "5", "--transport", "direct", "--out", file.toString())
                .assertRefused("a-file is a file, not a folder");
        upcert("run", "--extension", jar.toString(), "--assets", "5", "--transport", "direct", "--out",
                file.resolve("sub").toString()).assertRefused("is a file, not a folder");
        Path unwritable = unwritableFolder(dir);
        Outcome refused = upcert("run", "--extension", jar.toString(), "--assets", "5", "--transport", "direct", "--out",
                unwritable.resolve("run").toString());
        refused.assertRefused("cannot be");
        assertTrue(refused.err().contains("nothing was run"), refused.err());
    }

    @Test
    @DisplayName("run --assume: an unknown assumption is exit 2; http-status is written to summary.json and the trace header")
    void runAssumptions(@TempDir Path dir) throws IOException {
        Path jar = TestJars.jarOf(dir, NaiveExtension.class);
        upcert("run", "--extension", jar.toString(), "--assets", "5", "--transport", "direct", "--assume", "wall-clock",
                "--out", dir.resolve("bad").toString()).assertRefused("unknown assumption 'wall-clock' (known: body-in-headers, http-status)");
        Outcome assumed = upcert("run", "--extension", jar.toString(), "--assets", "5", "--transport", "direct", "--isolation",
                "in-process", "--assume", "http-status", "--out", dir.resolve("assumed").toString());
        assertTrue(assumed.out().contains("assumes http-status"), assumed.out());
        assertTrue(Files.readString(dir.resolve("assumed").resolve("summary.json")).contains("\"assumptions\" : [ \"http-status\" ]"),
                Files.readString(dir.resolve("assumed").resolve("summary.json")));
        Path trace;
        try (var files = Files.list(dir.resolve("assumed"))) {
            trace = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        assertTrue(Files.readAllLines(trace).get(0).contains("\"assumptions\":[\"http-status\"]"));
        upcert("run", "--extension", jar.toString(), "--assets", "5", "--transport", "direct", "--isolation", "in-process",
                "--out", dir.resolve("plain").toString());
        assertTrue(Files.readString(dir.resolve("plain").resolve("summary.json")).contains("\"assumptions\" : [ ]"),
                "none, and it says so");
    }

    @Test
    @DisplayName("run --upgrade-to: a missing jar is exit 2; the next build is named in the header and app.upgrade, and replay needs it")
    void runUpgradeTo(@TempDir Path dir) throws IOException {
        Path jar = TestJars.jarOf(dir, NaiveExtension.class);
        // the same extension with one more class: another artifact, as a rebuilt app is
        Path next = TestJars.jarOf(Files.createDirectory(dir.resolve("next")), NaiveExtension.class,
                org.upcert.harness.testing.TraceLines.class);
        Path profile = Files.writeString(dir.resolve("update.yaml"), "description: an app update\nworkload:\n  assets: 5\n"
                + "  os: \"27\"\nphases:\n  faultPhase: 30m\nfaults:\n  - kind: app.upgrade\n    at: 10m\n");
        upcert("run", "--extension", jar.toString(), "--upgrade-to", dir.resolve("missing.jar").toString(), "--profile",
                profile.toString(), "--out", dir.resolve("bad").toString()).assertRefused("--upgrade-to: no such jar");
        Path out = dir.resolve("out");
        upcert("run", "--extension", jar.toString(), "--upgrade-to", next.toString(), "--profile", profile.toString(),
                "--transport", "direct", "--isolation", "in-process", "--out", out.toString());
        Path trace = out.resolve("trace.jsonl");
        String header = Files.readAllLines(trace).get(0);
        String sha = ExtensionSource.jar(next).sha256();
        assertTrue(header.contains("\"upgradeTo\":{\"name\":") && header.contains(sha), header);
        assertTrue(Files.readString(trace).contains("\"ev\":\"app.upgrade\""), "the update happened");
        upcert("replay", trace.toString(), "--extension", jar.toString()).assertRefused("give --upgrade-to with the jar");
        Outcome replayed = upcert("replay", trace.toString(), "--extension", jar.toString(), "--upgrade-to", next.toString());
        assertEquals(0, replayed.code(), replayed.out() + replayed.err());
        assertTrue(replayed.out().contains("IDENTICAL"), replayed.out());
    }

    /**
     * A folder the tests cannot write into: read-only permissions, or (as root, whom permission
     * bits do not stop, detected by a probe write) a path under a regular file.
     */
    static Path unwritableFolder(Path dir) throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Files.delete(Files.createFile(readOnly.resolve("probe")));
        } catch (IOException expected) {
            return readOnly; // permissions hold: not root
        }
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.writeString(dir.resolve("regular-file"), "root writes anywhere; not under a file").resolve("out");
    }

    /** A short trace of the naive extension (made in-JVM, no command). */
    static Path trace(Path dir) {
        Path trace = dir.resolve("trace.jsonl");
        Simulation.run(RunPlan.of(3, Workload.typical(10)), ExtensionSource.type(NaiveExtension.class),
                RunOptions.inMemory().withTransport("direct").withTraceFile(trace));
        return trace;
    }

    @Test
    @DisplayName("replay of a trace cut off mid-line is a damaged trace at that line, exit 2, not DIFFERENT")
    void replayTruncated(@TempDir Path dir) throws IOException {
        Path trace = trace(dir);
        byte[] bytes = Files.readAllBytes(trace);
        long lines = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).lines().count();
        Files.write(trace, Arrays.copyOf(bytes, bytes.length - 20));
        Outcome replay = upcert("replay", trace.toString(), "--extension-class", NaiveExtension.class.getName());
        replay.assertRefused("damaged trace: line " + lines + ": cut off mid-line");
        assertFalse(replay.out().contains("DIFFERENT"), replay.out());
    }

    @Test
    @DisplayName("replay of a binary file (a gzipped trace, random bytes after the header) is a damaged trace with the line")
    void replayBinary(@TempDir Path dir) throws IOException {
        Path trace = trace(dir);
        byte[] bytes = Files.readAllBytes(trace);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gz)) {
            gzip.write(bytes);
        }
        Path gzipped = Files.write(dir.resolve("trace.jsonl.gz"), gz.toByteArray());
        upcert("replay", gzipped.toString(), "--extension-class", NaiveExtension.class.getName())
                .assertRefused("damaged trace: line 1: binary data, not text");

        String header = Files.readAllLines(trace).get(0);
        Path spliced = dir.resolve("spliced.jsonl");
        Files.write(spliced, (header + "\n" + "{\"t\":0,\"ev\":\"x\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(spliced, new byte[] {0, 1, 2, (byte) 0xfe, '\n'}, java.nio.file.StandardOpenOption.APPEND);
        upcert("replay", spliced.toString(), "--extension-class", NaiveExtension.class.getName())
                .assertRefused("damaged trace: line 3: binary data, not text (byte 0x00 at column 1)");
    }

    @Test
    @DisplayName("trace of an empty, a binary or a truncated file: exit 2 with a message")
    void traceEdges(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.jsonl"));
        upcert("trace", empty.toString()).assertRefused("is empty, not an upcert trace");
        Path binary = Files.write(dir.resolve("binary.jsonl"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, '\n'});
        upcert("trace", binary.toString()).assertRefused("damaged trace: line 1: binary data");
        Path trace = trace(dir);
        byte[] bytes = Files.readAllBytes(trace);
        Files.write(trace, Arrays.copyOf(bytes, bytes.length - 5));
        upcert("trace", trace.toString()).assertRefused("cut off mid-line");
    }
}
