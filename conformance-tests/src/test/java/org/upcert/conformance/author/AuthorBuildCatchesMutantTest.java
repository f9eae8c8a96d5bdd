package org.upcert.conformance.author;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.upcert.conformance.mutants.Mutants;
import org.upcert.conformance.suite.AckRulesTest;
import org.upcert.conformance.suite.JobRulesTest;

/**
 * The author's gate is honest: run the way {@link MyExtensionConformanceTest} runs it, the suite
 * fails the build for a broken extension (and passes it for the sample), and a misconfiguration
 * fails loudly rather than certifying nothing.
 */
// Alone: it drives the JVM's own suite state (CertificationState.jvm(): runs, verdicts) as an author's build does, and
// empties its runs when done, which no other class must be using then.
@Isolated
class AuthorBuildCatchesMutantTest {

    /** The JVM's runs are kept for the next ask (a certification's end with its own): this class's are let go. */
    @org.junit.jupiter.api.AfterAll
    static void forgetRuns() {
        org.upcert.conformance.suite.CertificationState.jvm().runs().clear();
    }

    private static Events run(Class<?> group, String extensionClass, String profile) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(group))
                .configurationParameter("upcert.extension.class", extensionClass)
                .configurationParameter("upcert.profiles", profile)
                .configurationParameter("upcert.seeds", "1")
                // judged per run here; whether each rule was exercised at all is the next test's business
                .configurationParameter("upcert.require-exercised", "false")
                .execute().testEvents();
    }

    @Test
    @DisplayName("a mutant that never acknowledges failed jobs fails ACK-01 in the author's build")
    void mutantFailsTheBuild() {
        Events events = run(AckRulesTest.class, Mutants.NeverAcknowledgesFailed.class.getName(), "flaky-network");
        events.assertThatEvents().haveAtLeastOne(event(test(), displayName("ACK-01 · MUST · flaky-network · seed 1"),
                finishedWithFailure()));
        events.assertThatEvents().haveAtLeastOne(event(test(), displayName("ACK-01 · MUST · all runs"), finishedWithFailure()));
    }

    @Test
    @DisplayName("the sample passes the same tests; rules a profile does not exercise are aborted, never passed")
    void samplePasses() {
        Events events = run(JobRulesTest.class, "org.upcert.sample.SampleUploadExtension", "flaky-network");
        assertEquals(0, events.failed().count(), () -> events.failed().list().toString());
        assertTrue(events.succeeded().count() >= 4);
        // JOB-04 (cancel) is not exercised by flaky-network: its run test is aborted, and its
        // summary fails because a MUST rule nobody exercised is not certified.
        Events withSummary = EngineTestKit.engine("junit-jupiter").selectors(selectClass(JobRulesTest.class))
                .configurationParameter("upcert.extension.class", "org.upcert.sample.SampleUploadExtension")
                .configurationParameter("upcert.profiles", "flaky-network").configurationParameter("upcert.seeds", "1")
                .configurationParameter("upcert.require-exercised", "true").execute().testEvents();
        withSummary.assertThatEvents().haveAtLeastOne(event(test(), displayName("JOB-04 · MUST · flaky-network · seed 1"),
                org.junit.platform.testkit.engine.EventConditions.abortedWithReason()));
    }

    @Test
    @DisplayName("a misconfigured suite fails with a message, it does not pass vacuously")
    void misconfigurationFails() {
        Events events = run(JobRulesTest.class, "com.example.NoSuchExtension", "baseline");
        assertEquals(0, events.succeeded().count());
        Events containers = EngineTestKit.engine("junit-jupiter").selectors(selectClass(JobRulesTest.class))
                .configurationParameter("upcert.extension.class", "com.example.NoSuchExtension").execute().containerEvents();
        assertTrue(containers.failed().stream().anyMatch(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class)
                .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).map(Throwable::getMessage)
                .filter(m -> m.contains("extension class not found")).isPresent()), containers.failed().list().toString());
    }
}
