package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.api.UploadError;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.mutants.MemoryAndCpuMutants;
import org.upcert.conformance.mutants.MutantCase;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * The {@code memory-and-cpu} profile (issue 15): its faults fire and have the device's effect on
 * the sample, which still passes every MUST rule; each of its mutants is caught for the reason
 * its fault gives (a memory kill, the runtime limit, a transient iCloud failure given up).
 */
class MemoryAndCpuAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE = "memory-and-cpu";

    private static RunResult run(ExtensionSource source, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(PROFILE), seed).plan();
        return Simulation.run(plan, source, RunOptions.inMemory().withTransport("direct"));
    }

    private static List<JsonNode> events(RunResult result, String event) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : result.traceText().split("\n")) {
            if (line.contains("\"ev\":\"" + event + "\"")) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static TreeMap<String, Verdict> judge(RunResult result) {
        RunEvidence evidence = RunEvidence.of(result);
        TreeMap<String, Verdict> verdicts = new TreeMap<>();
        for (RuleChecker checker : RuleCatalogue.checkers().values()) {
            verdicts.put(checker.ruleId(), checker.check(evidence));
        }
        return verdicts;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    @DisplayName("the sample passes every rule under memory-and-cpu, where memory pressure, offloads and failed iCloud downloads happen")
    void sampleCertifies(long seed) throws Exception {
        RunResult result = run(ExtensionSource.type(SampleUploadExtension.class, SampleUploadExtension::new), seed);
        TreeMap<String, Verdict> verdicts = judge(result);
        verdicts.forEach((rule, verdict) -> assertFalse(verdict.status() == Verdict.Status.FAIL, rule + " " + verdict));
        assertEquals("quiescent", result.summary().endReason(), result.summary().toString());
        assertTrue(events(result, "fault.start").stream().anyMatch(f -> f.path("kind").asText().equals("memory.pressure")));
        assertTrue(events(result, "job.failed").stream().anyMatch(f -> f.path("code").asInt() == UploadError.RESOURCE_UNAVAILABLE),
                "iCloud downloads failed");
        assertTrue(events(result, "process.kill").stream().noneMatch(k -> k.path("reason").asText().startsWith("memory")),
                "the sample holds little: never killed for memory, even under pressure: " + events(result, "process.kill"));
        assertEquals(Verdict.Status.PASS, verdicts.get("RTY-01").status(), "the -1008 failures were uploaded later");
    }

    static Stream<Arguments> mutants() {
        return MemoryAndCpuMutants.cases().stream().map(c -> Arguments.of(c.mutant(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    @DisplayName("each mutant fails its rule under memory-and-cpu, for the reason its fault gives")
    void mutantsAreCaught(String name, MutantCase c) throws Exception {
        RunResult result = run(c.source(), c.seed());
        Verdict verdict = RuleCatalogue.checker(c.ruleId()).orElseThrow().check(RunEvidence.of(result));
        assertEquals(Verdict.Status.FAIL, verdict.status(), name + ": " + verdict);
        List<JsonNode> kills = events(result, "process.kill");
        String res05 = RuleCatalogue.checker("RES-05").orElseThrow().check(RunEvidence.of(result)).message();
        switch (name) {
            case "HoardsTheLibraryInMemory" -> assertTrue(res05.contains("killed for memory (jetsam)"), "RES-05 says so: " + res05);
            case "HashesEveryOriginalAtEveryCall" -> assertTrue(res05.contains("killed at the runtime limit"), "RES-05 says so: " + res05);
            case "SavesItsLedgerWithThePreviewCache" -> assertTrue(res05.contains("killed for memory (jetsam)"), "RES-05 says so: " + res05);
            default -> assertFalse(res05.contains("killed"), res05);
        }
        switch (name) {
            case "HoardsTheLibraryInMemory" -> assertTrue(kills.stream().anyMatch(k -> k.path("reason").asText().startsWith("memory")),
                    "killed for memory: " + kills);
            case "HashesEveryOriginalAtEveryCall" -> assertTrue(kills.stream().anyMatch(k -> k.path("reason").asText().startsWith("runtime limit")),
                    "killed at the runtime limit: " + kills);
            case "SavesItsLedgerWithThePreviewCache" -> assertTrue(kills.stream().anyMatch(k -> k.path("reason").asText().startsWith("memory")
                    && k.path("budget").asLong() < 32L * 1024 * 1024), "killed for memory, under a pressure window: " + kills);
            case "TreatsAnICloudFailureAsPermanent" -> assertTrue(events(result, "job.failed").stream()
                    .anyMatch(f -> f.path("code").asInt() == UploadError.RESOURCE_UNAVAILABLE), "iCloud downloads failed");
            default -> throw new AssertionError("no expectation for " + name);
        }
    }

    static Stream<Arguments> caughtByPressureAlone() {
        return MemoryAndCpuMutants.caughtByPressureAlone().stream().map(c -> Arguments.of(c.mutant(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caughtByPressureAlone")
    @DisplayName("the memory.pressure windows alone catch the mutant: the same profile and seed without them pass every MUST rule")
    void pressureWindowsAloneCatch(String name, MutantCase c) throws Exception {
        RunPlan withWindows = c.plan();
        RunPlan withoutWindows = withWindows.withFaults(withWindows.faults().stream()
                .filter(f -> !(f instanceof PlannedFault.MemoryPressure)).toList());
        assertTrue(withoutWindows.faults().size() < withWindows.faults().size(), "the profile has memory.pressure windows to take out");

        RunResult quiet = Simulation.run(withoutWindows, c.source(), c.options());
        TreeMap<String, Verdict> quietVerdicts = judge(quiet);
        for (var rule : RuleCatalogue.rules()) {
            if (rule.must()) {
                assertFalse(quietVerdicts.get(rule.id()).status() == Verdict.Status.FAIL,
                        name + " without the windows: " + rule.id() + " " + quietVerdicts.get(rule.id()));
            }
        }
        assertTrue(events(quiet, "process.kill").isEmpty(), "nothing else in the profile kills it: " + events(quiet, "process.kill"));

        RunResult pressed = Simulation.run(withWindows, c.source(), c.options());
        Verdict verdict = judge(pressed).get(c.ruleId());
        assertEquals(Verdict.Status.FAIL, verdict.status(), name + " with the windows: " + verdict);
        assertTrue(verdict.message().contains("memory limit exceeded (jetsam)"), "the FAIL names the jetsam kill: " + verdict.message());
        assertTrue(events(pressed, "process.kill").stream().allMatch(k -> k.path("reason").asText().startsWith("memory")
                && k.path("budget").asLong() < 32L * 1024 * 1024), "every kill is a memory kill under a window: " + events(pressed, "process.kill"));
    }
}
