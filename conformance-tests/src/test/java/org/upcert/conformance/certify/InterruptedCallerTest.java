package org.upcert.conformance.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.SuiteConfig;

/**
 * A caller interrupted while it certifies (a JUnit {@code @Timeout}) gets the whole certification back,
 * its tests all ended, and its interrupt kept: the certification never ends early and lets the next one
 * start under tests that still run.
 */
class InterruptedCallerTest {

    @Test
    @DisplayName("interrupting the caller mid-certification: every run still judged, the interrupt kept for the caller")
    void interruptedCallerWaitsForItsTests(@TempDir Path out) throws Exception {
        Map<String, String> parameters = Map.of("upcert.profiles", "baseline,flaky-network", "upcert.seeds", "1,2",
                "upcert.rules", "JOB,ACK", "upcert.isolation", "in-process", "upcert.transport", "direct");
        SuiteConfig config = SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
        AtomicBoolean interruptKept = new AtomicBoolean();
        CompletableFuture<Certifier.Result> result = new CompletableFuture<>();
        CompletableFuture<Void> firstRun = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch interruptSent = new java.util.concurrent.CountDownLatch(1);
        Thread caller = new Thread(() -> {
            try {
                // each run, on its own thread, waits until the caller was interrupted: the interrupt lands mid-certification
                Certifier.Result done = Certifier.certify(config, out, null, run -> {
                    firstRun.complete(null);
                    try {
                        interruptSent.await(60, TimeUnit.SECONDS); // a real wait, bounded
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                interruptKept.set(Thread.currentThread().isInterrupted()); // before the result: the test reads it after
                result.complete(done);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "interrupted-caller");
        caller.start();
        firstRun.get(600, TimeUnit.SECONDS); // a real wait, bounded (another class may hold the certification lock): under way
        caller.interrupt();
        interruptSent.countDown();
        Certification certification = result.get(600, TimeUnit.SECONDS).certification();
        assertTrue(interruptKept.get(), "the caller's interrupt is kept for it to see");
        assertEquals(Certification.Outcome.CERTIFIED, certification.outcome(),
                "the whole certification, every run judged: " + certification.outcome());
    }
}
