package org.upcert.conformance.author;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The JUnit route as an author's build runs it: a {@code @Suite} class through the suite engine
 * (what Surefire 3 does with junit-platform-suite on the test class path).
 */
// Alone: it sets a -Dupcert.rules property, which every JUnit-route configuration of the JVM reads, and it drives the
// JVM's own suite state (CertificationState.jvm(): runs, verdicts), which it empties when done.
@Isolated
class JunitRouteTest {

    /** The JVM's runs are kept for the next ask (a certification's end with its own): this class's are let go. */
    @org.junit.jupiter.api.AfterAll
    static void forgetRuns() {
        org.upcert.conformance.suite.CertificationState.jvm().runs().clear();
    }

    private static Events suite(Class<?> type) {
        return EngineTestKit.engine("junit-platform-suite").selectors(selectClass(type)).execute().allEvents();
    }

    private static Optional<String> message(Event event) {
        return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(Throwable::getMessage);
    }

    @Test
    @DisplayName("a FAIL's reproduce line is mvn test -Dtest=SUITE -Dupcert.…, and its test is named by rule, profile and seed")
    void failNamesItsRunAndReproducesInMaven() {
        Events events = suite(MutantSuiteFixture.class);
        Event failed = events.failed().stream()
                .filter(e -> e.getTestDescriptor().getDisplayName().equals("ACK-01 · MUST · flaky-network · seed 1"))
                .findFirst().orElseThrow(() -> new AssertionError(events.failed().list().toString()));
        String text = message(failed).orElseThrow();
        assertTrue(text.startsWith("ACK-01 FAIL on flaky-network · seed 1: "), text);
        assertTrue(text.contains("reproduce: mvn test -Dtest=MutantSuiteFixture -Dupcert.profiles=flaky-network -Dupcert.seed=1"
                + " -Dupcert.rules=ACK-01"), text);
    }

    @Test
    @DisplayName("there, a -Dupcert.… system property wins over the suite's annotations: the reproduce line replays one rule")
    void systemPropertiesWinOverTheSuitesAnnotations() {
        System.setProperty("upcert.rules", "ACK-02");
        try {
            Events events = suite(MutantSuiteFixture.class);
            List<String> tests = events.started().stream().filter(e -> e.getTestDescriptor().isTest())
                    .map(e -> e.getTestDescriptor().getDisplayName()).toList();
            assertEquals(List.of("ACK-02 · MUST · flaky-network · seed 1", "ACK-02 · MUST · all runs"), tests);
        } finally {
            System.clearProperty("upcert.rules");
        }
    }

    @Test
    @DisplayName("a closing line counts every suite test, the aborted ones too (Surefire's total leaves them out)")
    void closingLineCountsAbortedTests() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.upcert.conformance.suite.SuiteTotals totals = new org.upcert.conformance.suite.SuiteTotals(
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        org.junit.platform.launcher.Launcher launcher = org.junit.platform.launcher.core.LauncherFactory.create(
                org.junit.platform.launcher.core.LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                        .addTestExecutionListeners(totals).build());
        launcher.execute(org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(org.upcert.conformance.suite.JobRulesTest.class))
                .configurationParameter("upcert.route", "junit")
                .configurationParameter("upcert.extension.class", "org.upcert.sample.SampleUploadExtension")
                .configurationParameter("upcert.profiles", "baseline").configurationParameter("upcert.seeds", "1")
                .configurationParameter("upcert.require-exercised", "false").build());
        String line = bytes.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
        // JOB-01..05 on one baseline run and over all runs; baseline never retries or cancels
        assertTrue(line.matches("upcert: 10 tests: \\d+ passed, 0 failed, [1-9]\\d* aborted \\(.*NOT_.*\\); an aborted test is never a pass.*"), line);
    }

    @Test
    @DisplayName("a suite that names no extension fails loudly instead of certifying the bundled sample")
    void aSuiteWithoutAnExtensionFails() {
        Events events = suite(ForgetfulSuiteFixture.class);
        assertEquals(0, events.succeeded().stream().filter(e -> e.getTestDescriptor().isTest()).count());
        assertTrue(events.failed().stream().anyMatch(e -> message(e).filter(m -> m.contains("no extension named")).isPresent()),
                events.failed().list().toString());
    }
}
