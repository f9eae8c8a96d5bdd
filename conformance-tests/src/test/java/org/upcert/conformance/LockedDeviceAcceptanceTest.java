package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * The {@code locked-device} profile (issue 15): besides its two restarts, the user locks the
 * phone twice without a restart ({@code device.locked}); the app group is refused during those
 * windows while the process and its uploads go on, and the sample still passes every MUST rule.
 */
class LockedDeviceAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> events(RunResult result, String event) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : result.traceText().split("\n")) {
            if (line.contains("\"ev\":\"" + event + "\"")) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    @DisplayName("the sample passes every MUST rule under locked-device, whose device.locked windows lock the app group"
            + " without a restart")
    void sampleCertifies(long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load("locked-device"), seed).plan();
        RunResult result = Simulation.run(plan, ExtensionSource.type(SampleUploadExtension.class, SampleUploadExtension::new),
                RunOptions.inMemory().withTransport("direct"));
        RunEvidence evidence = RunEvidence.of(result);
        List<String> failed = new ArrayList<>();
        for (var rule : RuleCatalogue.rules()) {
            if (rule.must() && RuleCatalogue.checker(rule.id()).isPresent()) {
                Verdict verdict = RuleCatalogue.judge(rule.id(), evidence);
                if (verdict.failed()) {
                    failed.add(rule.id() + ": " + verdict.message());
                }
            }
        }
        assertEquals(List.of(), failed);

        List<Long> lockStarts = events(result, "fault.start").stream()
                .filter(f -> f.path("kind").asText().equals("device.locked")).map(f -> f.path("t").asLong()).toList();
        assertEquals(2, lockStarts.size(), "both device.locked windows fire");
        List<Long> locks = events(result, "device.locked").stream().map(e -> e.path("t").asLong()).toList();
        assertTrue(locks.containsAll(lockStarts), "each window locks the app group: " + locks);
        for (JsonNode exit : events(result, "process.exit")) {
            assertTrue(!exit.path("reason").asText().contains("restart") || !lockStarts.contains(exit.path("t").asLong()),
                    "a device.locked window restarts nothing: " + exit);
        }
        assertTrue(events(result, "job.failed").stream().noneMatch(j -> lockStarts.contains(j.path("t").asLong())),
                "no transfer dies when the user locks the phone: " + events(result, "job.failed"));
    }
}
