package org.upcert.harness.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.testing.NaiveExtension;
import org.upcert.harness.testing.TestJars;

/** Same seed + plan + extension + build ⇒ the same trace, byte for byte. */
class DeterminismTest {

    private static final List<PlannedFault> FAULTS = List.of(
            new PlannedFault.HardKill(2, 4), new PlannedFault.TerminationNotice(4, 3));

    @Test
    @DisplayName("two runs with the same seed write byte-identical trace files")
    void sameSeedSameBytes(@TempDir Path dir) throws Exception {
        Path jar = TestJars.jarOf(dir, NaiveExtension.class);
        RunPlan plan = RunPlan.of(42, Workload.typical(300)).withFaults(FAULTS);
        Path first = dir.resolve("a/trace.jsonl");
        Path second = dir.resolve("b/trace.jsonl");
        RunSummary a = Simulation.run(plan, ExtensionSource.jar(jar), RunOptions.inMemory().withTraceFile(first)).summary();
        RunSummary b = Simulation.run(plan, ExtensionSource.jar(jar), RunOptions.inMemory().withTraceFile(second)).summary();
        assertTrue(a.complete(), a.toString());
        assertEquals(1, a.kills(), "the plan's kill must have struck");
        byte[] bytesA = Files.readAllBytes(first);
        byte[] bytesB = Files.readAllBytes(second);
        assertTrue(bytesA.length > 10_000, "a real trace, not an empty one");
        assertArrayEquals(bytesA, bytesB);
        assertEquals(a.withWall(0, null), b.withWall(0, null));
    }

    @Test
    @DisplayName("different seeds give different libraries and different traces")
    void differentSeedsDiffer() {
        String a = Simulation.run(RunPlan.of(1, Workload.typical(100)), ExtensionSource.type(NaiveExtension.class),
                RunOptions.inMemory()).traceText();
        String b = Simulation.run(RunPlan.of(2, Workload.typical(100)), ExtensionSource.type(NaiveExtension.class),
                RunOptions.inMemory()).traceText();
        assertNotEquals(a, b);
        assertNotEquals(firstCreate(a), firstCreate(b), "the libraries should differ");
    }

    private static String firstCreate(String trace) {
        return trace.lines().filter(l -> l.contains("\"job.create\"")).findFirst().orElseThrow();
    }

    /**
     * The machine's locale is not an input: {@code String.format("IMG_%04d", n)} without a locale wrote
     * the asset names (and the cloud stubs' object ids, upload tokens, versions) in the default locale's
     * digits, so a machine set to Arabic (Arabic-Indic digits) drew another library from the same seed:
     * other names, other payload streams, another trace.
     */
    @Test
    @DisplayName("the machine's default locale changes nothing in a trace")
    void localeIsNoInput() {
        for (String cloud : List.of("generic-put", "s3-presigned", "google-photos", "onedrive", "dropbox")) {
            RunPlan plan = RunPlan.of(7, Workload.typical(40)).withFaults(FAULTS);
            String root = traceUnder(java.util.Locale.ROOT, plan, cloud);
            String arabic = traceUnder(java.util.Locale.forLanguageTag("ar-SA"), plan, cloud);
            assertTrue(root.contains("IMG_0"), "asset names in ASCII digits: " + cloud);
            assertEquals(root, arabic, "the trace under ar-SA differs from the one under the root locale: " + cloud);
        }
    }

    private static String traceUnder(java.util.Locale locale, RunPlan plan, String cloud) {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale beforeFormat = java.util.Locale.getDefault(java.util.Locale.Category.FORMAT);
        try {
            java.util.Locale.setDefault(locale);
            return Simulation.run(plan, ExtensionSource.type(NaiveExtension.class), RunOptions.inMemory().withCloud(cloud)).traceText();
        } finally {
            java.util.Locale.setDefault(before);
            java.util.Locale.setDefault(java.util.Locale.Category.FORMAT, beforeFormat);
        }
    }

    @Test
    @DisplayName("the trace never mentions the stub's real port")
    void noPortsInTrace() {
        RunResult result = Simulation.run(RunPlan.of(9, Workload.typical(20)), ExtensionSource.type(NaiveExtension.class),
                RunOptions.inMemory());
        assertTrue(result.traceText().contains("{cloud}/dav/files/"));
        assertTrue(!result.traceText().contains("127.0.0.1:"), "a port leaked into the trace");
    }
}
