package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import org.upcert.conformance.cli.ExploreCommand;
import org.upcert.conformance.cli.ShrinkCommand;
import org.upcert.conformance.mutants.Mutants;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SharedRuns;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteConfigException;
import org.upcert.harness.cli.UpcertCommand;
import org.upcert.harness.faults.profile.SwarmProfiles;
import picocli.CommandLine;

/**
 * A certificate comes from one version of its inputs: a profile file is read once, when the
 * configuration is read, and every cell of the certification runs that version, whatever happens
 * to the file meanwhile; certification.json names the version by its SHA-256. shrink and explore
 * read their profiles the same way and name the version too.
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

    /** A writer that runs {@code once} at the first thing the command prints (its header: the profile has been read). */
    private static PrintWriter editingAtFirstLine(StringWriter into, Runnable once) {
        AtomicBoolean done = new AtomicBoolean();
        return new PrintWriter(new java.io.Writer() {
            @Override
            public void write(char[] chars, int offset, int length) {
                if (done.compareAndSet(false, true)) {
                    once.run();
                }
                into.write(chars, offset, length);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        }, true);
    }

    @Test
    @DisplayName("shrink reads its profile file once: edited once shrinking has begun, the pinned profile is the version read, named by its SHA-256")
    void shrinkNamesTheVersionItShrank(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small.yaml");
        String read = profile(20).replace("jobLimit: 10", "jobLimit: 7");
        Files.writeString(file, read);
        StringWriter out = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ShrinkCommand());
        cli.setOut(editingAtFirstLine(out, () -> {
            try {
                Files.writeString(file, profile(20).replace("jobLimit: 10", "jobLimit: 9"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("shrink", "--extension-class", Mutants.SkipsVideos.class.getName(), "--isolation", "in-process",
                "--profile", file.toString(), "--seed", "1", "--rule", "E2E-01", "--max-runs", "3", "--out", dir.resolve("shrink").toString());
        assertEquals(0, code, out + "\n" + err);
        assertTrue(Files.readString(file).contains("jobLimit: 9"), "the file was edited during the shrinking");
        String sha = sha256(read);
        assertTrue(out.toString().contains("(sha256 " + sha + ")"), out.toString());
        try (var files = Files.list(dir.resolve("shrink"))) {
            Path pinned = files.filter(f -> f.toString().endsWith("-minimal.yaml")).findFirst().orElseThrow();
            String yaml = Files.readString(pinned);
            assertTrue(yaml.contains(file + ", sha256 " + sha + ")"), yaml);
            assertTrue(yaml.contains("jobLimit: 7"), "the version read, not the edited one: " + yaml);
        }
    }

    @Test
    @DisplayName("a malformed profile file is bad input to shrink (exit 2, file:line:column) before any run")
    void shrinkRefusesAMalformedProfile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "workload: [not a map\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ShrinkCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("shrink", "--profile", file.toString(), "--seed", "1", "--rule", "E2E-01", "--out",
                dir.resolve("shrink").toString());
        assertEquals(2, code, out + "\n" + err);
        assertTrue(err.toString().matches("(?s)upcert shrink: " + java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: .*"),
                err.toString());
    }

    @Test
    @DisplayName("explore names the version of each drawn profile it ran by its SHA-256, in exploration.json and in the pinned file")
    void exploreNamesTheDrawnVersion(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ExploreCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("explore", "--extension-class", Mutants.NeverAcknowledgesFailed.class.getName(), "--rules", "ACK-01",
                "--seeds", "2", "--shrink-runs", "0", "--corpus", dir.resolve("corpus").toString(), "--out",
                dir.resolve("out").toString(), "--quiet");
        assertEquals(1, code, out + "\n" + err);
        JsonNode json = JSON.readTree(dir.resolve("out").resolve("exploration.json").toFile());
        for (JsonNode seed : json.path("seeds")) {
            long n = seed.path("seed").asLong();
            assertEquals(sha256(SwarmProfiles.yaml(n)), seed.path("profileSha256").asText(), "explore:" + n);
        }
        JsonNode finding = json.path("findings").get(0);
        String pinned = Files.readString(Path.of(finding.path("pinned").asText()));
        assertTrue(pinned.contains("(explore:" + finding.path("seed").asLong() + ", sha256 " + sha256(SwarmProfiles.yaml(
                finding.path("seed").asLong())) + " as this build drew it)"), pinned);
    }
}
