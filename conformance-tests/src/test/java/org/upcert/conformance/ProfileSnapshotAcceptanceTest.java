package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SharedRuns;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteConfigException;

/**
 * A certificate comes from one version of its inputs: a profile file is read once, when the
 * configuration is read, and every cell of the certification runs that version, whatever happens
 * to the file meanwhile; certification.json names the version by its SHA-256.
 */
class ProfileSnapshotAcceptanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SAMPLE = "org.upcert.sample.SampleUploadExtension";

    /** A small fault-free profile whose library has {@code assets} assets. */
    private static String profile(int assets) {
        return "description: a small library, edited during the certification\n"
                + "workload:\n  assets: " + assets + "\n  jobLimit: 10\n  os: \"26.4\"\n"
                + "phases:\n  faultPhase: 30m\n"
                + "faults: []\n";
    }

    private static SuiteConfig config(Path file, String seeds) {
        Map<String, String> parameters = Map.of("upcert.extension.class", SAMPLE, "upcert.profiles", file.toString(),
                "upcert.seeds", seeds, "upcert.explore", "0", "upcert.rules", "E2E-01,ACK-01,ACK-02");
        return SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("a profile file edited before the runs and again after the first run: every run uses the version read at the start")
    void everyCellRunsTheVersionReadAtTheStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small.yaml");
        String read = profile(20);
        Files.writeString(file, read);
        // more cells than runs at once: the later ones start only after the first has finished (and
        // the file was edited again), so reading the file per cell would give them the third version
        SuiteConfig config = config(file, "8");
        Files.writeString(file, profile(30)); // edited after the configuration was read, before certify launches the runs
        AtomicBoolean edited = new AtomicBoolean();
        TreeMap<Long, Integer> assetsBySeed = new TreeMap<>();
        Certifier.Result result = Certifier.certify(config, dir.resolve("out"), null, outcome -> {
            synchronized (assetsBySeed) {
                if (edited.compareAndSet(false, true)) {
                    try {
                        Files.writeString(file, profile(40)); // edited again once the first run has finished
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                assetsBySeed.put(outcome.cell().seed(), outcome.evidence().header().path("library").path("assets").asInt());
            }
        });
        assertTrue(edited.get(), "the listener saw the runs");
        assertEquals(8, assetsBySeed.size(), "every run finished: " + assetsBySeed);
        assetsBySeed.forEach((seed, assets) -> assertEquals(20, assets, "seed " + seed + " ran another version of the profile: "
                + assetsBySeed));
        Certification c = result.certification();
        assertEquals(List.of(), c.harnessFaults());
        assertEquals(List.of(), c.failures(), "the sample fails nothing on a fault-free profile");
        JsonNode json = JSON.readTree(result.out().resolve("certification.json").toFile());
        assertEquals(sha256(read), json.path("runs").path("profileSha256").path(file.toString()).asText(),
                "the certificate names the version the runs used");
        assertTrue(Files.readString(result.out().resolve("CERTIFICATION.md")).contains(file + " " + sha256(read)));
    }

    @Test
    @DisplayName("a run of a configuration whose profile file became malformed runs the version the configuration read")
    void aMalformedEditChangesNoRun(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small.yaml");
        Files.writeString(file, profile(20));
        SuiteConfig config = config(file, "1");
        Files.writeString(file, "workload: [not a map\n");
        RunOutcome outcome = SharedRuns.simulate(config, new Cell(file.toString(), 1, SuiteConfig.DEFAULT_CLOUD));
        assertEquals(null, outcome.harnessFault());
        assertEquals(20, outcome.evidence().header().path("library").path("assets").asInt());
        // read afresh, the same file is bad input before any run, with where it went wrong
        SuiteConfigException bad = assertThrows(SuiteConfigException.class, () -> config(file, "1"));
        assertTrue(bad.getMessage().matches("(?s)" + java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: .*"),
                bad.getMessage());
    }
}
