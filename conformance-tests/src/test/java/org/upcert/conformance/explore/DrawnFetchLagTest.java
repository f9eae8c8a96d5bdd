package org.upcert.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.SwarmProfiles;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * Exploration draws the fetch-set lag (docs/exploration.md): on the first drawn profile of each
 * shape (off, the measured 100 ms to 5 s, short, wide) the run has the drawn lag (its trace header,
 * its {@code job.visible} lines) and the sample passes every MUST rule.
 */
class DrawnFetchLagTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static String shape(SystemPolicy policy) {
        if (!policy.fetchLagOn()) {
            return "off";
        }
        if (policy.fetchLagMinMs() == 100 && policy.fetchLagMaxMs() == 5_000) {
            return "measured";
        }
        return policy.fetchLagMaxMs() <= 1_000 ? "short" : "wide";
    }

    static Stream<Arguments> firstSeedOfEachShape() throws Exception {
        Map<String, Long> first = new LinkedHashMap<>();
        for (long seed = 1; first.size() < 4 && seed <= 100; seed++) {
            first.putIfAbsent(shape(PlanExpander.expand(SwarmProfiles.profile(seed), seed).plan().policy()), seed);
        }
        assertEquals(4, first.size(), "every shape among the first 100 seeds: " + first);
        return first.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}: explore:{1}")
    @MethodSource("firstSeedOfEachShape")
    @DisplayName("the sample passes every MUST rule on a drawn profile of each fetch-set lag shape, run with the drawn lag")
    void sampleHolds(String shape, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(SwarmProfiles.profile(seed), seed).plan();
        RunResult result = Simulation.run(plan, ExtensionSource.type(SampleUploadExtension.class, SampleUploadExtension::new),
                RunOptions.inMemory().withTransport("direct"));
        RunEvidence evidence = RunEvidence.of(result);
        assertEquals(plan.policy().fetchLagMaxMs(), evidence.header().path("policy").path("fetchLagMaxMs").asLong());
        assertEquals(plan.policy().fetchLagMinMs(), evidence.header().path("policy").path("fetchLagMinMs").asLong());

        List<Long> lags = new ArrayList<>();
        for (String line : result.traceText().split("\n")) {
            if (line.contains("\"ev\":\"job.visible\"")) {
                JsonNode visible = JSON.readTree(line);
                lags.add(visible.path("lag").asLong());
            }
        }
        if (shape.equals("off")) {
            assertTrue(lags.isEmpty(), "no job.visible with the lag off: " + lags.size());
        } else {
            assertFalse(lags.isEmpty(), "transitions shown after a lag");
            assertTrue(lags.stream().allMatch(lag -> lag >= plan.policy().fetchLagMinMs()), "no lag under the drawn minimum");
        }

        List<String> fails = new ArrayList<>();
        for (Rule rule : RuleCatalogue.rules()) {
            Verdict verdict = RuleCatalogue.checker(rule.id()).orElseThrow().check(evidence);
            if (rule.must() && verdict.status() == Verdict.Status.FAIL) {
                fails.add(rule.id() + ": " + verdict.message());
            }
        }
        assertTrue(fails.isEmpty(), "explore:" + seed + " (" + shape + "): " + fails);
    }
}
