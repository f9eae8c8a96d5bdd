package org.upcert.conformance.author;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * The JUnit route as an author's build runs it: a {@code @Suite} class through the suite engine
 * (what Surefire 3 does with junit-platform-suite on the test class path).
 */
class JunitRouteTest {

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
    @DisplayName("a suite that names no extension fails loudly instead of certifying the bundled sample")
    void aSuiteWithoutAnExtensionFails() {
        Events events = suite(ForgetfulSuiteFixture.class);
        assertEquals(0, events.succeeded().stream().filter(e -> e.getTestDescriptor().isTest()).count());
        assertTrue(events.failed().stream().anyMatch(e -> message(e).filter(m -> m.contains("no extension named")).isPresent()),
                events.failed().list().toString());
    }
}
