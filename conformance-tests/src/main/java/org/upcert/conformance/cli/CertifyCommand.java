package org.upcert.conformance.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.report.CertificationJson;
import org.upcert.conformance.report.RootCauses;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleGroupSuite;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteConfigException;
import org.upcert.conformance.verdict.Verdict.Status;
import org.upcert.harness.cli.ExitCode;
import org.upcert.harness.cli.OutputLocation;
import org.upcert.harness.run.Interruption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code upcert certify}: the conformance suite over profiles × seeds, with the certification bundle. */
@Command(name = "certify", mixinStandardHelpOptions = true,
        header = "Certifies an extension: every rule on every standard profile and seed, plus drawn profiles.",
        description = {"Certify an extension: run every conformance rule on every standard profile and seed.",
                "Exit 0 certified, 1 not certified (a MUST rule failed, or was not exercised), 2 bad usage or input,"
                        + " 3 upcert itself failed,",
                "130 interrupted (Ctrl-C): the bundle of the runs that finished is written, marked INTERRUPTED.",
                "Writes allure-results/, junit-xml/, traces/ (runs with a FAIL), certification.json and CERTIFICATION.md."})
public final class CertifyCommand implements Callable<Integer> {
    /** How long Ctrl-C waits for the bundle of the finished runs to be written before the JVM exits anyway. */
    private static final java.time.Duration INTERRUPT_WAIT = java.time.Duration.ofSeconds(60);

    /** Told of every run as it finishes (null for no one): see {@link #CertifyCommand(java.util.function.Consumer)}. */
    private final java.util.function.Consumer<org.upcert.conformance.suite.RunOutcome> eachRun;

    public CertifyCommand() {
        this(null);
    }

    /**
     * A certify that tells {@code eachRun} of every run as it finishes, on the run's thread (as
     * {@link Certifier#certify(SuiteConfig, Path, java.io.PrintStream, java.util.function.Consumer)}
     * does): a test that needs more of a run than the bundle keeps (its trace) reads it there instead
     * of simulating the same cell a second time. What the command prints and writes is unchanged.
     */
    public CertifyCommand(java.util.function.Consumer<org.upcert.conformance.suite.RunOutcome> eachRun) {
        this.eachRun = eachRun;
    }

    @CommandLine.Mixin
    ExtensionOptions extension = new ExtensionOptions();

    @Option(names = "--profiles", paramLabel = "a,b|all", defaultValue = "all",
            description = "Standard profile names or profile files, comma-separated (default: ${DEFAULT-VALUE}).")
    String profiles;

    @Option(names = "--seeds", paramLabel = "N|a,b|a..b", defaultValue = "3",
            description = "A count (seeds 1..N), or a comma-separated list of seeds and ranges, e.g. 4,9,17 or 1..10"
                    + " (default: ${DEFAULT-VALUE}).")
    String seeds;

    @Option(names = "--seed", paramLabel = "N", description = "One seed (instead of --seeds): how a FAIL is reproduced.")
    Long seed;

    @Option(names = "--cloud", paramLabel = "DIALECT", defaultValue = "generic-put", description = "Cloud dialect (default: ${DEFAULT-VALUE}).")
    String cloud;

    @Option(names = "--explore", paramLabel = "N",
            description = {"Exploration runs after the profiles': the profiles drawn from seeds 1..N (explore:N, docs/exploration.md).",
                    "Default: " + SuiteConfig.DEFAULT_EXPLORE + " with every standard profile, 0 with --profiles; 0 turns them off.",
                    "Their FAIL blocks certification; a rule only they exercised stays NOT_EXERCISED."})
    Integer explore;

    @Option(names = "--corpus", paramLabel = "DIR",
            description = "Also run every pinned profile in DIR (what upcert explore and shrink write), each with its own seed, as a required profile.")
    Path corpus;

    @Option(names = "--rules", paramLabel = "IDS", defaultValue = "all",
            description = "Rules or groups to judge, e.g. RTY-01,TRM (default: ${DEFAULT-VALUE}; a subset is reported as partial).")
    String rules;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "direct",
            description = "direct (default: in-JVM, the same trace as loopback) or loopback (real HTTP to the stubs).")
    String transport;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/upcert/certify", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--json", description = "Print the certification summary as one JSON object on stdout (the rest goes to stderr).")
    boolean json;

    @Option(names = "--quiet", description = "No progress line (it is off anyway when stderr is not a terminal or CI is set).")
    boolean quiet;

    /** Who started this certification (the Maven plugin says so): only the reproduce lines change. */
    @Option(names = "--route", hidden = true, defaultValue = SuiteConfig.CLI)
    String route;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // What the extension wrote reaches the summary (exception messages, refused file names): no
        // escape sequence of its own may redraw the screen over the verdict (docs/isolation.md, H35).
        PrintWriter human = org.upcert.harness.cli.TerminalText.guard(json ? err : stdout);
        SuiteConfig config;
        try {
            TreeMap<String, String> parameters = new TreeMap<>();
            extension.into(parameters);
            parameters.put("upcert.profiles", profiles);
            parameters.put("upcert.seeds", seeds);
            if (seed != null) {
                parameters.put("upcert.seed", Long.toString(seed));
            }
            parameters.put("upcert.cloud", cloud);
            parameters.put("upcert.rules", rules);
            parameters.put("upcert.transport", transport);
            parameters.put("upcert.route", route);
            if (explore != null) {
                parameters.put("upcert.explore", Integer.toString(explore));
            }
            if (corpus != null) {
                parameters.put("upcert.corpus", corpus.toString());
            }
            config = SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
            // a class cannot run in a worker, a command not in process, a container not without Docker: say so now
            org.upcert.harness.run.Hosting.requireAvailable(config.resolvedIsolation());
            requirePossiblePairing(config);
        } catch (SuiteConfigException | IllegalArgumentException e) {
            err.println("upcert certify: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        java.util.Optional<String> unwritable = OutputLocation.folderProblem(out);
        if (unwritable.isPresent()) {
            err.println("upcert certify: --out " + unwritable.get() + "; nothing was run");
            return ExitCode.USAGE.code();
        }
        boolean live = !quiet && System.console() != null && System.getenv("CI") == null;
        human.println("upcert certify — " + config.describeExtension());
        int pinned = config.profileRuns() - config.profiles().size() * config.seeds().size();
        human.println("  runs        " + config.cells().size() + " (" + config.profiles().size() + " profiles × " + config.seeds().size()
                + " seeds" + (config.explore() == 0 ? "" : " + " + config.explore() + " exploration")
                + (pinned == 0 ? "" : ", pinned profiles with their own seed") + ", cloud " + config.cloud() + " (" + config.stubHeaders() + " headers)" + ", transport " + config.transport() + ", isolation "
                + config.resolvedIsolation() + ") · " + config.rules().size()
                + " rules · " + org.upcert.conformance.suite.SharedRuns.parallelism(config) + " runs in parallel");
        if (config.explore() > 0) {
            human.println("  exploration " + config.describeExploration());
        }
        config.protocolShapeOnly().ifPresent(why -> human.println("  " + why.replaceFirst("^protocol shape only", "PROTOCOL SHAPE ONLY")));
        String target = config.declaredScope().deploymentLevel();
        if (target != null) {
            long below = config.profiles().stream().filter(name -> {
                try {
                    return !config.profile(name).workload().osAtLeast(target);
                } catch (org.upcert.harness.faults.profile.ProfileException e) {
                    return false; // validated before: cannot happen here, and the count is only a note
                }
            }).count();
            human.println("  os          " + config.declaredScope().describeTarget() + ": " + (below == 0 ? "no profile is below it"
                    : below + " profile" + (below == 1 ? " runs" : "s run") + " at iOS " + target + " instead of " + (below == 1 ? "its" : "their") + " lower level")
                    + " (docs/scope.md)");
        }
        // Ctrl-C: no new run starts, the runs under way stop, and the bundle of what finished is
        // written marked INTERRUPTED before the JVM exits (it waits for that, bounded).
        try (Interruption.Guard guard = Interruption.guard(INTERRUPT_WAIT)) {
            return certify(config, live, human, stdout, err);
        }
    }

    /**
     * A certification that asked only for pairings of cloud and profile no extension could pass
     * (google-photos on iOS 26.1) is refused up front: it would certify nothing. Among other
     * profiles such a pairing is not run and its verdicts are NOT_APPLICABLE with the reason.
     */
    static void requirePossiblePairing(SuiteConfig config) {
        String target;
        try {
            target = config.source().declaredScope().deploymentLevel();
        } catch (RuntimeException e) {
            return; // reported where the extension is loaded
        }
        int asked = 0;
        java.util.TreeSet<String> reasons = new java.util.TreeSet<>();
        java.util.TreeSet<String> profiles = new java.util.TreeSet<>();
        for (org.upcert.conformance.suite.Cell cell : config.cells()) {
            if (cell.profile().startsWith("explore:")) {
                continue; // drawn, not asked for
            }
            asked++;
            org.upcert.harness.plan.Workload workload;
            try {
                workload = org.upcert.harness.faults.profile.PlanExpander.expand(
                        config.profile(cell.profile()), cell.seed()).plan()
                        .raisedTo(target).workload();
            } catch (RuntimeException | org.upcert.harness.faults.profile.ProfileException e) {
                return; // a profile that does not expand is reported by its own run
            }
            java.util.Optional<String> impossible = org.upcert.harness.cloud.CloudDialects.impossibleOn(cell.cloud(), workload,
                    config.assumptions().contains(org.upcert.harness.run.RunOptions.ASSUME_BODY_IN_HEADERS));
            if (impossible.isEmpty()) {
                return;
            }
            reasons.add(impossible.get());
            profiles.add(cell.profile());
        }
        if (asked > 0) {
            throw new IllegalArgumentException(String.join("; ", reasons) + ". Every profile asked for (" + String.join(", ", profiles)
                    + ") is such a pairing: choose a profile at iOS 26.4 or later, or another --cloud; nothing was run");
        }
    }

    private int certify(SuiteConfig config, boolean live, PrintWriter human, PrintWriter stdout, PrintWriter err) {
        long started = System.nanoTime(); // wall-clock ok: reports the wall time of the command
        Certifier.Result result = Certifier.certify(config, out, live ? System.err : null, eachRun);
        double seconds = (System.nanoTime() - started) / 1e9; // wall-clock ok
        Certification c = result.certification();
        printRules(human, c);
        human.println();
        human.println(c.outcome() + (c.interrupted() ? " (Ctrl-C after " + c.finishedRuns() + " of " + c.runs()
                + " runs; the verdicts judge only those, this is not a certification)" : "")
                + (c.partial() ? " (partial: " + c.summaries().size() + " of "
                + org.upcert.conformance.rules.RuleCatalogue.rules().size() + " rules)" : "") + " · MUST rules "
                + c.mustLine() + (c.warnings().isEmpty() ? "" : " · " + c.warnings().size() + " SHOULD WARN") + " · wall "
                + String.format(Locale.ROOT, "%.1f s", seconds));
        human.println("  reports     " + out + "/CERTIFICATION.md, certification.json, allure-results/, junit-xml/"
                + (c.failures().isEmpty() ? "" : ", traces/"));
        if (json) {
            stdout.println(CertificationJson.line(c));
        }
        stdout.flush();
        err.flush();
        if (c.interrupted()) {
            return ExitCode.INTERRUPTED.code();
        }
        if (!c.harnessFaults().isEmpty()) {
            return ExitCode.HARNESS_FAULT.code();
        }
        return c.outcome() == Certification.Outcome.CERTIFIED ? ExitCode.OK.code() : ExitCode.FAILED.code();
    }

    private static void printRules(PrintWriter out, Certification c) {
        out.println();
        out.println(String.format(Locale.ROOT, "  %-7s %-7s %-15s %27s  %-9s  %s", "rule", "sev", "verdict",
                "runs pass/fail/n-a/n-e/skip", "exercised", "note"));
        for (RuleSummary s : c.summaries()) {
            String counts = (s.counts().get(Status.PASS) + s.counts().get(Status.WARN)) + "/" + s.counts().get(Status.FAIL) + "/"
                    + s.counts().get(Status.NOT_APPLICABLE) + "/" + s.counts().get(Status.NOT_EXERCISED) + "/"
                    + s.counts().get(Status.SKIPPED);
            out.println(String.format(Locale.ROOT, "  %-7s %-7s %-15s %27s  %-9s  %s", s.rule().id(), s.rule().severity(),
                    s.status(), counts, s.exercised() + (s.thinlyExercised() ? " thin" : ""), truncate(s.note(c.config().profiles()), 90)));
        }
        List<String> thin = c.summaries().stream().filter(RuleSummary::thinlyExercised)
                .map(s -> s.rule().id() + " " + s.exercised()).toList();
        if (!thin.isEmpty()) {
            out.println();
            out.println("  thinly exercised (MUST rules met by fewer than " + RuleSummary.WELL_EXERCISED
                    + " runs; a mistake that shows only sometimes is easily missed; try more --seeds): " + String.join(", ", thin));
        }
        if (!c.failures().isEmpty()) {
            // Root causes first: the rule each failing run violated first, and what it failed after.
            out.println();
            out.println("  root causes (the first violation of each failing run; fix these first):");
            for (RootCauses.RootCause cause : c.rootCauses()) {
                out.println("    " + cause.ruleId() + " first in " + cause.runs().size() + (cause.runs().size() == 1 ? " run" : " runs")
                        + (cause.consequences().isEmpty() ? "" : ", then " + RootCauses.describe(cause.consequences())));
            }
        }
        java.util.TreeSet<String> shown = new java.util.TreeSet<>();
        for (RootCauses.RootCause cause : c.rootCauses()) {
            if (shown.add(cause.ruleId())) {
                out.println();
                out.println(indent(RuleGroupSuite.failureText(cause.example())));
            }
        }
        for (RuleSummary warning : c.warnings()) {
            out.println();
            out.println("  " + warning.rule().id() + " " + warning.note(c.config().profiles()));
        }
    }

    private static String indent(String text) {
        return "  " + text.replace("\n", "\n  ");
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
