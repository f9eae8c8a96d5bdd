package org.upcert.conformance.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.upcert.conformance.explore.ExploreProgress;
import org.upcert.conformance.explore.Explorer;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteConfigException;
import org.upcert.harness.cli.ExitCode;
import org.upcert.harness.cli.OutputLocation;
import org.upcert.harness.faults.profile.Durations;
import org.upcert.harness.run.Interruption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code upcert explore}: swarm testing — every seed draws its own profile; failures become pinned profiles. */
@Command(name = "explore", mixinStandardHelpOptions = true,
        header = "Swarm testing: each seed draws its own profile; each failure is shrunk and pinned in a corpus.",
        description = {"Explore (swarm testing): each seed draws its own profile, explore:SEED: a",
                "random subset of fault kinds with random parameters, OS level, job limit,",
                "library size and churn, device quirks, fetch-set lag, recovery; every rule judges its run,",
                "in parallel on all cores. The first failing run of each rule is shrunk and saved",
                "as a pinned profile in the corpus folder (RULE-seed-N.yaml): commit it, and",
                "'certify --corpus DIR' replays it as a regression test. --seed N replays a seed.",
                "A sweep: --seeds A..B --budget 10m runs the range in order and stops starting seeds",
                "when the budget is spent; the summary names the first seed not reached.",
                "A run upcert cannot judge (a harness fault, an impossible drawn profile) is",
                "SKIPPED with the reason, never a FAIL of the extension. See docs/exploration.md.",
                "Exit 0 nothing found (also when the budget ended the range), 1 a rule failed (findings",
                "written), 2 bad usage or input (nothing run), 3 upcert failed in some run and no rule",
                "failed, 130 Ctrl-C.",
                ""})
public final class ExploreCommand implements Callable<Integer> {
    /** How long Ctrl-C waits for the summary of the finished runs before the JVM exits anyway. */
    private static final java.time.Duration INTERRUPT_WAIT = java.time.Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Mixin
    ExtensionOptions extension = new ExtensionOptions();

    @Option(names = "--budget", paramLabel = "DURATION",
            description = {"Start new runs until this much wall time is spent, e.g. 90s, 10m (default: 10m unless --seeds or --seed).",
                    "Runs under way finish; shrinking the findings comes after it. With --seeds, a time box for the range:",
                    "its seeds run in order until the budget is spent, and the summary says the first seed not reached."})
    String budget;

    @Option(names = "--seeds", paramLabel = "N|A..B", description = {"Run exactly N seeds (--start-seed .. +N-1), or the seeds A..B,",
            "instead of a time budget; with --budget, at most those."})
    String seeds;

    @Option(names = "--start-seed", paramLabel = "N", defaultValue = "1", description = "The first seed (default: ${DEFAULT-VALUE}).")
    long startSeed;

    @Option(names = "--seed", paramLabel = "N", description = "One seed alone: how an exploration run is replayed (= --seeds 1 --start-seed N).")
    Long seed;

    @Option(names = "--cloud", paramLabel = "DIALECT", defaultValue = "generic-put", description = "Cloud dialect (default: ${DEFAULT-VALUE}).")
    String cloud;

    @Option(names = "--rules", paramLabel = "IDS", defaultValue = "all",
            description = "Rules or groups to judge, e.g. RTY-02,TRM (default: ${DEFAULT-VALUE}).")
    String rules;

    @Option(names = "--corpus", paramLabel = "DIR", defaultValue = "upcert-corpus",
            description = "Where findings are saved as pinned profiles, to commit (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Option(names = "--shrink-runs", paramLabel = "N", defaultValue = "100",
            description = "At most N runs to shrink each finding; 0 pins the drawn plan unshrunk (default: ${DEFAULT-VALUE}).")
    int shrinkRuns;

    @Option(names = "--shrink-budget", paramLabel = "DURATION", defaultValue = "1m",
            description = "At most this much wall time to shrink each finding (default: ${DEFAULT-VALUE}); the best so far is kept.")
    String shrinkBudget;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/upcert/explore",
            description = "Report folder: exploration.json and the traces of failing runs (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout (the rest goes to stderr).")
    boolean json;

    @Option(names = "--quiet", description = "No progress line (it is off anyway when stderr is not a terminal or CI is set).")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // as certify's: what the extension wrote (a FAIL's message, a skipped run's reason) cannot draw on the terminal
        PrintWriter human = org.upcert.harness.cli.TerminalText.guard(json ? err : stdout);
        int count;
        long first = startSeed;
        long budgetMillis = 0;
        OptionalLong shrinkMillis = Durations.parse(shrinkBudget);
        if (seed != null && (seeds != null || budget != null)) {
            err.println("upcert explore: --seed replays one seed: give it without --seeds or --budget");
            return ExitCode.USAGE.code();
        }
        if (seed != null) {
            count = 1;
            first = seed;
        } else if (seeds != null) {
            java.util.regex.Matcher range = java.util.regex.Pattern.compile("(\\d{1,18})\\.\\.(\\d{1,18})").matcher(seeds.trim());
            long n;
            if (range.matches()) {
                first = Long.parseLong(range.group(1));
                n = Long.parseLong(range.group(2)) - first + 1;
                if (spec.commandLine().getParseResult().hasMatchedOption("--start-seed") && startSeed != first) {
                    err.println("upcert explore: --seeds " + seeds + " starts at " + first + ", --start-seed says " + startSeed + ": give one");
                    return ExitCode.USAGE.code();
                }
            } else {
                n = seeds.trim().matches("\\d{1,9}") ? Long.parseLong(seeds.trim()) : -1;
            }
            if (n < 1 || n > 1_000_000) {
                err.println("upcert explore: --seeds must be a count 1..1000000 or a range A..B of at most 1000000 seeds, not " + seeds);
                return ExitCode.USAGE.code();
            }
            count = (int) n;
        } else {
            count = 0;
        }
        if (seed == null && (seeds == null || budget != null)) {
            OptionalLong parsed = Durations.parse(budget == null ? "10m" : budget);
            if (parsed.isEmpty() || parsed.getAsLong() <= 0) {
                err.println("upcert explore: --budget must be a duration above 0 such as 90s or 10m, not '" + budget + "'");
                return ExitCode.USAGE.code();
            }
            budgetMillis = parsed.getAsLong();
        }
        if (shrinkMillis.isEmpty() || shrinkRuns < 0) {
            err.println("upcert explore: --shrink-budget must be a duration such as 90s or 1m and --shrink-runs at least 0");
            return ExitCode.USAGE.code();
        }
        SuiteConfig config;
        try {
            TreeMap<String, String> parameters = new TreeMap<>();
            extension.into(parameters);
            parameters.put("upcert.cloud", cloud);
            parameters.put("upcert.rules", rules);
            parameters.put("upcert.explore", "0");
            config = SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
            org.upcert.harness.run.Hosting.requireAvailable(config.resolvedIsolation());
        } catch (SuiteConfigException | IllegalArgumentException e) {
            err.println("upcert explore: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        for (Path folder : List.of(out, corpus)) {
            Optional<String> unwritable = OutputLocation.folderProblem(folder);
            if (unwritable.isPresent()) {
                err.println("upcert explore: " + (folder == out ? "--out " : "--corpus ") + unwritable.get() + "; nothing was run");
                return ExitCode.USAGE.code();
            }
        }
        boolean live = !quiet && System.console() != null && System.getenv("CI") == null;
        int threads = Runtime.getRuntime().availableProcessors();
        human.println("upcert explore — " + config.describeExtension());
        human.println("  runs        " + (count > 0 ? count + (count == 1 ? " seed (" + first + ")" : " seeds (" + first + ".." + (first + count - 1) + ")")
                + (budgetMillis > 0 ? " in order, none started after " + Durations.format(budgetMillis) : "")
                : "seeds from " + first + " for " + Durations.format(budgetMillis)) + ", each its own drawn profile (explore:SEED) · cloud "
                + config.cloud() + " · isolation " + config.resolvedIsolation() + " · " + config.rules().size() + " rules · " + threads
                + " runs in parallel");
        human.flush();
        Explorer.Settings settings = new Explorer.Settings(config, first, count, budgetMillis, corpus, out, shrinkRuns,
                shrinkMillis.getAsLong());
        ExploreProgress progress = live ? new ExploreProgress(System.err, count, budgetMillis) : null;
        Explorer.Result result;
        // The guard stays open until the report is out: on Ctrl-C the JVM exits as soon as it closes,
        // and a guard closed before the summary was printed lost it and exploration.json (55 min of
        // runs, seeds 1..150 of the SQLite style, ended with the table's header line alone).
        try (Interruption.Guard guard = Interruption.guard(INTERRUPT_WAIT)) {
            result = Explorer.explore(settings, progress);
            if (progress != null) {
                progress.clear();
            }
            print(human, config, result);
            human.flush();
            ObjectNode summary = json(config, result);
            try {
                Files.createDirectories(out);
                // half a surrogate pair anywhere in it would make the UTF-8 writer refuse the whole file
                Files.writeString(out.resolve("exploration.json"), org.upcert.harness.cli.TerminalText.pairedSurrogatesOnly(
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n"));
            } catch (IOException e) {
                err.println("upcert explore: cannot write " + out.resolve("exploration.json") + ": " + e.getMessage());
            }
            if (json) {
                stdout.println(summary.toString());
            }
            stdout.flush();
            err.flush();
        }
        if (result.interrupted()) {
            return ExitCode.INTERRUPTED.code();
        }
        if (!result.findings().isEmpty()) {
            return ExitCode.FAILED.code();
        }
        return result.harnessFaults() ? ExitCode.HARNESS_FAULT.code() : ExitCode.OK.code();
    }

    private static void print(PrintWriter out, SuiteConfig config, Explorer.Result result) {
        out.println();
        out.println("  rule    sev     runs exercised   failed");
        for (Rule rule : config.rules()) {
            int failed = result.failed(rule.id());
            out.println(String.format(Locale.ROOT, "  %-7s %-7s %14d   %s", rule.id(), rule.severity(), result.exercised(rule.id()),
                    failed == 0 ? "-" : failed + " FAIL"));
        }
        out.println();
        int judged = result.runs().size() - result.skipped().size();
        String outcome = result.interrupted() ? "INTERRUPTED (Ctrl-C)"
                : result.findings().isEmpty() ? "NOTHING FOUND" : "FOUND " + result.findings().size() + (result.findings().size() == 1
                ? " failing rule" : " failing rules");
        String seedRange = result.runs().isEmpty() ? "no seed" : "seeds " + result.runs().get(0).seed() + ".."
                + result.runs().get(result.runs().size() - 1).seed();
        out.println(outcome + " · " + result.runs().size() + " runs (" + seedRange + "), " + judged + " judged, "
                + result.skipped().size() + " skipped · wall " + String.format(Locale.ROOT, "%.1f s", result.wallMillis() / 1000.0));
        // a range its budget ended: where the next sweep starts (nothing found stays exit 0, the seeds run found nothing)
        result.notReached().ifPresent(reach -> out.println("  " + reach + "; go on with --seeds " + result.firstSeedNotRun() + ".."
                + (result.settings().startSeed() + result.settings().seeds() - 1)));
        List<String> never = config.rules().stream().filter(Rule::must).map(Rule::id).filter(id -> result.exercised(id) == 0)
                .filter(id -> !neverApplicable(result, id)).toList();
        if (!never.isEmpty() && judged > 0) {
            // nothing found about a rule no run exercised: say so, or "nothing found" would read as a pass
            out.println("  MUST rules no run exercised (nothing was learnt about them): " + String.join(", ", never));
        }
        List<String> unused = config.rules().stream().filter(Rule::must).map(Rule::id).filter(id -> neverApplicable(result, id)).toList();
        if (!unused.isEmpty()) {
            // e.g. JOB-04 on an extension that never cancels: nothing learnt either, but no draw can change that
            out.println("  MUST rules NOT_APPLICABLE in every run (what they judge is optional and no run used it, e.g. cancel;"
                    + " nothing was learnt about them): " + String.join(", ", unused));
        }
        for (Explorer.Finding finding : result.findings()) {
            out.println();
            out.println("  " + finding.ruleId() + " FAIL in " + finding.runs() + (finding.runs() == 1 ? " run" : " runs") + ", first "
                    + finding.first().cell().label() + ": " + finding.first().verdict().message());
            out.println("    reproduce  " + finding.first().reproduce());
            if (!finding.shrunk().isEmpty()) {
                out.println("    shrunk     " + finding.shrunk());
            }
            if (finding.pinned() != null) {
                out.println("    pinned     " + finding.pinned() + (finding.replayed() ? "   (replayed alone: FAILs " + finding.ruleId() + " again)"
                        : "   (replayed alone, it did NOT fail again: keep the reproduce line instead)"));
            }
            if (finding.trace() != null) {
                out.println("    trace      " + finding.trace());
            }
        }
        for (Explorer.Run run : result.skipped()) {
            out.println("  SKIPPED seed " + run.seed() + ": " + run.skipped());
        }
        result.skippedRules().forEach((rule, why) -> out.println("  SKIPPED " + rule + " on some runs (" + why + ")"));
        if (!result.findings().isEmpty() && result.findings().stream().anyMatch(f -> f.pinned() != null)) {
            out.println();
            out.println("  replay every finding: " + config.certifyPrefix() + " --corpus "
                    + result.settings().corpus() + (config.cloud().equals(SuiteConfig.DEFAULT_CLOUD) ? "" : " --cloud " + config.cloud()));
        }
    }

    private static ObjectNode json(SuiteConfig config, Explorer.Result result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("outcome", result.interrupted() ? "INTERRUPTED" : result.findings().isEmpty() ? "NOTHING_FOUND" : "FOUND");
        root.put("extension", config.describeExtension());
        root.put("cloud", config.cloud());
        root.put("runs", result.runs().size());
        root.put("skipped", result.skipped().size());
        root.put("wallMillis", result.wallMillis());
        if (result.settings().seeds() > 0) {
            // the range asked for and how far it got: a budget or Ctrl-C may end it before its last seed
            ObjectNode range = root.putObject("range");
            range.put("first", result.settings().startSeed());
            range.put("last", result.settings().startSeed() + result.settings().seeds() - 1);
            if (result.settings().budgetMillis() > 0) {
                range.put("budgetMillis", result.settings().budgetMillis());
            }
            if (result.runs().isEmpty()) {
                range.putNull("lastRun");
            } else {
                range.put("lastRun", result.firstSeedNotRun() - 1);
            }
            if (result.notReached().isPresent()) {
                range.put("firstNotRun", result.firstSeedNotRun());
                range.put("summary", result.notReached().get());
            } else {
                range.putNull("firstNotRun");
            }
        }
        ArrayNode seeds = root.putArray("seeds");
        for (Explorer.Run run : result.runs()) {
            ObjectNode r = seeds.addObject();
            r.put("seed", run.seed());
            r.put("profile", "explore:" + run.seed());
            r.put("summary", run.summary());
            if (run.profileSha256() != null) {
                r.put("profileSha256", run.profileSha256()); // the version of explore:N this build drew
            }
            if (run.skipped() != null) {
                r.put("skipped", run.skipped());
            }
            ArrayNode failed = r.putArray("failed");
            run.failures().forEach(f -> failed.add(f.rule().id()));
        }
        ObjectNode rules = root.putObject("rules");
        for (Rule rule : config.rules()) {
            ObjectNode r = rules.putObject(rule.id());
            r.put("exercised", result.exercised(rule.id()));
            r.put("failed", result.failed(rule.id()));
        }
        ArrayNode never = root.putArray("mustRulesNotExercised");
        config.rules().stream().filter(Rule::must).map(Rule::id).filter(id -> result.exercised(id) == 0).forEach(never::add);
        ArrayNode unused = root.putArray("mustRulesNotApplicable"); // of those, NOT_APPLICABLE in every judged run
        config.rules().stream().filter(Rule::must).map(Rule::id).filter(id -> neverApplicable(result, id)).forEach(unused::add);
        ArrayNode findings = root.putArray("findings");
        for (Explorer.Finding finding : result.findings()) {
            ObjectNode f = findings.addObject();
            f.put("rule", finding.ruleId());
            f.put("seed", finding.first().cell().seed());
            f.put("runs", finding.runs());
            f.put("message", finding.first().verdict().message());
            f.put("reproduce", finding.first().reproduce());
            f.put("shrunk", finding.shrunk());
            f.put("pinned", finding.pinned() == null ? null : finding.pinned().toString());
            f.put("replayed", finding.replayed());
        }
        return root;
    }

    /**
     * Whether every judged run found the rule NOT_APPLICABLE (an optional API no run used, such as cancel for
     * JOB-04, or a situation out of the declared deployment target's reach): at least one run judged.
     */
    private static boolean neverApplicable(Explorer.Result result, String ruleId) {
        List<Explorer.Run> judged = result.runs().stream().filter(r -> r.skipped() == null).toList();
        return !judged.isEmpty() && judged.stream().allMatch(r -> r.verdicts().stream().filter(v -> v.rule().id().equals(ruleId))
                .allMatch(v -> v.verdict().status() == org.upcert.conformance.verdict.Verdict.Status.NOT_APPLICABLE)
                && r.verdicts().stream().anyMatch(v -> v.rule().id().equals(ruleId)));
    }
}
