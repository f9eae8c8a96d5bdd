package org.upcert.conformance.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * Issue 11 item 6: what an OS level lacks is refused the same way in every hosting mode — the
 * same exception kind for the extension, the same {@code api.refused} lines in the trace — in
 * process, in a JVM worker and as a command (the Python client).
 */
class OsLevelsAcrossHostsTest {

    private static RunPlan plan() {
        return RunPlan.of(2, Workload.typical(3).withOs("26.1"));
    }

    private static RunResult run(ExtensionSource source, String isolation) {
        RunOptions options = RunOptions.inMemory().withTransport("direct");
        return Simulation.run(plan(), source, isolation == null ? options : options.withIsolation(isolation));
    }

    private static List<String> logs(RunResult result) throws Exception {
        return ChangesThatCannotApplyTest.events(result, "log").stream().map(l -> l.path("msg").asText()).toList();
    }

    private static List<String> refusals(RunResult result) throws Exception {
        return ChangesThatCannotApplyTest.events(result, "api.refused").stream()
                .map(e -> e.path("api").asText() + ": " + e.path("reason").asText()).toList();
    }

    @Test
    @DisplayName("on iOS 26.1 every missing member is refused and recorded, in process and in a JVM worker alike")
    void inProcessAndWorker(@TempDir Path dir) throws Exception {
        Path jar = ChangesThatCannotApplyTest.jar(dir, OsLevelProbe.class);
        RunResult inProcess = run(ExtensionSource.jar(jar), "in-process");
        RunResult worker = run(ExtensionSource.jar(jar), "worker");
        assertEquals(List.of("os 26.1: createJob returned null", "type: unavailable", "error: unavailable",
                "responseHeaderFields: unavailable", "cancel: unavailable", "fetchJobs(PROCESS): unavailable",
                "assetResource: unavailable"), logs(inProcess));
        // api.refused lines are traced in key order at the simulator's next deterministic point
        assertEquals(List.of("JobChanges.cancel: not available before iOS 26.4", "UploadJob.error: not available before iOS 26.4",
                "UploadJob.responseHeaderFields: not available before iOS 26.4", "UploadJob.type: not available before iOS 26.4",
                "assetResource: not available before iOS 27", "fetchJobs(PROCESS): not available before iOS 26.5"),
                refusals(inProcess));
        assertEquals(inProcess.traceText(), worker.traceText());
    }

    @Test
    @DisplayName("as a command (the Python client) the refusals are the same, and so is the rest of the trace")
    void asACommand() throws Exception {
        String python = ChangesThatCannotApplyTest.python();
        Path script = Path.of(OsLevelsAcrossHostsTest.class.getResource("/python/os_level_probe.py").toURI());
        RunResult inProcess = run(ExtensionSource.type(OsLevelProbe.class), "in-process");
        RunResult command = run(ExtensionSource.command(List.of(python, script.toString()), script.getParent()), null);
        assertEquals("command", command.summary().isolation());
        assertEquals(logs(inProcess), logs(command));
        assertEquals(refusals(inProcess), refusals(command));
        // Beyond the header (which names the extension), only the exception class an abandoned
        // block names differs: java.lang.UnsupportedOperationException, upcert_extension.UnavailableError.
        List<String> a = normalised(inProcess);
        List<String> b = normalised(command);
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            assertEquals(a.get(i), b.get(i), "first difference at trace line " + (i + 2));
        }
        assertEquals(a.size(), b.size(), "trace length");
    }

    private static List<String> normalised(RunResult result) {
        return result.traceText().lines().skip(1)
                .map(line -> line.replaceAll("\"reason\":\"the block threw [^\"]*\"", "\"reason\":\"the block threw …\""))
                .toList();
    }
}
