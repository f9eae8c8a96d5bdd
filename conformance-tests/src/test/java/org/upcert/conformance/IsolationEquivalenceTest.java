package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;
import org.junit.jupiter.api.DisplayName;
import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.Hosting;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * Determinism across isolation modes: the sample jar run in the harness's JVM and in a JVM worker
 * process of its own writes the same trace, byte for byte, under profiles that kill it, notify it
 * and refuse its blocks (every standard profile: SampleUnderProfilesAcceptanceTest), and the same
 * certification; in the container sandbox, the same trace. The extension's code, the plan and the seed decide the trace; where the
 * code runs does not.
 */
class IsolationEquivalenceTest {

    // The trace of every standard profile (seed 1) with the sample in this JVM is compared, byte for byte,
    // with the same cell in a worker by SampleUnderProfilesAcceptanceTest (against the sample's default
    // certification's runs), which replaced a comparison of five profiles here that simulated both again.

    @Test
    @DisplayName("in the container sandbox the sample writes the same trace as in process (skipped without Docker)")
    void sameTraceInTheContainer() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.upcert.harness.host.container.DockerEngine.isAvailable(),
                () -> "no Docker engine: " + org.upcert.harness.host.container.DockerEngine.unavailableReason().orElse("?"));
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve("hard-kills"), 1).plan();
        RunResult inProcess = Simulation.run(plan, ExtensionSource.jar(BundledSample.extract().orElseThrow()),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process"));
        RunResult container = Simulation.run(plan, ExtensionSource.jar(BundledSample.extract().orElseThrow()),
                RunOptions.inMemory().withTransport("direct").withIsolation("container"));
        assertEquals("container", container.summary().isolation());
        assertEquals(inProcess.traceText(), container.traceText());
    }

    @Test
    @DisplayName("an app update inside the sample's slow sign-in kills it mid-wait, the same trace in process and in a worker")
    void killedInsideASlowWaitTheSameInAWorker() throws Exception {
        Path sample = BundledSample.extract().orElseThrow();
        org.upcert.harness.plan.PlannedFault slow = new org.upcert.harness.plan.PlannedFault.SlowResponse(0, 3_600_000, 1.0, 20_000);
        RunPlan plain = RunPlan.of(1, org.upcert.harness.plan.Workload.typical(5)).withFaults(List.of(slow));
        // where the sample's first request is answered, 20 s after it left: the update comes halfway through the wait
        long answered = firstHttp(Simulation.run(plain, ExtensionSource.jar(sample),
                RunOptions.inMemory().withIsolation(Hosting.IN_PROCESS)).traceText()).path("t").asLong();
        long update = answered - 10_000;
        RunPlan plan = plain.withFaults(List.of(slow, new org.upcert.harness.plan.PlannedFault.AppUpgrade(update, update)));
        RunResult inProcess = Simulation.run(plan, ExtensionSource.jar(sample), RunOptions.inMemory().withIsolation(Hosting.IN_PROCESS));
        RunResult worker = Simulation.run(plan, ExtensionSource.jar(sample), RunOptions.inMemory().withIsolation(Hosting.WORKER));
        assertEquals("worker", worker.summary().isolation());
        assertEquals(inProcess.traceText(), worker.traceText());
        com.fasterxml.jackson.databind.JsonNode http = firstHttp(inProcess.traceText());
        assertEquals(update, http.path("t").asLong(), inProcess.traceText());
        org.junit.jupiter.api.Assertions.assertFalse(http.has("status") || http.has("code"), "no answer: " + http);
        org.junit.jupiter.api.Assertions.assertTrue(http.has("lostStatus"), "the cloud received it: " + http);
        org.junit.jupiter.api.Assertions.assertTrue(inProcess.traceText().lines().anyMatch(line -> line.contains("\"ev\":\"process.kill\"")
                && line.contains("\"t\":" + update + ",") && line.contains("the app was updated")), inProcess.traceText());
    }

    private static com.fasterxml.jackson.databind.JsonNode firstHttp(String trace) throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String line : trace.lines().toList()) {
            com.fasterxml.jackson.databind.JsonNode event = json.readTree(line);
            if (event.path("ev").asText().equals("http")) {
                return event;
            }
        }
        throw new AssertionError("no http line: " + trace);
    }

    @Test
    @DisplayName("certify in-process and in a worker gives the same certification.json, but for the isolation it names")
    void sameCertification(@TempDir Path dir) throws Exception {
        ObjectNode inProcess = certify(dir.resolve("in-process"), "--isolation", "in-process");
        ObjectNode worker = certify(dir.resolve("worker"));
        assertEquals("in-process", inProcess.path("runs").path("isolation").asText());
        assertEquals("worker", worker.path("runs").path("isolation").asText());
        ((ObjectNode) inProcess.path("runs")).remove(List.of("isolation", "reproduce"));
        ((ObjectNode) worker.path("runs")).remove(List.of("isolation", "reproduce"));
        assertEquals(inProcess.toPrettyString(), worker.toPrettyString());
    }

    private static ObjectNode certify(Path out, String... more) throws Exception {
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(new StringWriter(), true));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        List<String> args = new java.util.ArrayList<>(List.of("certify", "--profiles", "hard-kills,lost-responses",
                "--seed", "2", "--out", out.toString(), "--quiet"));
        args.addAll(List.of(more));
        int code = cli.execute(args.toArray(new String[0]));
        assertEquals(true, code == 0 || code == 1, "certify ran: " + err);
        return (ObjectNode) new ObjectMapper().readTree(out.resolve("certification.json").toFile());
    }
}
