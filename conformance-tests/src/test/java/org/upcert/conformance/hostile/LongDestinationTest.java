package org.upcert.conformance.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadRequest;

/**
 * A destination URL is the extension's text, traced in every line about its job and quoted by
 * E2E-02's message. Round six: one job whose destination had 20 million characters (under the
 * protocol's bounds of a message and of a string) made a certification's reports 821 MB and cost
 * 3.5 minutes; each further job as much again. Now a destination or {@code ctx.http()} URL is at
 * most {@code CallContext.MAX_URL_CHARS} (64 Ki characters), its headers as much: longer is refused
 * when the job is recorded, as a too-long storage name is.
 */
class LongDestinationTest {

    /** One job per call, each to a destination of two million characters on another origin. */
    public static final class LongDestination implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            HostileExtensions.createOneJob(context, resource -> new UploadRequest(
                    URI.create("http://127.0.0.1:1/" + "x".repeat(2_000_000)), "PUT", new TreeMap<>()));
            return ProcessingResult.COMPLETED;
        }

        @Override
        public void willTerminate() {
        }
    }

    /** One job per call for a resource it names with an identifier of two million characters (no such resource). */
    public static final class LongResourceName implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            HostileExtensions.createOneJob(context, r -> new org.upcert.api.AssetResource("A".repeat(2_000_000), r.type(),
                    r.originalFilename(), r.uniformTypeIdentifier(), r.fileSize()),
                    r -> new UploadRequest(context.uploadUrlBase().resolve("files/x"), "PUT", new TreeMap<>()));
            return ProcessingResult.COMPLETED;
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("a resource identifier of two million characters is refused, and the reports stay small")
    void longResourceNameIsRefused(@TempDir Path out) throws Exception {
        // before: quoted whole by change.illegal and changes.rejected at every call
        assertSmall(InProcessCertify.certify(LongResourceName.class, out), out, "asset identifier of 2000000 characters");
    }

    @Test
    @DisplayName("a destination of two million characters is refused, and the reports stay small")
    void longDestinationIsRefused(@TempDir Path out) throws Exception {
        assertSmall(InProcessCertify.certify(LongDestination.class, out), out, "a URL of 2000019 characters");
    }

    private static void assertSmall(InProcessCertify.Outcome outcome, Path out, String refusal) throws Exception {
        assertEquals(1, outcome.code(), outcome.stdout() + outcome.stderr());
        long bytes;
        try (var files = Files.walk(out)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(bytes < 2_000_000, "the reports hold the destination: " + bytes + " bytes");
        assertTrue(outcome.stdout().contains(refusal), outcome.stdout());
    }
}
