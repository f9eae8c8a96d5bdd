package org.upcert.conformance.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.shrink.PinnedProfile;
import org.upcert.conformance.shrink.Shrinker;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteConfigException;
import org.upcert.conformance.timeline.Timeline;
import org.upcert.conformance.timeline.TimelineMark;
import org.upcert.conformance.timeline.TimelineRenderer;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cli.ExitCode;
import org.upcert.harness.cli.OutputLocation;
import org.upcert.harness.faults.profile.Durations;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileException;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code upcert shrink}: the smallest fault plan that still fails a rule, written as a pinned profile. */
@Command(name = "shrink", mixinStandardHelpOptions = true,
        header = "Minimises a failing run while the same rule still fails, and pins it as a profile.",
        description = {"Minimise a failing run while the same rule still fails: drop fault events, shorten windows,",
                "shrink the library, lower the number of activations. Prints each step; writes the minimal case as a",
                "standalone profile (plan pinned) and its trace. Exit 0 shrunk, 1 the rule does not fail, 2 bad input."})
public final class ShrinkCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ExtensionOptions extension = new ExtensionOptions();

    @Option(names = "--profile", paramLabel = "NAME|FILE", required = true, description = "The profile of the failing run.")
    String profile;

    @Option(names = "--seed", paramLabel = "N", required = true, description = "The seed of the failing run.")
    long seed;

    @Option(names = "--rule", paramLabel = "ID", required = true, description = "The rule that fails, e.g. ACK-01.")
    String rule;

    @Option(names = "--cloud", paramLabel = "DIALECT", defaultValue = "generic-put", description = "Cloud dialect (default: ${DEFAULT-VALUE}).")
    String cloud;

    @Option(names = "--max-runs", paramLabel = "N", defaultValue = "300", description = "At most this many runs (default: ${DEFAULT-VALUE}).")
    int maxRuns;

    @Option(names = "--budget", paramLabel = "DURATION", defaultValue = "2m",
            description = "At most this much wall time, e.g. 90s, 5m (default: ${DEFAULT-VALUE}); the best so far is kept.")
    String budget;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/upcert/shrink", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<RuleChecker> checker = RuleCatalogue.checker(rule.toUpperCase(Locale.ROOT));
        if (checker.isEmpty()) {
            err.println("upcert shrink: no rule '" + rule + "' with a checker; rules: " + String.join(", ", RuleCatalogue.ids()));
            return ExitCode.USAGE.code();
        }
        java.util.OptionalLong parsed = Durations.parse(budget);
        if (parsed.isEmpty() || maxRuns < 1) {
            err.println("upcert shrink: --budget must be a duration such as 90s or 5m and --max-runs at least 1");
            return ExitCode.USAGE.code();
        }
        long budgetMillis = parsed.getAsLong();
        SuiteConfig config;
        RunPlan plan;
        String sha256;
        try {
            TreeMap<String, String> parameters = new TreeMap<>();
            extension.into(parameters);
            parameters.put("upcert.cloud", cloud);
            // the profile is read once, as certify reads its profiles (ProfileSnapshot): every run of the
            // shrinking starts from that version's plan, and the pinned file names it by its SHA-256
            parameters.put("upcert.profiles", profile);
            parameters.put("upcert.explore", "0");
            config = SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
            org.upcert.harness.run.Hosting.requireAvailable(config.resolvedIsolation());
            plan = PlanExpander.expand(config.profile(profile), seed).plan();
            sha256 = config.profileSha256s().get(profile);
        } catch (SuiteConfigException | IllegalArgumentException e) {
            err.println("upcert shrink: " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (ProfileException e) {
            err.println("upcert shrink: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        Optional<String> unwritable = OutputLocation.folderProblem(out);
        if (unwritable.isPresent()) {
            err.println("upcert shrink: --out " + unwritable.get() + "; nothing was run");
            return ExitCode.USAGE.code();
        }
        stdout.printf(java.util.Locale.ROOT, "upcert shrink · %s · profile %s (sha256 %s) seed %d · rule %s · %d faults, %d assets · at most %d runs / %s%n",
                config.describeExtension(), profile, sha256, seed, checker.get().ruleId(), plan.faults().size(), plan.workload().assets(),
                maxRuns, budget);
        stdout.flush();
        Shrinker shrinker = new Shrinker(config::source, config.cloud(), checker.get(), maxRuns, budgetMillis, step -> {
            stdout.printf(java.util.Locale.ROOT, "  run %3d  %-70s  %2d faults, %4d assets, fault phase %d min%n", step.run(), step.what(),
                    step.plan().faults().size(), step.plan().workload().assets(), step.plan().phases().faultPhaseMs() / 60_000);
            stdout.flush();
        }).withIsolation(config.isolation()).withAssumptions(config.assumptions()).withHangAfterMs(config.hangAfterMs())
                .withUpgradeTo(config::upgradeSource);
        Shrinker.Result result;
        try {
            result = shrinker.shrink(plan);
        } catch (Shrinker.NotFailingException e) {
            stdout.println("NOTHING TO SHRINK: " + e.getMessage());
            return ExitCode.FAILED.code();
        }
        String name = checker.get().ruleId() + "-" + plan.profile().replaceAll("[^A-Za-z0-9._-]", "_") + "-seed" + seed + "-minimal";
        Path yaml = out.resolve(name + ".yaml");
        Path trace = out.resolve(name + ".trace.jsonl");
        Verdict verdict = result.verdict();
        Path timeline = null;
        try {
            Files.createDirectories(out);
            String rerun = "./upcert run" + (extension.jar == null ? "" : " --extension " + extension.jar) + " --profile " + yaml
                    + " --seed " + seed + (cloud.equals(SuiteConfig.DEFAULT_CLOUD) ? "" : " --cloud " + cloud)
                    + (config.assumptions().isEmpty() ? "" : " --assume " + String.join(",", config.assumptions()));
            Files.writeString(yaml, PinnedProfile.yaml(result.minimal(),
                    checker.get().ruleId() + " fails: " + verdict.message(),
                    List.of("Shrunk by upcert shrink from profile " + plan.profile() + " (" + profile + ", sha256 " + sha256 + "), seed "
                            + seed + " (" + result.original().faults()
                            .size() + " faults, " + result.original().workload().assets() + " assets) in " + result.runs() + " runs.",
                            "The plan is pinned: this file makes the same run for seed " + seed + " on its own.",
                            "Reproduce: " + rerun,
                            "Commit it as a regression test: ./upcert certify --profiles " + yaml + " --seed " + seed
                                    + (config.assumptions().isEmpty() ? "" : " --assume " + String.join(",", config.assumptions())))));
            String text = Simulation.run(result.minimal(), config.source(), RunOptions.inMemory().withCloud(cloud)
                    .withTransport("direct").withAssumptions(config.assumptions()).withHangAfterMs(config.hangAfterMs())
                    .withUpgradeTo(config.upgradeSource())).traceText();
            Files.writeString(trace, text);
            if (!verdict.excerpt().isEmpty()) {
                int line = verdict.excerpt().get(verdict.excerpt().size() - 1).line();
                timeline = out.resolve(name + ".timeline.html");
                TimelineRenderer.write(Timeline.parse(text), List.of(TimelineMark.of(line, verdict.ruleId() + ": " + verdict.message())),
                        timeline, out.resolve(name + ".timeline.svg"));
            }
        } catch (IOException e) {
            err.println("upcert shrink: cannot write " + yaml + ": " + e.getMessage());
            return ExitCode.HARNESS_FAULT.code();
        }
        stdout.println();
        stdout.printf(java.util.Locale.ROOT, "%s: %d → %d faults, %d → %d assets, fault phase %d → %d min, in %d runs%s%n",
                result.exhausted() ? "SHRUNK (stopped at the run or time bound; the best so far)" : "SHRUNK (no smaller failing plan)",
                result.original().faults().size(), result.minimal().faults().size(), result.original().workload().assets(),
                result.minimal().workload().assets(), result.original().phases().faultPhaseMs() / 60_000,
                result.minimal().phases().faultPhaseMs() / 60_000, result.runs(), "");

        stdout.println("  still fails " + verdict.ruleId() + ": " + verdict.message());
        stdout.println("  profile    " + yaml);
        stdout.println("  trace      " + trace + "   (./upcert trace, ./upcert replay)");
        if (timeline != null) {
            stdout.println("  timeline   " + timeline + "   (the violating event marked)");
        }
        stdout.flush();
        return ExitCode.OK.code();
    }
}
