package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.cli.Main;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.SuiteConfig;

/**
 * A fault of upcert itself is exit 3, never 1 (which means "not certified"), and the reports that
 * can be written still are (issue 16: an OutOfMemoryError in the harness exited 1 with no report).
 */
class HarnessFaultExitTest {

    @Test
    @DisplayName("an Error thrown past a command (an OutOfMemoryError) exits 3, not 1")
    void anErrorPastACommandIsExit3() {
        assertEquals(3, Main.guarded(() -> {
            throw new OutOfMemoryError("Java heap space (simulated)");
        }));
        assertEquals(3, Main.guarded(() -> {
            throw new IllegalStateException("a bug");
        }));
        assertEquals(1, Main.guarded(() -> 1), "a command's own exit code passes through");
    }

    @Test
    @DisplayName("an OutOfMemoryError inside certify (its progress line) still writes certification.json and "
            + "CERTIFICATION.md, with the fault listed and the outcome never CERTIFIED")
    void certifyWritesWhatItCan(@TempDir Path out) throws Exception {
        Map<String, String> parameters = Map.of("upcert.profiles", "baseline", "upcert.seeds", "1", "upcert.rules", "JOB-01",
                "upcert.explore", "0", "upcert.isolation", "in-process", "upcert.transport", "direct");
        PrintStream exhausted = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                throw new OutOfMemoryError("Java heap space (simulated, in the progress line)");
            }
        });
        Certification c = Certifier.certify(SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key))), out, exhausted)
                .certification();
        assertTrue(c.harnessFaults().stream().anyMatch(f -> f.contains("OutOfMemoryError")), c.harnessFaults().toString());
        assertEquals(Certification.Outcome.INCOMPLETE, c.outcome());
        String json = Files.readString(out.resolve("certification.json"));
        assertTrue(json.contains("OutOfMemoryError"), json);
        assertTrue(Files.readString(out.resolve("CERTIFICATION.md")).contains("Harness faults"));
    }
}
