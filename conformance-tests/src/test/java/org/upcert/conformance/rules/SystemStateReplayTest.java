package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * The shared replay keeps, at each moment a rule reads, exactly what a {@link SystemState}
 * stepped through the same trace says there; it is made once per run; a figure it did not keep
 * is refused, never guessed.
 */
class SystemStateReplayTest {

    private static RunEvidence sampleOn(String profile) throws Exception {
        var plan = PlanExpander.expand(ProfileCatalogue.load(profile), 1).plan();
        var jar = BundledSample.extract().orElseThrow();
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-job-limit", "hard-kills", "consent-changes"})
    @DisplayName("every kept moment equals the state a fresh replay shows at that event")
    void keepsWhatTheStateShows(String profile) throws Exception {
        RunEvidence evidence = sampleOn(profile);
        SystemStateReplay replay = SystemStateReplay.of(evidence);
        assertSame(replay, SystemStateReplay.of(evidence), "replayed once per run, shared after");

        SystemState state = new SystemState(evidence);
        int callEnds = 0;
        int judgedEnds = 0;
        int creates = 0;
        int atLimit = 0;
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("job.create")) {
                String resource = event.text("resource");
                SystemStateReplay.BeforeCreate before = replay.beforeCreate(event);
                List<String> open = List.copyOf(state.unackedJobsOf(resource));
                assertEquals(open, before.unackedJobsOf(resource), event.raw());
                for (String job : open) {
                    assertEquals(state.createdLine(job), before.createdLine(job), event.raw());
                }
                assertEquals(state.lastSucceededAckLine(resource), before.lastSucceededAckLine(resource), event.raw());
                assertEquals(state.everUploaded(resource), before.everUploaded(resource), event.raw());
                assertEquals(state.uploadedLine(resource), before.uploadedLine(resource), event.raw());
            }
            state.apply(event);
            switch (event.name()) {
                case "call.end" -> {
                    callEnds++;
                    SystemStateReplay.Moment moment = replay.after(event);
                    assertEquals(state.jobLimit(), moment.jobLimit(), event.raw());
                    assertEquals(state.unacknowledged(), moment.unacknowledged(), event.raw());
                    assertEquals(state.inFlight(), moment.inFlight(), event.raw());
                    assertEquals(state.consentWithdrawnDuringCall(), moment.consentWithdrawnDuringCall(), event.raw());
                    if (!state.consentWithdrawnDuringCall() && event.text("outcome").equals("returned")) {
                        judgedEnds++;
                        assertEquals(state.backlogSize(), moment.backlogSize(), event.raw());
                        assertEquals(state.knownAcknowledgeable().size(), moment.knownAcknowledgeable(), event.raw());
                        assertEquals(ResultRules.remainingWork(state), moment.remainingWork(), event.raw());
                    }
                }
                case "job.create", "changes.rejected" -> {
                    creates++;
                    SystemStateReplay.Moment moment = replay.after(event);
                    assertEquals(state.jobLimit(), moment.jobLimit(), event.raw());
                    assertEquals(state.unacknowledged(), moment.unacknowledged(), event.raw());
                    if (event.name().equals("changes.rejected") || state.unacknowledged() >= state.jobLimit()) {
                        atLimit++;
                        assertEquals(state.acknowledgeableAtCallStart(), moment.acknowledgeableAtCallStart(), event.raw());
                    }
                }
                default -> {
                }
            }
        }
        assertTrue(callEnds > 0 && judgedEnds > 0 && creates > 0, profile + ": nothing compared");
        if (profile.equals("tiny-job-limit")) {
            assertTrue(atLimit > 0, "the tiny job limit is reached");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline"})
    @DisplayName("a figure the replay did not keep at an event is refused, not guessed")
    void refusesWhatItDidNotKeep(String profile) throws Exception {
        RunEvidence evidence = sampleOn(profile);
        SystemStateReplay replay = SystemStateReplay.of(evidence);
        TraceEvent create = evidence.events().stream().filter(e -> e.name().equals("job.create")).findFirst().orElseThrow();
        TraceEvent fetch = evidence.events().stream().filter(e -> e.name().equals("fetch.jobs")).findFirst().orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> replay.after(fetch), "no moment after a fetch");
        assertThrows(IllegalArgumentException.class, () -> replay.beforeCreate(fetch), "before a create only");
        assertThrows(IllegalStateException.class, () -> replay.after(create).inFlight(), "in flight: at a call.end");
        assertThrows(IllegalStateException.class, () -> replay.after(create).remainingWork(), "work: at a call.end");
        assertThrows(IllegalArgumentException.class, () -> replay.beforeCreate(create).unackedJobsOf("not-" + create.text("resource")),
                "another resource");
        if (replay.after(create).unacknowledged() < replay.after(create).jobLimit()) {
            assertThrows(IllegalStateException.class, () -> replay.after(create).acknowledgeableAtCallStart(),
                    "counted only where the queue is full");
        }
    }
}
