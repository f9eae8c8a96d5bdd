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
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadRequest;

/**
 * upcert's fault engine asks the cloud stub to play a failure with a request header
 * ({@code x-upcert-inject}), and the stub read it from whatever request carried it: the
 * extension's own destinations and {@code ctx.http()} requests too. Round six: a destination
 * with {@code x-upcert-inject: status=oops} made upcert itself throw ({@code NumberFormatException}
 * in the stub), a harness fault that turns the run's FAILs into INCOMPLETE (exit 3), decided by the
 * extension; a valid value forged a planned fault (an "injected" refusal) in the cloud's record.
 * Now only upcert's own injection is played: the header the extension sets is not sent.
 */
class ForgedInjectionTest {

    /** Creates one job whose destination carries the fault engine's header, and sends one with ctx.http(). */
    public static final class ForgesInjection implements UploadExtension {
        private int calls;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            URI base = context.uploadUrlBase();
            TreeMap<String, String> headers = new TreeMap<>();
            headers.put("X-Upcert-Inject", "status=oops");
            HostileExtensions.createOneJob(context, resource -> new UploadRequest(
                    base.resolve("files/" + resource.assetLocalIdentifier().replace("/", "_")), "PUT", headers));
            if (context.library().fetchJobs(org.upcert.api.JobAction.ACKNOWLEDGE).isEmpty() && calls++ > 0) {
                try {
                    ExtensionHttp.Response r = context.http().send(new UploadRequest(base.resolve("files/probe"), "PUT", headers), "x");
                    context.log().info("http with a forged injection: " + r.status());
                } catch (ExtensionHttp.TransportException e) {
                    context.log().info("http with a forged injection: " + e.error().code());
                }
            }
            return ProcessingResult.COMPLETED;
        }

        @Override
        public void willTerminate() {
        }
    }

    @Test
    @DisplayName("an x-upcert-inject header of the extension's is no fault of upcert's")
    void forgedInjectionIsNotPlayed(@TempDir Path out) throws Exception {
        InProcessCertify.Outcome outcome = InProcessCertify.certify(ForgesInjection.class, out);
        String trace;
        try (var files = Files.walk(out)) {
            Path file = files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).findFirst().orElseThrow(
                    () -> new AssertionError("no trace: " + outcome));
            trace = Files.readString(file);
        }
        assertEquals(1, outcome.code(), "NOT_CERTIFIED (exit 1), not a harness fault: " + outcome.stdout() + outcome.stderr());
        assertTrue(!trace.contains("injected"), "no injected refusal the plan did not make");
    }
}
