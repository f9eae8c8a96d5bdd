package org.upcert.conformance.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.styles.DownloadProbe;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;

/**
 * Download-only jobs (issue 15) through the protocol: the Python client's
 * {@code create_download_job} writes the same trace as the Java API in process — on iOS 26.4 the
 * job is created ({@code type} DOWNLOAD_ONLY, no destination) and succeeds; on iOS 26.1 it is
 * refused as a missing member ({@code api.refused}) and the extension gets the exception.
 */
class DownloadJobsAcrossHostsTest {

    private static RunResult run(String os, ExtensionSource source, boolean command) {
        RunPlan plan = RunPlan.of(2, Workload.typical(3).withOs(os));
        RunOptions options = RunOptions.inMemory().withTransport("direct");
        return Simulation.run(plan, source, command ? options : options.withIsolation("in-process"));
    }

    private static List<String> normalised(RunResult result) {
        return result.traceText().lines().skip(1)
                .map(line -> line.replaceAll("\"reason\":\"the block threw [^\"]*\"", "\"reason\":\"the block threw …\""))
                .toList();
    }

    @Test
    @DisplayName("on iOS 26.4 and 26.1 the Python client and the Java API in process write the same trace")
    void pythonAndJavaAgree() throws Exception {
        String python = ChangesThatCannotApplyTest.python();
        Path script = Path.of(DownloadJobsAcrossHostsTest.class.getResource("/python/download_probe.py").toURI());
        for (String os : List.of("26.4", "26.1")) {
            RunResult java = run(os, ExtensionSource.type(DownloadProbe.class, DownloadProbe::new), false);
            RunResult command = run(os, ExtensionSource.command(List.of(python, script.toString()), script.getParent()), true);
            assertEquals("command", command.summary().isolation());
            List<String> a = normalised(java);
            List<String> b = normalised(command);
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                assertEquals(a.get(i), b.get(i), "iOS " + os + ": first difference at trace line " + (i + 2));
            }
            assertEquals(a.size(), b.size(), "trace length");
            String trace = java.traceText();
            if (os.equals("26.4")) {
                assertTrue(trace.contains("\"ev\":\"job.create\"") && trace.contains("\"type\":\"DOWNLOAD_ONLY\""), trace);
                assertTrue(trace.lines().anyMatch(l -> l.contains("\"ev\":\"job.succeeded\"") && l.contains("DOWNLOAD_ONLY")));
            } else {
                assertTrue(trace.contains("JobChanges.createDownloadJob") && trace.contains("not available before iOS 26.4"));
                assertTrue(!trace.contains("\"ev\":\"job.create\""), "no job on iOS 26.1");
            }
        }
    }
}
