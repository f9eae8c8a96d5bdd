package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * What a failed job shows the extension is the same in every hosting mode: in the harness's JVM
 * and in a worker process (whose protocol codec, {@code Values}, the Python client reads too), no
 * HTTP status by default; the status only in a run that assumes {@code http-status}.
 */
class DeviceViewAcrossHostsTest {

    /** A jar of the {@link PatientUploader} classes, serving {@link PatientUploader.StatusWitness}. */
    static Path witnessJar(Path dir) throws IOException {
        return org.upcert.conformance.testing.ExtensionJars.pack(PatientUploader.StatusWitness.class, "PatientUploader", dir, java.util.Map.of());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"in-process", "worker"})
    @DisplayName("no HTTP status reaches the extension by default; with --assume http-status it does")
    void statusOnlyWhenAssumed(String isolation, @TempDir Path dir) throws Exception {
        Path jar = witnessJar(dir);
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve("cloud-errors"), 1).plan();
        RunResult plain = Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation(isolation));
        assertEquals(isolation, plain.summary().isolation());
        assertTrue(plain.traceText().contains("\"ev\":\"job.failed\"") && plain.traceText().contains("\"status\":503"),
                "the run had refusals (the trace keeps their status)");
        assertFalse(plain.traceText().contains("witness/status-"), "the extension saw a status without the assumption");
        RunResult assumed = Simulation.run(plan, ExtensionSource.jar(jar), RunOptions.inMemory().withTransport("direct")
                .withIsolation(isolation).withAssumptions(Set.of(RunOptions.ASSUME_HTTP_STATUS)));
        assertTrue(assumed.traceText().contains("witness/status-"), "with the assumption the status reaches the extension");
    }
}
