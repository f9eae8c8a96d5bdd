package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.faults.profile.ProfileParser;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * A server authenticates a request when its headers arrive. Over a slow uplink a video's upload
 * outlasts the bearer token it carries (1 h): the stub must judge the token at the request's start,
 * or a correct extension is refused (401) for a token that was valid when the upload began, and
 * re-uploads the same video for ever (the sample did, on a 2–4 Mbit/s night, before this was fixed).
 */
class LongUploadsAcceptanceTest {
    private static final String PROFILE = """
            description: videos over a very slow uplink
            imitates: a phone on a poor connection
            workload:
              assets: 3
              mix: {video: 100}
              os: "26.5"
            system:
              uplinkKbps: 150
              transferSlots: 3
            phases:
              faultPhase: 10m
              newPhotos: 0
            faults: []
            """;

    @Test
    @DisplayName("uploads that outlast their 1-hour token succeed: the token is checked when the request starts")
    void aTokenValidAtTheStartLetsTheUploadFinish() throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileParser.parse("test:long-uploads", "long-uploads", PROFILE), 1).plan();
        RunResult result = Simulation.run(plan, ExtensionSource.type(SampleUploadExtension.class),
                RunOptions.inMemory().withTransport("direct"));
        RunEvidence evidence = RunEvidence.of(result);
        TreeMap<String, Long> started = new TreeMap<>();
        long longest = 0;
        int refused = 0;
        for (TraceEvent event : evidence.events()) {
            switch (event.name()) {
                case "transfer.start" -> started.put(event.text("job"), event.t());
                case "job.succeeded" -> longest = Math.max(longest, event.t() - started.getOrDefault(event.text("job"), event.t()));
                case "job.failed" -> refused++;
                default -> { }
            }
        }
        assertTrue(longest > 3_600_000, "a transfer longer than the token's hour succeeded: longest " + longest + " ms");
        assertEquals(0, refused, "no job failed");
        for (String rule : List.of("E2E-01", "ACK-01")) {
            assertEquals("PASS", RuleCatalogue.judge(rule, evidence).status().name(), rule);
        }
    }

    @Test
    @DisplayName("a queue that outlives its tokens: at 2 Mbit/s the sample narrows its window (QueueWindow) and converges; RTY-02, E2E-01 and ACK-01 PASS")
    void aQueueThatOutlivesItsTokensIsShortened() throws Exception {
        // quiet-phone's night at half its uplink: a full queue of 100 jobs with videos takes hours
        // to send, so the jobs at its tail start after their 1-hour bearer token has expired.
        String text = ProfileCatalogue.text("quiet-phone").orElseThrow().replace("uplinkKbps: 4000", "uplinkKbps: 2000");
        assertTrue(text.contains("uplinkKbps: 2000"), "the profile still sets its home uplink");
        RunPlan plan = PlanExpander.expand(ProfileParser.parse("test:slow-quiet-phone", "slow-quiet-phone", text), 2).plan();
        RunResult result = Simulation.run(plan, ExtensionSource.type(SampleUploadExtension.class),
                RunOptions.inMemory().withTransport("direct"));
        RunEvidence evidence = RunEvidence.of(result);
        boolean narrowed = false;
        int expiredInQueue = 0;
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("storage.write") && "queue-window".equals(event.text("name"))) {
                narrowed = true;
            }
            if (event.name().equals("job.failed") && String.valueOf(event.text("cloud")).contains("token expired")) {
                expiredInQueue++;
            }
        }
        assertTrue(expiredInQueue > 0, "the profile must make queued jobs outlive their tokens, or it shows nothing");
        assertTrue(narrowed, "jobs refused for their credentials after a renewing retry narrow the queue window");
        for (String rule : List.of("RTY-02", "E2E-01", "ACK-01", "RES-03")) {
            var verdict = RuleCatalogue.judge(rule, evidence);
            assertEquals("PASS", verdict.status().name(), rule + ": " + verdict.message());
        }
    }
}
