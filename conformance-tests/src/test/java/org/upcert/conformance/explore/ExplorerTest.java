package org.upcert.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.cli.ExploreCommand;
import org.upcert.conformance.mutants.Mutants;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * Exploration: a mutant's mistake is found within a bounded number of drawn profiles and saved as a
 * shrunk pinned profile that replays it; the sample is found correct on a few seeds; a run upcert
 * cannot judge is SKIPPED, never a FAIL; bad usage is exit 2 before any run.
 */
class ExplorerTest {
    /** A mutant's mistake must show within this many drawn profiles. */
    private static final int SEEDS_TO_FIND = 6;

    private static SuiteConfig config(Map<String, String> parameters) {
        TreeMap<String, String> all = new TreeMap<>(parameters);
        all.put("upcert.explore", "0");
        return SuiteConfig.from(key -> Optional.ofNullable(all.get(key)));
    }

    private static Explorer.Result explore(SuiteConfig config, int seeds, Path corpus, Path out) {
        return Explorer.explore(new Explorer.Settings(config, 1, seeds, 0, corpus, out, 40, 60_000), null);
    }

    @Test
    @DisplayName("a mutant that never acknowledges failed jobs: ACK-01 found, shrunk, pinned, and the pinned profile FAILs it again")
    void findsAndPinsAMutantsMistake(@TempDir Path dir) throws Exception {
        assertFoundAndReplayed(Mutants.NeverAcknowledgesFailed.class, "ACK-01", dir);
    }

    @Test
    @DisplayName("a mutant that skips videos: E2E-01 found, shrunk, pinned, and the pinned profile FAILs it again")
    void findsAndPinsAnotherMutantsMistake(@TempDir Path dir) throws Exception {
        assertFoundAndReplayed(Mutants.SkipsVideos.class, "E2E-01", dir);
    }

    private static void assertFoundAndReplayed(Class<?> mutant, String ruleId, Path dir) throws Exception {
        SuiteConfig config = config(Map.of("upcert.extension.class", mutant.getName(), "upcert.rules", ruleId));
        Path corpus = dir.resolve("corpus");
        Explorer.Result result = explore(config, SEEDS_TO_FIND, corpus, dir.resolve("out"));
        assertEquals(SEEDS_TO_FIND, result.runs().size());
        assertTrue(result.skipped().isEmpty(), "every run judged: " + result.skipped());
        Explorer.Finding finding = result.findings().stream().filter(f -> f.ruleId().equals(ruleId)).findFirst()
                .orElseThrow(() -> new AssertionError(ruleId + " not found in " + SEEDS_TO_FIND + " seeds"));
        long seed = finding.first().cell().seed();
        assertEquals("explore:" + seed, finding.first().cell().profile());
        assertEquals(config.reproduce(new Cell("explore:" + seed, seed, "generic-put"), ruleId), finding.first().reproduce(),
                "the reproduce line names the drawn profile and its seed");
        assertNotNull(finding.pinned(), finding.shrunk());
        assertEquals(corpus.resolve(ruleId + "-seed-" + seed + ".yaml"), finding.pinned());
        String yaml = Files.readString(finding.pinned());
        assertTrue(yaml.startsWith("# " + ruleId + " FAIL found by upcert explore on the profile drawn from seed " + seed), yaml);
        assertTrue(yaml.contains("\nseed: " + seed + "\n"), "the pinned profile names its seed");
        assertTrue(yaml.contains("--corpus " + corpus), "the header says how to replay the corpus");
        // a class on this class path, not in upcert's jar: ./upcert could not load it, the java -cp line can
        String replayLine = yaml.lines().filter(l -> l.startsWith("# Replay: ")).findFirst().orElse("");
        assertTrue(replayLine.startsWith("# Replay:      java -cp ") && replayLine.contains(" org.upcert.conformance.cli.Main certify --extension-class ")
                && replayLine.contains(mutant.getName()), "the replay line loads the class from this class path: " + yaml);
        assertFalse(yaml.contains("./upcert certify --extension-class"), "./upcert sees only its own jar: " + yaml);
        assertTrue(finding.shrunk().contains("faults"), finding.shrunk());
        assertTrue(finding.replayed(), "the pinned profile alone fails " + ruleId + " again");

        // certify replays the corpus as required profiles, each with its own seed, and fails the rule
        SuiteConfig replay = config(Map.of("upcert.extension.class", mutant.getName(), "upcert.rules", ruleId,
                "upcert.profiles", finding.pinned().toString(), "upcert.seeds", "1,2"));
        assertEquals(List.of(new Cell(finding.pinned().toString(), seed, "generic-put")), replay.cells(),
                "a pinned profile runs with its own seed only");
        Certification c = Certifier.certify(replay, dir.resolve("certify"), null).certification();
        assertEquals(Certification.Outcome.NOT_CERTIFIED, c.outcome());
        assertEquals(ruleId, c.failures().get(0).rule().id());
    }

    @Test
    @DisplayName("the sample: nothing found on the first seeds (a small budget; docs/exploration.md says how far it was explored)")
    void sampleHasNoFinding(@TempDir Path dir) {
        Explorer.Result result = explore(config(Map.of()), 3, dir.resolve("corpus"), dir.resolve("out"));
        assertEquals(3, result.runs().size());
        assertTrue(result.skipped().isEmpty(), "every run judged: " + result.skipped());
        assertTrue(result.findings().isEmpty(), "findings on the sample: " + result.findings().stream()
                .map(f -> f.ruleId() + " " + f.first().cell().label() + ": " + f.first().verdict().message()).toList());
        assertFalse(Files.exists(dir.resolve("corpus")), "no finding, no corpus file");
        assertTrue(result.exercised("ACK-01") > 0 && result.exercised("E2E-01") == 3, "rules exercised are counted");
    }

    @Test
    @DisplayName("a run upcert cannot judge is SKIPPED with the reason, never a FAIL of the extension")
    void harnessFaultIsSkipped(@TempDir Path dir) {
        SuiteConfig config = config(Map.of());
        Explorer.Result result = Explorer.explore(new Explorer.Settings(config, 7, 2, 0, dir.resolve("corpus"), dir, 0, 1_000), null,
                (c, cell) -> new RunOutcome(cell, null, null, "IllegalStateException: the simulator broke", 0));
        assertEquals(2, result.runs().size());
        assertEquals(2, result.skipped().size());
        assertTrue(result.skipped().get(0).skipped().startsWith("harness fault, the run could not be judged: IllegalStateException"),
                result.skipped().get(0).skipped());
        assertTrue(result.findings().isEmpty(), "a harness fault is no finding");
        assertTrue(result.harnessFaults());
        assertEquals(0, result.exercised("ACK-01"));

        // upcert running out of memory on an enormous trace (met on google-photos): its limit, a skipped run
        Explorer.Result outOfMemory = Explorer.explore(new Explorer.Settings(config, 7, 1, 0, null, null, 0, 1_000), null,
                (c, cell) -> {
                    throw new OutOfMemoryError("Java heap space");
                });
        assertEquals(1, outOfMemory.skipped().size());
        assertTrue(outOfMemory.skipped().get(0).skipped().contains("OutOfMemoryError: Java heap space"),
                outOfMemory.skipped().get(0).skipped());
        assertTrue(outOfMemory.findings().isEmpty());
    }

    @Test
    @DisplayName("a seed range with a budget: seeds in order until the budget is spent, and the result says where the range stopped")
    void rangeWithABudget() {
        SuiteConfig config = config(Map.of());
        java.util.function.BiFunction<SuiteConfig, Cell, RunOutcome> broken =
                (c, cell) -> new RunOutcome(cell, null, null, "IllegalStateException: a stand-in run", 0);
        Explorer.Settings settings = new Explorer.Settings(config, 11, 5, 60_000, null, null, 0, 1_000);

        // the budget clock moves 25 s at every look: seeds 11 and 12 start (25 s, 50 s), 75 s is past the minute
        long[] now = {0};
        Explorer.Result cut = Explorer.explore(settings, null, broken, () -> {
            long at = now[0];
            now[0] += 25_000_000_000L;
            return at;
        });
        assertEquals(List.of(11L, 12L), cut.runs().stream().map(Explorer.Run::seed).toList());
        assertEquals(13, cut.firstSeedNotRun());
        assertEquals(Optional.of("seeds 11..15: 11..12 run, 13..15 not reached (budget 1m)"), cut.notReached());

        // a budget spent before the first look: nothing runs, and the whole range is named as not reached
        long[] looks = {0};
        Explorer.Result spent = Explorer.explore(settings, null, broken, () -> looks[0]++ == 0 ? 0 : Long.MAX_VALUE / 2);
        assertTrue(spent.runs().isEmpty());
        assertTrue(spent.findings().isEmpty());
        assertEquals(Optional.of("seeds 11..15: none run, 11..15 not reached (budget 1m)"), spent.notReached());

        // a budget the range cannot reach: every seed runs, nothing is said about seeds not reached
        Explorer.Result whole = Explorer.explore(new Explorer.Settings(config, 11, 3, 3_600_000, null, null, 0, 1_000), null, broken);
        assertEquals(List.of(11L, 12L, 13L), whole.runs().stream().map(Explorer.Run::seed).toList());
        assertEquals(Optional.empty(), whole.notReached());
        // a range alone and a budget alone say nothing either
        assertEquals(Optional.empty(), Explorer.explore(new Explorer.Settings(config, 11, 2, 0, null, null, 0, 1_000), null, broken)
                .notReached());
    }

    @Test
    @DisplayName("--seeds A..B --budget D together: the range is run (a budget it cannot reach), exit 1 on a FAIL, exploration.json names the range")
    void commandRangeWithABudget(@TempDir Path dir) throws Exception {
        String text = exploreTheMutant(dir, "--seeds", "3..4", "--budget", "1h");
        assertTrue(text.contains("2 seeds (3..4) in order, none started after 1h"), text);
        assertTrue(text.contains("2 runs (seeds 3..4)"), text);
        assertFalse(text.contains("not reached"), text);
        var range = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out").resolve("exploration.json").toFile())
                .get("range");
        assertEquals(3, range.get("first").asLong());
        assertEquals(4, range.get("last").asLong());
        assertEquals(4, range.get("lastRun").asLong());
        assertTrue(range.get("firstNotRun").isNull(), range.toString());
        assertEquals(3_600_000, range.get("budgetMillis").asLong());
    }

    @Test
    @DisplayName("bad usage is exit 2 with a message, before any run")
    void badUsage(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        for (List<String> args : List.of(List.of("--seeds", "0"), List.of("--budget", "soon"), List.of("--seeds", "5..3"),
                List.of("--seeds", "3..5", "--start-seed", "2"), List.of("--seed", "3", "--budget", "1m"), List.of("--seeds", "1..2", "--budget", "0s"),
                List.of("--seeds", "1..x"),
                List.of("--seed", "3", "--seeds", "2"), List.of("--rules", "RTY-99"), List.of("--cloud", "icloud"),
                List.of("--extension", dir.resolve("missing.jar").toString()), List.of("--corpus", file.resolve("sub").toString()),
                List.of("--shrink-budget", "later"))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = UpcertCommand.commandLine(new ExploreCommand());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            java.util.ArrayList<String> all = new java.util.ArrayList<>(List.of("explore", "--out", dir.resolve("out").toString()));
            all.addAll(args);
            int code = cli.execute(all.toArray(String[]::new));
            assertEquals(2, code, args + ": " + err);
            assertTrue(err.toString().startsWith("upcert explore: "), args + ": " + err);
            assertFalse(out.toString().contains("runs "), args + " ran: " + out);
        }
    }

    @Test
    @DisplayName("--seeds N runs exactly N drawn profiles and prints the summary table and outcome")
    void commandPrintsSummary(@TempDir Path dir) {
        String text = exploreTheMutant(dir, "--seeds", "2", "--start-seed", "1");
        assertTrue(text.contains("2 seeds (1..2)"), text);
        assertTrue(text.contains("FOUND 1 failing rule · 2 runs (seeds 1..2)"), text);
        assertTrue(text.contains("ACK-01  MUST"), text);
        assertTrue(text.contains("not shrunk"), text);
        String replayAll = text.lines().filter(l -> l.contains("replay every finding: ")).findFirst().orElse("");
        assertTrue(replayAll.contains("replay every finding: java -cp ") && replayAll.contains(" org.upcert.conformance.cli.Main certify --extension-class ")
                && replayAll.contains(Mutants.NeverAcknowledgesFailed.class.getName()), text);
        assertTrue(Files.isRegularFile(dir.resolve("out").resolve("exploration.json")));
    }

    @Test
    @DisplayName("exploration runs alone never make a rule PASS: only-exploration exercise stays NOT_EXERCISED, a FAIL still fails")
    void explorationNeverStandsInForTheCatalogue() {
        org.upcert.conformance.rules.Rule rule = org.upcert.conformance.rules.RuleCatalogue.rule("RTY-02").orElseThrow();
        Cell standard = new Cell("permanent-refusals", 1, "generic-put");
        Cell drawn = new Cell("explore:3", 3, "generic-put");
        var pass = org.upcert.conformance.verdict.Verdict.pass("RTY-02", "ok");
        var notExercised = org.upcert.conformance.verdict.Verdict.notExercised("RTY-02", "no refusal");
        var fail = org.upcert.conformance.verdict.Verdict.fail("RTY-02", "looped", List.of());
        var onlyDrawn = org.upcert.conformance.suite.RuleSummary.of(rule, List.of(
                new org.upcert.conformance.suite.CellVerdict(rule, standard, notExercised, "", null, null),
                new org.upcert.conformance.suite.CellVerdict(rule, drawn, pass, "", null, null)));
        assertEquals(Status.NOT_EXERCISED, onlyDrawn.status());
        assertTrue(onlyDrawn.note(List.of("permanent-refusals")).contains("exercised only by 1 exploration run"), onlyDrawn.note(List.of()));
        var both = org.upcert.conformance.suite.RuleSummary.of(rule, List.of(
                new org.upcert.conformance.suite.CellVerdict(rule, standard, pass, "", null, null),
                new org.upcert.conformance.suite.CellVerdict(rule, drawn, pass, "", null, null)));
        assertEquals(Status.PASS, both.status());
        var drawnFail = org.upcert.conformance.suite.RuleSummary.of(rule, List.of(
                new org.upcert.conformance.suite.CellVerdict(rule, standard, pass, "", null, null),
                new org.upcert.conformance.suite.CellVerdict(rule, drawn, fail, "", null, null)));
        assertEquals(Status.FAIL, drawnFail.status());
    }

    @Test
    @DisplayName("where every standard run found a rule NOT_APPLICABLE (CLD-02 for a deployment target of iOS 27), an exploration "
            + "run that met it anyway leaves it NOT_APPLICABLE, not NOT_EXERCISED; its FAIL still fails")
    void explorationDoesNotTurnNotApplicableIntoNotExercised() {
        org.upcert.conformance.rules.Rule rule = org.upcert.conformance.rules.RuleCatalogue.rule("CLD-02").orElseThrow();
        Cell standard = new Cell("device-quirks-26x", 1, "generic-put");
        Cell drawn = new Cell("explore:3", 3, "generic-put");
        var notApplicable = org.upcert.conformance.verdict.Verdict.notApplicable("CLD-02", "deployment target 27");
        var pass = org.upcert.conformance.verdict.Verdict.pass("CLD-02", "ok");
        var notExercised = org.upcert.conformance.verdict.Verdict.notExercised("CLD-02", "no nil resource");
        var fail = org.upcert.conformance.verdict.Verdict.fail("CLD-02", "never acknowledged", List.of());
        var summary = org.upcert.conformance.suite.RuleSummary.of(rule, List.of(
                new org.upcert.conformance.suite.CellVerdict(rule, standard, notApplicable, "", null, null),
                new org.upcert.conformance.suite.CellVerdict(rule, drawn, pass, "", null, null)));
        assertEquals(Status.NOT_APPLICABLE, summary.status());
        List<org.upcert.conformance.suite.CellVerdict> many = new java.util.ArrayList<>();
        for (int i = 0; i < org.upcert.conformance.suite.RuleSummary.WELL_EXERCISED; i++) {
            many.add(new org.upcert.conformance.suite.CellVerdict(rule, standard, notApplicable, "", null, null));
        }
        many.add(new org.upcert.conformance.suite.CellVerdict(rule, drawn, pass, "", null, null));
        assertFalse(org.upcert.conformance.suite.RuleSummary.of(rule, many).thinlyExercised(),
                "a rule that does not apply is not reported as thinly exercised");
        var withGap = org.upcert.conformance.suite.RuleSummary.of(rule, List.of(
                new org.upcert.conformance.suite.CellVerdict(rule, standard, notApplicable, "", null, null),
                new org.upcert.conformance.suite.CellVerdict(rule, standard, notExercised, "", null, null),
                new org.upcert.conformance.suite.CellVerdict(rule, drawn, pass, "", null, null)));
        assertEquals(Status.NOT_EXERCISED, withGap.status(), "a standard run that could have met it and did not still counts");
        var drawnFail = org.upcert.conformance.suite.RuleSummary.of(rule, List.of(
                new org.upcert.conformance.suite.CellVerdict(rule, standard, notApplicable, "", null, null),
                new org.upcert.conformance.suite.CellVerdict(rule, drawn, fail, "", null, null)));
        assertEquals(Status.FAIL, drawnFail.status());
    }

    @Test
    @DisplayName("certify's exploration stage: on by default over every standard profile, off with --profiles, a corpus runs each file with its seed")
    void certifyStage(@TempDir Path dir) throws Exception {
        SuiteConfig all = SuiteConfig.from(key -> Optional.empty());
        assertEquals(SuiteConfig.DEFAULT_EXPLORE, all.explore());
        assertEquals(all.profiles().size() * 3 + SuiteConfig.DEFAULT_EXPLORE, all.cells().size());
        assertEquals("./upcert certify", all.certifyCommand());
        Map<String, String> some = Map.of("upcert.profiles", "baseline");
        assertEquals(0, SuiteConfig.from(key -> Optional.ofNullable(some.get(key))).explore());
        Map<String, String> three = Map.of("upcert.explore", "3");
        SuiteConfig explored = SuiteConfig.from(key -> Optional.ofNullable(three.get(key)));
        assertEquals(explored.profiles().size() * 3 + 3, explored.cells().size());
        assertEquals(new Cell("explore:1", 1, "generic-put"), explored.explorationCells().get(0));
        assertEquals(List.of(new Cell("explore:1", 1, "generic-put"), new Cell("explore:2", 2, "generic-put"),
                new Cell("explore:3", 3, "generic-put")), explored.cells().subList(explored.cells().size() - 3, explored.cells().size()));
        assertEquals(SuiteConfig.DEFAULT_EXPLORE == 3 ? "./upcert certify" : "./upcert certify --explore 3", explored.certifyCommand());

        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        Files.writeString(corpus.resolve("ACK-01-seed-9.yaml"), "description: a pinned case\nseed: 9\nworkload:\n  assets: 5\n");
        Files.writeString(corpus.resolve("notes.txt"), "not a profile");
        Map<String, String> withCorpus = Map.of("upcert.corpus", corpus.toString(), "upcert.explore", "2");
        SuiteConfig c = SuiteConfig.from(key -> Optional.ofNullable(withCorpus.get(key)));
        List<Cell> cells = c.cells();
        assertEquals(c.profiles().size() - 1, org.upcert.harness.faults.profile.ProfileCatalogue.names().size());
        assertTrue(cells.contains(new Cell(corpus.resolve("ACK-01-seed-9.yaml").toString(), 9, "generic-put")), cells.toString());
        assertEquals(2, c.explorationCells().size());
        assertEquals("./upcert certify --corpus " + corpus + " --explore 2", c.certifyCommand());

        Map<String, String> missing = Map.of("upcert.corpus", dir.resolve("nope").toString());
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.upcert.conformance.suite.SuiteConfigException.class,
                () -> SuiteConfig.from(key -> Optional.ofNullable(missing.get(key))));
        assertTrue(e.getMessage().contains("corpus folder not found"), e.getMessage());
        Map<String, String> bad = Map.of("upcert.explore", "many");
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(org.upcert.conformance.suite.SuiteConfigException.class,
                () -> SuiteConfig.from(key -> Optional.ofNullable(bad.get(key)))).getMessage().contains("--explore"));
    }

    @Test
    @DisplayName("explore tells a MUST rule no run used the optional API of (JOB-04 on an extension that never cancels:"
            + " NOT_APPLICABLE in every run) from one no run exercised, in its summary and exploration.json")
    void anOptionalApiNoRunUsedIsNotApplicable(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ExploreCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        int code = cli.execute("explore", "--extension-class", org.upcert.conformance.styles.FullWalkExtension.class.getName(),
                "--isolation", "in-process", "--rules", "JOB-04,ACK-01", "--seeds", "3", "--shrink-runs", "0",
                "--corpus", dir.resolve("corpus").toString(), "--out", dir.resolve("out").toString(), "--quiet");
        String text = out.toString();
        assertEquals(0, code, text);
        assertTrue(text.contains("MUST rules NOT_APPLICABLE in every run") && text.contains("): JOB-04"), text);
        assertFalse(text.contains("MUST rules no run exercised"), "ACK-01 was exercised, JOB-04 is not applicable: " + text);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("out").resolve("exploration.json").toFile());
        assertEquals("[\"JOB-04\"]", json.path("mustRulesNotExercised").toString());
        assertEquals("[\"JOB-04\"]", json.path("mustRulesNotApplicable").toString());
    }

    /**
     * {@code upcert explore} of the mutant that never acknowledges failed jobs (ACK-01 only, no shrinking, corpus and
     * reports in {@code dir}) with {@code seedArguments}; asserts it exits 1 (a FAIL) and returns its output.
     */
    private static String exploreTheMutant(Path dir, String... seedArguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new ExploreCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of("explore", "--extension-class",
                Mutants.NeverAcknowledgesFailed.class.getName(), "--rules", "ACK-01"));
        arguments.addAll(java.util.List.of(seedArguments));
        arguments.addAll(java.util.List.of("--shrink-runs", "0", "--corpus", dir.resolve("corpus").toString(), "--out",
                dir.resolve("out").toString(), "--quiet"));
        int code = cli.execute(arguments.toArray(String[]::new));
        String text = out.toString();
        assertEquals(1, code, text + err);
        return text;
    }
}
