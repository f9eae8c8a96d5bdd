package org.upcert.conformance.explore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.shrink.PinnedProfile;
import org.upcert.conformance.shrink.Shrinker;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.CellJudge;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SharedRuns;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.Profile;
import org.upcert.harness.faults.profile.SwarmProfiles;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.Interruption;

/**
 * Exploration (swarm testing): runs the profiles drawn from consecutive seeds ({@code explore:N},
 * {@link SwarmProfiles}), one single-threaded simulation per core, judges every selected rule on
 * each, and turns the first failing run of each rule into a pinned profile in the corpus folder:
 * shrunk with the {@link Shrinker} (bounded), written with {@link PinnedProfile}, and replayed once
 * to confirm that the file alone fails the rule again.
 *
 * <p>A run upcert cannot judge is never the extension's FAIL: a drawn profile the parser rejects (a
 * bug of the generator), a harness fault, a run Ctrl-C stopped: it is SKIPPED with the reason.
 */
public final class Explorer {

    private Explorer() {
    }

    /**
     * What to explore and how far.
     *
     * @param config the extension, cloud, isolation, assumptions and rules (its profiles and seeds are not used)
     * @param startSeed the first seed
     * @param seeds how many seeds; 0 to run seeds until {@code budgetMillis} is spent
     * @param budgetMillis wall time after which no new run starts, 0 for none (then {@code seeds} is above 0); runs under
     *        way finish. With {@code seeds} above 0 too, the range is run in order and may end before its last seed
     *        ({@link Result#notReached()})
     * @param corpus where pinned profiles of findings go; null to write none
     * @param out where the traces of failing runs go; null to write none
     * @param shrinkRuns at most this many runs to shrink each finding (0: pin the drawn plan as it is)
     * @param shrinkMillis at most this much wall time to shrink each finding
     */
    public record Settings(SuiteConfig config, long startSeed, int seeds, long budgetMillis, Path corpus, Path out, int shrinkRuns,
            long shrinkMillis) {

        /** Whether a seed range and a budget bound it both: the budget may end the range early. */
        public boolean rangeWithBudget() {
            return seeds > 0 && budgetMillis > 0;
        }
    }

    /**
     * One exploration run.
     *
     * @param seed the seed (the profile {@code explore:seed}, run with seed {@code seed})
     * @param summary what the drawn profile is (its description's first sentence); "" when it could not be drawn
     * @param profileSha256 the SHA-256 of the drawn profile's YAML as this build drew it (explore:N is a
     *        function of the build and N: a later build that draws N otherwise shows another hash); null
     *        when it could not be drawn
     * @param verdicts every selected rule's verdict; empty when the run was skipped
     * @param skipped why upcert could not judge the run; null when it was judged
     * @param traceText the trace, kept only for a run with a FAIL
     * @param wallMillis how long the run took
     */
    public record Run(long seed, String summary, String profileSha256, List<CellVerdict> verdicts, String skipped, String traceText, long wallMillis) {

        public Run {
            // A harness fault's text may quote the extension (an in-process exception whose getMessage
            // throws): one line, escaped as a verdict's message is (Verdict), so that it starts no line of
            // explore's summary and half a surrogate pair in it cannot stop exploration.json being written.
            skipped = skipped == null ? null : org.upcert.harness.cli.TerminalText.printable(skipped);
        }

        public List<CellVerdict> failures() {
            return verdicts.stream().filter(v -> v.verdict().failed()).toList();
        }

        public boolean exercised(String ruleId) {
            return verdicts.stream().anyMatch(v -> v.rule().id().equals(ruleId)
                    && (v.verdict().status() == Status.PASS || v.verdict().status() == Status.WARN || v.verdict().failed()));
        }

        public Cell cell() {
            return new Cell(SwarmProfiles.name(seed), seed, verdicts.isEmpty() ? SuiteConfig.DEFAULT_CLOUD : verdicts.get(0).cell().cloud());
        }
    }

    /**
     * A rule that failed, with its first failing run and what became of it.
     *
     * @param ruleId the rule
     * @param first the FAIL of the lowest seed
     * @param runs how many runs failed it
     * @param pinned the pinned profile written for it; null if none was written
     * @param shrunk how shrinking went ("4 → 1 faults, 120 → 15 assets in 23 runs"); "" if not shrunk
     * @param replayed whether the pinned profile, run on its own, FAILs the rule again
     * @param trace the failing run's trace file; null if none was written
     */
    public record Finding(String ruleId, CellVerdict first, int runs, Path pinned, String shrunk, boolean replayed, Path trace) {
    }

    /**
     * What an exploration found.
     *
     * @param settings how it was run
     * @param runs every run, by seed
     * @param findings one per failed rule, in catalogue order
     * @param wallMillis how long it took (shrinking included)
     * @param interrupted whether Ctrl-C stopped it
     */
    public record Result(Settings settings, List<Run> runs, List<Finding> findings, long wallMillis, boolean interrupted) {

        /** Runs that exercised the rule (PASS, WARN or FAIL). */
        public int exercised(String ruleId) {
            return (int) runs.stream().filter(r -> r.exercised(ruleId)).count();
        }

        public int failed(String ruleId) {
            return (int) runs.stream().filter(r -> r.failures().stream().anyMatch(f -> f.rule().id().equals(ruleId))).count();
        }

        public List<Run> skipped() {
            return runs.stream().filter(r -> r.skipped() != null).toList();
        }

        /** Rules a checker could not judge on some run (a checker's own error), with the first reason. */
        public TreeMap<String, String> skippedRules() {
            TreeMap<String, String> skipped = new TreeMap<>();
            for (Run run : runs) {
                for (CellVerdict v : run.verdicts()) {
                    if (v.verdict().status() == Status.SKIPPED) {
                        skipped.putIfAbsent(v.rule().id(), "seed " + run.seed() + ": " + v.verdict().message());
                    }
                }
            }
            return skipped;
        }

        /** Whether some run could not be judged because upcert itself failed (never the extension's fault). */
        public boolean harnessFaults() {
            return runs.stream().anyMatch(r -> r.skipped() != null && !r.skipped().startsWith(INTERRUPTED))
                    || !skippedRules().isEmpty();
        }

        /** The seed after the last one run: where a sweep that goes on starts (the seeds run are always a prefix of the range). */
        public long firstSeedNotRun() {
            return settings.startSeed() + runs.size();
        }

        /**
         * When a seed range (--seeds) ended before its last seed (its budget spent, or Ctrl-C), how far it got, e.g.
         * "seeds 1..400: 1..213 run, 214..400 not reached (budget 2m)"; empty when every seed of the range ran or no
         * range was given (a budget alone runs as far as it runs).
         */
        public Optional<String> notReached() {
            if (settings.seeds() <= 0 || runs.size() >= settings.seeds()) {
                return Optional.empty();
            }
            long first = settings.startSeed();
            long last = first + settings.seeds() - 1;
            long next = firstSeedNotRun();
            String why = interrupted ? "Ctrl-C" : "budget " + org.upcert.harness.faults.profile.Durations.format(settings.budgetMillis());
            return Optional.of("seeds " + first + ".." + last + ": " + (runs.isEmpty() ? "none run" : (next - 1 == first ? "" + first : first + ".." + (next - 1)) + " run") + ", "
                    + next + ".." + last + " not reached (" + why + ")");
        }
    }

    /** What an exploration reports as it goes (called from its worker threads, one call at a time). */
    public interface Listener {
        default void finished(Run run, int done) {
        }

        default void shrinking(String ruleId, long seed) {
        }
    }

    static final String INTERRUPTED = "interrupted (Ctrl-C)";

    /** Explores; never throws for what a run does (a harness fault is a skipped run). */
    public static Result explore(Settings settings, Listener listener) {
        return explore(settings, listener, SharedRuns::simulate);
    }

    /** The same, with {@code simulator} making each run (tests give one that fails as upcert may). */
    static Result explore(Settings settings, Listener listener, BiFunction<SuiteConfig, Cell, RunOutcome> simulator) {
        return explore(settings, listener, simulator, System::nanoTime); // wall-clock ok: bounds the exploration, never enters a run
    }

    /**
     * The same, with {@code budgetClock} (nanoseconds) deciding when the budget is spent: tests give one that has
     * spent it already, or after so many looks, so that where a budget ends a range is no matter of timing.
     */
    static Result explore(Settings settings, Listener listener, BiFunction<SuiteConfig, Cell, RunOutcome> simulator,
            java.util.function.LongSupplier budgetClock) {
        long started = System.nanoTime(); // wall-clock ok: bounds the exploration, never enters a run
        Listener progress = listener == null ? new Listener() { } : listener;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "upcert-explore");
            thread.setDaemon(true);
            return thread;
        });
        List<Run> runs = new ArrayList<>();
        try {
            CompletionService<Run> completion = new ExecutorCompletionService<>(pool);
            long deadline = budgetClock.getAsLong() + settings.budgetMillis() * 1_000_000L;
            long next = settings.startSeed();
            int submitted = 0;
            int inFlight = 0;
            while (true) {
                // seeds in order: a range (seeds > 0), a budget (budgetMillis > 0), or both, whichever ends first
                while (inFlight < threads && !Interruption.requested() && (settings.seeds() <= 0 || submitted < settings.seeds())
                        && (settings.budgetMillis() <= 0 || budgetClock.getAsLong() - deadline < 0)) {
                    long seed = next++;
                    completion.submit(() -> run(settings.config(), seed, simulator));
                    submitted++;
                    inFlight++;
                }
                if (inFlight == 0) {
                    break;
                }
                Future<Run> done = completion.take();
                inFlight--;
                Run run = done.get();
                runs.add(run);
                progress.finished(run, runs.size());
            }
            runs.sort(Comparator.comparingLong(Run::seed));
            List<Finding> findings = Interruption.requested() ? findingsUnshrunk(runs) : findings(settings, runs, pool, progress);
            return new Result(settings, List.copyOf(runs), findings, millisSince(started), Interruption.requested());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runs.sort(Comparator.comparingLong(Run::seed));
            return new Result(settings, List.copyOf(runs), findingsUnshrunk(runs), millisSince(started), true);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an exploration run escaped its own error handling", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One seed: draw, simulate, judge every selected rule. Never throws. */
    static Run run(SuiteConfig config, long seed, BiFunction<SuiteConfig, Cell, RunOutcome> simulator) {
        long started = System.nanoTime(); // wall-clock ok
        Cell cell = new Cell(SwarmProfiles.name(seed), seed, config.cloud());
        String summary;
        String sha256;
        try {
            // read as certify reads a profile (ProfileSnapshot): the profile and the hash of its source
            org.upcert.harness.faults.profile.ProfileCatalogue.Read drawn = org.upcert.harness.faults.profile.ProfileCatalogue.read(
                    SwarmProfiles.name(seed));
            Profile profile = drawn.profile();
            PlanExpander.expand(profile, seed);
            summary = profile.summary();
            sha256 = drawn.sha256();
        } catch (Exception | LinkageError e) {
            return new Run(seed, "", null, List.of(), "harness fault: upcert drew an impossible profile (a bug of upcert's generator, "
                    + "never the extension's): " + e.getMessage(), null, millisSince(started));
        }
        RunOutcome outcome;
        try {
            outcome = simulator.apply(config, cell);
        } catch (RuntimeException | Error e) {
            // Beyond what the simulation itself turns into a harness fault: upcert running out of
            // memory on an enormous trace, say. upcert's own limit, never the extension's FAIL.
            return new Run(seed, summary, sha256, List.of(), "harness fault, the run could not be judged: " + e.getClass().getSimpleName()
                    + ": " + e.getMessage(), null, millisSince(started));
        }
        if (outcome.interrupted()) {
            return new Run(seed, summary, sha256, List.of(), INTERRUPTED + " before this run finished", null, millisSince(started));
        }
        if (!outcome.ran() && outcome.impossible() == null) {
            return new Run(seed, summary, sha256, List.of(), "harness fault, the run could not be judged: " + outcome.harnessFault(), null,
                    millisSince(started));
        }
        List<CellVerdict> verdicts = new ArrayList<>();
        try {
            for (Rule rule : config.rules()) {
                verdicts.add(CellJudge.judge(config, rule, outcome));
            }
        } catch (RuntimeException | Error e) {
            return new Run(seed, summary, sha256, List.of(), "harness fault while judging the run: " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), null, millisSince(started));
        }
        boolean failed = verdicts.stream().anyMatch(v -> v.verdict().failed());
        return new Run(seed, summary, sha256, List.copyOf(verdicts), null, failed ? outcome.traceText() : null, millisSince(started));
    }

    private static List<Finding> findingsUnshrunk(List<Run> runs) {
        List<Finding> findings = new ArrayList<>();
        for (Rule rule : RuleCatalogue.rules()) {
            firstFailure(runs, rule.id()).ifPresent(first -> findings.add(new Finding(rule.id(), first, count(runs, rule.id()), null,
                    "", false, null)));
        }
        return findings;
    }

    /** One finding per failed rule, each shrunk and pinned on the pool (different rules in parallel). */
    private static List<Finding> findings(Settings settings, List<Run> runs, ExecutorService pool, Listener progress)
            throws InterruptedException, ExecutionException {
        List<Future<Finding>> pending = new ArrayList<>();
        for (Rule rule : RuleCatalogue.rules()) {
            Optional<CellVerdict> first = firstFailure(runs, rule.id());
            if (first.isPresent()) {
                Run run = runs.stream().filter(r -> r.seed() == first.get().cell().seed()).findFirst().orElseThrow();
                pending.add(pool.submit(() -> {
                    progress.shrinking(rule.id(), run.seed());
                    return pin(settings, rule.id(), first.get(), count(runs, rule.id()), run);
                }));
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (Future<Finding> finding : pending) {
            findings.add(finding.get());
        }
        return findings;
    }

    private static Optional<CellVerdict> firstFailure(List<Run> runs, String ruleId) {
        for (Run run : runs) {
            for (CellVerdict v : run.failures()) {
                if (v.rule().id().equals(ruleId)) {
                    return Optional.of(v);
                }
            }
        }
        return Optional.empty();
    }

    private static int count(List<Run> runs, String ruleId) {
        return (int) runs.stream().filter(r -> r.failures().stream().anyMatch(f -> f.rule().id().equals(ruleId))).count();
    }

    /** Shrinks the failing run, writes the pinned profile and the trace, and replays the file once. */
    private static Finding pin(Settings settings, String ruleId, CellVerdict first, int count, Run run) {
        try {
            return pinOrThrow(settings, ruleId, first, count, run);
        } catch (RuntimeException | Error e) {
            return new Finding(ruleId, first, count, null, "not pinned (harness fault while shrinking or writing: " + e + ")", false, null);
        }
    }

    private static Finding pinOrThrow(Settings settings, String ruleId, CellVerdict first, int count, Run run) {
        SuiteConfig config = settings.config();
        long seed = run.seed();
        Path trace = null;
        if (settings.out() != null && run.traceText() != null) {
            trace = settings.out().resolve("traces").resolve(first.cell().fileName() + ".jsonl");
            try {
                Files.createDirectories(trace.getParent());
                Files.writeString(trace, org.upcert.harness.cli.TerminalText.pairedSurrogatesOnly(run.traceText()));
            } catch (IOException e) {
                trace = null;
            }
        }
        if (settings.corpus() == null) {
            return new Finding(ruleId, first, count, null, "", false, trace);
        }
        RunPlan original;
        try {
            original = PlanExpander.expand(SwarmProfiles.profile(seed), seed).plan();
        } catch (Exception e) {
            return new Finding(ruleId, first, count, null, "cannot draw the plan again: " + e.getMessage(), false, trace);
        }
        RunPlan minimal = original;
        String shrunk = "not shrunk";
        RuleChecker checker = RuleCatalogue.checker(ruleId).orElse(null);
        if (checker != null && settings.shrinkRuns() > 0) {
            try {
                Shrinker.Result result = new Shrinker(config::source, config.cloud(), checker, settings.shrinkRuns(), settings.shrinkMillis(),
                        null).withIsolation(config.isolation()).withAssumptions(config.assumptions())
                        .withHangAfterMs(config.hangAfterMs()).withUpgradeTo(config::upgradeSource).shrink(original);
                minimal = result.minimal();
                shrunk = original.faults().size() + " → " + minimal.faults().size() + " faults, " + original.workload().assets() + " → "
                        + minimal.workload().assets() + " assets, fault phase " + original.phases().faultPhaseMs() / 60_000 + " → "
                        + minimal.phases().faultPhaseMs() / 60_000 + " min, in " + result.runs() + " runs"
                        + (result.exhausted() ? " (stopped at the bound: the best so far)" : "");
            } catch (Shrinker.NotFailingException e) {
                shrunk = "not shrunk: " + e.getMessage();
            } catch (RuntimeException e) {
                shrunk = "not shrunk (harness fault while shrinking: " + e + ")";
            }
        }
        Path file = settings.corpus().resolve(ruleId + "-seed-" + seed + ".yaml");
        String certify = config.certifyPrefix(); // the java -cp line for an extension named by class
        String cloudOption = config.cloud().equals(SuiteConfig.DEFAULT_CLOUD) ? "" : " --cloud " + config.cloud();
        List<String> comment = List.of(
                ruleId + " FAIL found by upcert explore on the profile drawn from seed " + seed + " (explore:" + seed + ", sha256 "
                        + run.profileSha256() + " as this build drew it):",
                "  " + run.summary(),
                "  " + first.verdict().message(),
                "Shrunk: " + shrunk + ".",
                "The plan is pinned and the seed named: this file replays the failing run on its own. Commit it as a regression test.",
                "Replay:      " + certify + " --profiles " + file + cloudOption + " --rules " + ruleId,
                "The corpus:  " + certify + " --corpus " + settings.corpus() + cloudOption,
                "Unshrunk:    " + certify + " --profiles explore:" + seed + " --seed " + seed + cloudOption + " --rules " + ruleId);
        boolean replayed;
        try {
            Files.createDirectories(settings.corpus());
            Files.writeString(file, org.upcert.harness.cli.TerminalText.pairedSurrogatesOnly(
                    PinnedProfile.yaml(minimal, ruleId + " fails: " + first.verdict().message(), comment)));
            RunOutcome again = SharedRuns.simulate(config, new Cell(file.toString(), seed, config.cloud()));
            Rule rule = RuleCatalogue.rule(ruleId).orElseThrow();
            replayed = again.ran() && CellJudge.judge(config, rule, again).verdict().failed();
        } catch (IOException e) {
            return new Finding(ruleId, first, count, null, shrunk + "; cannot write " + file + ": " + e.getMessage(), false, trace);
        }
        return new Finding(ruleId, first, count, file, shrunk, replayed, trace);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos); // wall-clock ok
    }
}
