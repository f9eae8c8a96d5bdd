package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * An exception's message is the extension's to choose, of any length: log lines were clipped (500
 * characters), a call's end was not. Before H53 a message of 21 million characters went whole into
 * each {@code call.end} of the trace, which the judge then could not read back (a JSON string is
 * at most 20 MB to Jackson): "harness fault, the run could not be judged", every rule SKIPPED, the
 * certification INCOMPLETE (exit 3) and its FAILs gone, blamed on upcert. A command did the same by
 * answering processJobs with 48 MB of a wrong shape, quoted in the crash's reason. Now a call's end
 * keeps 2,000 characters and counts the rest: RES-04 FAIL, NOT_CERTIFIED, every report small.
 */
class LongExceptionTextTest {
    static final int LENGTH = 21_000_000;

    /** Throws a 21 MB message out of every processJobs. */
    public static final class ThrowsMegabytes implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            throw new IllegalStateException("m".repeat(LENGTH));
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("a 21 MB exception message: judged (before: a harness fault, INCOMPLETE), RES-04 FAIL, every report small")
    void clipped(@TempDir Path out) throws Exception {
        InProcessCertify.Outcome certified = InProcessCertify.certify(ThrowsMegabytes.class, out);
        String stdout = certified.stdout();
        assertEquals(1, certified.code(), "NOT_CERTIFIED, not INCOMPLETE for a harness fault: " + stdout.substring(0, Math.min(2_000, stdout.length())));
        assertTrue(stdout.length() < 50_000, "upcert's output: " + stdout.length() + " characters");
        assertTrue(stdout.contains("RES-04 FAIL") && stdout.contains("more characters)"), "the FAIL, its message clipped");
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // before: the trace held the message whole in each call end
                assertTrue(Files.size(file) < 500_000, file + ": " + Files.size(file) + " bytes");
            }
        }
    }
}
