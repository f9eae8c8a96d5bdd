package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No command leaves anything in the temporary folder, on success or on an error: each runs as the
 * real command line in a child JVM with a temporary folder of its own, which must be empty after
 * the exit (the bundled sample used to be extracted into an upcert-* folder that stayed).
 */
class NoTempFilesLeftTest {
    private static final Duration BOUND = Duration.ofMinutes(3);

    private static UpcertProcess upcert(Path work, int expectedExit, String... args) throws Exception {
        UpcertProcess upcert = UpcertProcess.run(work, BOUND, args);
        assertEquals(expectedExit, upcert.exitCode(), String.join(" ", args) + "\n" + upcert.out() + upcert.err());
        assertEquals(List.of(), upcert.leftInTmp(), "upcert " + String.join(" ", args) + " left files in " + upcert.tmp());
        return upcert;
    }

    @Test
    @DisplayName("run (loopback: WireMock and Jetty too), replay, trace, timeline, certify, shrink, profiles, explain")
    void everyCommand(@TempDir Path work) throws Exception {
        Path run = work.resolve("run");
        upcert(work, 0, "run", "--assets", "20", "--transport", "loopback", "--out", run.toString());
        Path trace = run.resolve("trace.jsonl");
        upcert(work, 0, "replay", trace.toString());
        upcert(work, 0, "trace", trace.toString(), "--only", "run");
        upcert(work, 0, "timeline", trace.toString());
        upcert(work, 0, "certify", "--profiles", "baseline", "--seed", "1", "--rules", "JOB-01", "--out",
                work.resolve("certify").toString());
        upcert(work, 1, "shrink", "--profile", "baseline", "--seed", "1", "--rule", "ACK-01", "--max-runs", "1", "--out",
                work.resolve("shrink").toString());
        upcert(work, 0, "profiles", "list");
        upcert(work, 0, "explain", "ACK-01");
    }

    @Test
    @DisplayName("error paths: a bad jar, an unwritable --out, a damaged trace")
    void errors(@TempDir Path work) throws Exception {
        Path notAJar = Files.writeString(work.resolve("not-a.jar"), "text");
        upcert(work, 2, "run", "--extension", notAJar.toString(), "--out", work.resolve("r").toString());
        Path file = Files.writeString(work.resolve("a-file"), "x");
        upcert(work, 2, "certify", "--out", file.resolve("sub").toString());
        upcert(work, 2, "run", "--out", file.toString());
        Path damaged = Files.writeString(work.resolve("damaged.jsonl"), "{\"ev\":\"header\"");
        upcert(work, 2, "replay", damaged.toString());
    }
}
