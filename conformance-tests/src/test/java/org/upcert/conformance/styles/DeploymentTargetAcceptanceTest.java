package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.AssetResource.ResourceType;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.scope.DeclaredScope;

/**
 * An extension that needs iOS 26.4 (it reads {@code responseHeaderFields} and {@code error}
 * without an availability check, as a Swift extension whose deployment target is 26.4 may) is
 * never run on a 26.1 device. Declared, upcert runs the 26.1 profile at 26.4 and the extension
 * is judged on what it really meets; undeclared, the same extension is refused the missing API
 * on every call and fails — which is right for an extension that claims to run on 26.1.
 */
class DeploymentTargetAcceptanceTest {

    private static RunEvidence run(String deploymentTarget) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve("device-quirks-26x"), 1).plan();
        ExtensionSource source = ExtensionSource.type(PatientUploader.class);
        if (deploymentTarget != null) {
            source.withDeclaredScope(new DeclaredScope(true, EnumSet.allOf(ResourceType.class), OptionalLong.empty(), deploymentTarget));
        }
        return RunEvidence.of(Simulation.run(plan, source, RunOptions.inMemory().withTransport("direct")));
    }

    private static TreeMap<String, Verdict> failures(RunEvidence evidence) {
        TreeMap<String, Verdict> failed = new TreeMap<>();
        for (String rule : RuleCatalogue.ids()) {
            Verdict verdict = RuleCatalogue.judge(rule, evidence);
            if (verdict.failed()) {
                failed.put(rule, verdict);
            }
        }
        return failed;
    }

    private static long refusals(RunEvidence evidence) {
        return evidence.events().stream().filter(e -> e.name().equals("api.refused")).count();
    }

    @Test
    @DisplayName("declared 26.4: device-quirks-26x runs at iOS 26.4 with its quirks, the header says so, and no rule fails")
    void declaredItIsJudgedOnTheDevicesItRunsOn() throws Exception {
        RunEvidence evidence = run("26.4");
        assertEquals("26.4", evidence.header().path("workload").path("os").asText());
        assertEquals("26.1", evidence.header().path("osRaisedFrom").asText(), "the trace says which level the profile asked for");
        assertEquals("26.4", evidence.header().path("scope").path("deploymentTarget").asText());
        assertTrue(evidence.header().path("policy").path("nilResourceOnTerminalJobs").asBoolean(), "the 26.x quirks stay");
        assertEquals(0, refusals(evidence), "no API refused: the extension meets only the levels it runs on");
        assertEquals(List.of(), List.copyOf(failures(evidence).values()));
    }

    @Test
    @DisplayName("undeclared, the same extension runs on iOS 26.1, is refused the 26.4 API it calls, and fails")
    void undeclaredItIsRefusedTheApiItsDeviceLacks() throws Exception {
        RunEvidence evidence = run(null);
        assertEquals("26.1", evidence.header().path("workload").path("os").asText());
        assertTrue(evidence.header().path("osRaisedFrom").isMissingNode(), "nothing raised");
        assertTrue(refusals(evidence) > 10, "responseHeaderFields refused at 26.1, call after call");
        assertFalse(failures(evidence).isEmpty(), "an extension claiming 26.1 must work on 26.1");
    }

    private static RunEvidence run(Class<? extends org.upcert.api.UploadExtension> type, String profile, String deploymentTarget)
            throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve(profile), 1).plan();
        ExtensionSource source = ExtensionSource.type(type);
        if (deploymentTarget != null) {
            source.withDeclaredScope(new DeclaredScope(true, EnumSet.allOf(ResourceType.class), OptionalLong.empty(), deploymentTarget));
        }
        return RunEvidence.of(Simulation.run(plan, source, RunOptions.inMemory().withTransport("direct")));
    }

    @Test
    @DisplayName("declared iOS 27, CLD-02's situation (a 26.x nil resource, a job outliving an upgrade from 26.x) is out of reach: "
            + "NOT_APPLICABLE, not NOT_EXERCISED, which kept every iOS 27-only extension (Nextcloud's) from certifying")
    void anIos27ExtensionIsNotAskedForA26xQuirk() throws Exception {
        RunEvidence evidence = run(NextcloudStyle.class, "device-quirks-26x", "27");
        assertEquals("27", evidence.header().path("workload").path("os").asText());
        assertEquals(Verdict.Status.NOT_EXERCISED, RuleCatalogue.checker("CLD-02").orElseThrow().check(evidence).status(),
                "the checker finds nothing to judge");
        Verdict judged = RuleCatalogue.judge("CLD-02", evidence);
        assertEquals(Verdict.Status.NOT_APPLICABLE, judged.status(), judged.toString());
        assertTrue(judged.message().contains("iOS 27 and later only"), judged.message());
        Verdict at265 = RuleCatalogue.judge("CLD-02", run(NextcloudStyle.class, "device-quirks-26x", "26.5"));
        assertEquals(Verdict.Status.PASS, at265.status(), "declared 26.5 it meets the quirk, and handles it: " + at265);
    }

    @Test
    @DisplayName("declared iOS 27, a profile that switches the nil-resource quirk on at 27 itself still exercises CLD-02: "
            + "the mutant that skips jobs without a resource FAILs")
    void aQuirkSwitchedOnAt27IsStillJudged(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String at27 = new String(ProfileCatalogue.class.getResourceAsStream("/upcert/profiles/device-quirks-26x.yaml").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8).replace("os: \"26.1\"", "os: \"27\"");
        assertTrue(at27.contains("os: \"27\""));
        java.nio.file.Path profile = java.nio.file.Files.writeString(dir.resolve("quirks-at-27.yaml"), at27);
        Verdict verdict = RuleCatalogue.judge("CLD-02", run(org.upcert.conformance.mutants.CloudMutants.SkipsJobsWithoutResource.class,
                profile.toString(), "27"));
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
    }
}
