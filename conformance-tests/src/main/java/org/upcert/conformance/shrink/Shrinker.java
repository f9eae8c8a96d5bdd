package org.upcert.conformance.shrink;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/**
 * Minimises a failing run's plan while the same rule still fails, in jqwik's manner: a loop over
 * strategies until none improves, each candidate smaller than the best so far and accepted only
 * if it fails <em>the same rule</em>; every plan tried is remembered, so none is simulated twice;
 * bounded by a number of runs and by wall time, keeping the best so far when either runs out.
 *
 * <p>Strategies, cheapest first: drop fault events (delta debugging: halves, quarters, … single
 * faults), shorten fault windows (halve), shrink the library (halve the assets), lower the number
 * of activations (shorter fault phase, fewer new photos in recovery, process faults pinned to
 * earlier activations).
 */
public final class Shrinker {
    private final Supplier<ExtensionSource> extension;
    private final String cloud;
    private String isolation = org.upcert.harness.run.Hosting.AUTO;
    private java.util.Set<String> assumptions = java.util.Set.of();
    private long hangAfterMs;
    private final RuleChecker checker;
    private final int maxRuns;
    private final long budgetNanos;
    private final Consumer<Step> progress;
    private final TreeSet<String> tried = new TreeSet<>();
    private int runs;
    private long startedNanos;

    /**
     * One accepted (or the initial) step.
     *
     * @param run the number of runs made so far
     * @param what what the step changed
     * @param plan the plan after it
     * @param verdict the rule's verdict on it (a FAIL)
     */
    public record Step(int run, String what, RunPlan plan, Verdict verdict) {
    }

    /**
     * The outcome.
     *
     * @param original the plan shrinking started from
     * @param minimal the smallest plan found that still fails the rule
     * @param verdict the rule's FAIL on the minimal plan
     * @param steps every accepted step, the initial run first
     * @param runs how many runs were made
     * @param exhausted true if shrinking stopped at a bound (runs or time) rather than at a fixpoint
     */
    public record Result(RunPlan original, RunPlan minimal, Verdict verdict, List<Step> steps, int runs, boolean exhausted) {
    }

    /** The starting run does not fail the rule: there is nothing to shrink. */
    public static final class NotFailingException extends Exception {
        private static final long serialVersionUID = 1L;

        public NotFailingException(String message) {
            super(message);
        }
    }

    public Shrinker(Supplier<ExtensionSource> extension, String cloud, RuleChecker checker, int maxRuns, long budgetMillis,
            Consumer<Step> progress) {
        this.extension = Objects.requireNonNull(extension);
        this.cloud = Objects.requireNonNull(cloud);
        this.checker = Objects.requireNonNull(checker);
        this.maxRuns = maxRuns;
        this.budgetNanos = budgetMillis * 1_000_000L;
        this.progress = progress == null ? s -> { } : progress;
    }

    /** What every trial run assumes beyond what PhotoKit documents ({@code --assume}); none by default. */
    private java.util.function.Supplier<org.upcert.harness.host.ExtensionSource> upgradeTo = () -> null;

    public Shrinker withAssumptions(java.util.Set<String> names) {
        this.assumptions = java.util.Set.copyOf(names);
        return this;
    }

    /** The hang bound of every trial run ({@code --hang-after}, real milliseconds); 0: the default. */
    public Shrinker withHangAfterMs(long millis) {
        this.hangAfterMs = millis;
        return this;
    }

    /** The app's next build for every trial run's {@code app.upgrade} ({@code --upgrade-to}); none by default. */
    public Shrinker withUpgradeTo(java.util.function.Supplier<org.upcert.harness.host.ExtensionSource> next) {
        this.upgradeTo = Objects.requireNonNull(next);
        return this;
    }

    /** Where the extension runs for every trial run ({@code --isolation}); {@code auto} by default. */
    public Shrinker withIsolation(String name) {
        this.isolation = Objects.requireNonNull(name);
        return this;
    }

    public Result shrink(RunPlan plan) throws NotFailingException {
        startedNanos = System.nanoTime(); // wall-clock ok: bounds the shrinking, never enters a run
        Verdict first = judge(plan);
        if (first == null || !first.failed()) {
            throw new NotFailingException(checker.ruleId() + " does not fail on profile " + plan.profile() + " seed " + plan.seed()
                    + (first == null ? "" : ": " + first.status() + " — " + first.message()));
        }
        List<Step> steps = new ArrayList<>();
        Step best = new Step(runs, "the original run", plan, first);
        steps.add(best);
        progress.accept(best);
        boolean improved = true;
        while (improved && !exhausted()) {
            improved = false;
            for (Candidate candidate : candidates(best.plan())) {
                if (exhausted()) {
                    break;
                }
                Verdict verdict = judge(candidate.plan());
                if (verdict != null && verdict.failed()) {
                    best = new Step(runs, candidate.what(), candidate.plan(), verdict);
                    steps.add(best);
                    progress.accept(best);
                    improved = true;
                    break; // restart from the smaller plan, cheapest strategies first
                }
            }
        }
        return new Result(plan, best.plan(), best.verdict(), List.copyOf(steps), runs, exhausted());
    }

    private boolean exhausted() {
        return runs >= maxRuns || System.nanoTime() - startedNanos > budgetNanos; // wall-clock ok
    }

    /** The rule's verdict on a plan, or null if this plan was tried before (or could not run). */
    private Verdict judge(RunPlan plan) {
        if (!tried.add(key(plan))) {
            return null;
        }
        runs++;
        try {
            RunEvidence evidence = RunEvidence.of(Simulation.run(plan, extension.get(),
                    RunOptions.inMemory().withCloud(cloud).withTransport("direct").withIsolation(isolation)
                            .withAssumptions(assumptions).withHangAfterMs(hangAfterMs).withUpgradeTo(upgradeTo.get())));
            return checker.check(evidence);
        } catch (RuntimeException e) {
            return null; // a plan the simulator rejects is simply not a smaller failing case
        }
    }

    private static String key(RunPlan plan) {
        return plan.workload() + "|" + plan.phases() + "|" + PlanJson.lines(plan.faults());
    }

    record Candidate(String what, RunPlan plan) {
    }

    /** Smaller plans, in the order they are tried. */
    static List<Candidate> candidates(RunPlan plan) {
        List<Candidate> out = new ArrayList<>();
        List<PlannedFault> faults = plan.faults();
        // 1. drop fault events: chunks of n/2, n/4, ..., 1 (delta debugging's complements)
        for (int chunk = Math.max(1, faults.size() / 2); chunk >= 1; chunk = chunk == 1 ? 0 : Math.max(1, chunk / 2)) {
            for (int start = 0; start < faults.size(); start += chunk) {
                List<PlannedFault> kept = new ArrayList<>(faults.subList(0, start));
                kept.addAll(faults.subList(Math.min(faults.size(), start + chunk), faults.size()));
                int dropped = faults.size() - kept.size();
                out.add(new Candidate("dropped " + dropped + " fault" + (dropped == 1 ? "" : "s") + " (" + describe(faults.subList(start,
                        Math.min(faults.size(), start + chunk))) + ") → " + kept.size() + " left", plan.withFaults(kept)));
            }
        }
        // 2. shorten windows
        for (int i = 0; i < faults.size(); i++) {
            if (faults.get(i) instanceof PlannedFault.Timed t && t.until() - t.from() >= 2_000) {
                PlannedFault shorter = shortened(t);
                if (shorter != null) {
                    List<PlannedFault> changed = new ArrayList<>(faults);
                    changed.set(i, shorter);
                    out.add(new Candidate("halved the window of " + t.kind() + " at " + t.from() / 1000 + " s to "
                            + (t.until() - t.from()) / 2000 + " s", plan.withFaults(changed)));
                }
            }
        }
        // 3. shrink the library
        Workload w = plan.workload();
        if (w.assets() > 1) {
            int assets = w.assets() / 2;
            out.add(new Candidate("halved the library to " + assets + " assets", new RunPlan(plan.seed(), plan.profile(),
                    new Workload(assets, w.photoPercent(), w.livePhotoPercent(), w.videoPercent(), w.rawPercent(), w.jobLimit(), w.os()),
                    plan.policy(), plan.phases(), faults)));
        }
        // 4. fewer activations
        Phases p = plan.phases();
        long lastFault = 0;
        for (PlannedFault fault : faults) {
            if (fault instanceof PlannedFault.Timed t) {
                lastFault = Math.max(lastFault, t.from() + 1);
            }
        }
        long shorterPhase = Math.max(lastFault, p.faultPhaseMs() / 2);
        if (shorterPhase < p.faultPhaseMs() && shorterPhase > 0) {
            out.add(new Candidate("halved the fault phase to " + shorterPhase / 60_000 + " min", plan.withPhases(
                    new Phases(shorterPhase, p.recovery(), p.newAssetEveryMs(), p.recoveryNewAssets()))));
        }
        if (p.recoveryNewAssets() > 0) {
            out.add(new Candidate("halved the recovery's new photos to " + p.recoveryNewAssets() / 2, plan.withPhases(
                    new Phases(p.faultPhaseMs(), p.recovery(), p.newAssetEveryMs(), p.recoveryNewAssets() / 2))));
        }
        for (int i = 0; i < faults.size(); i++) {
            PlannedFault earlier = earlier(faults.get(i));
            if (earlier != null) {
                List<PlannedFault> changed = new ArrayList<>(faults);
                changed.set(i, earlier);
                out.add(new Candidate("moved " + faults.get(i).kind() + " to activation " + ((PlannedFault.Pinned) earlier).activation(),
                        plan.withFaults(changed)));
            }
        }
        return out;
    }

    private static String describe(List<PlannedFault> faults) {
        TreeSet<String> kinds = new TreeSet<>();
        faults.forEach(f -> kinds.add(f.kind()));
        return String.join(", ", kinds);
    }

    /** The same timed fault over the first half of its window; null for kinds without a window. */
    static PlannedFault shortened(PlannedFault.Timed t) {
        long until = t.from() + (t.until() - t.from()) / 2;
        // Java 17 has no pattern switch; each kind rebuilt with its own parameters
        if (t instanceof PlannedFault.NetworkOffline f) {
            return new PlannedFault.NetworkOffline(f.from(), until);
        } else if (t instanceof PlannedFault.NetworkDegraded f) {
            return new PlannedFault.NetworkDegraded(f.from(), until, f.latencyMs(), f.uplinkKbps());
        } else if (t instanceof PlannedFault.ExpensiveNetwork f) {
            return new PlannedFault.ExpensiveNetwork(f.from(), until);
        } else if (t instanceof PlannedFault.TransferDrop f) {
            return new PlannedFault.TransferDrop(f.from(), until, f.probability(), f.afterBytes());
        } else if (t instanceof PlannedFault.ResponseLost f) {
            return new PlannedFault.ResponseLost(f.from(), until, f.probability());
        } else if (t instanceof PlannedFault.CloudError f) {
            return new PlannedFault.CloudError(f.from(), until, f.probability(), f.status(), f.retryAfterSeconds());
        } else if (t instanceof PlannedFault.SlowResponse f) {
            return new PlannedFault.SlowResponse(f.from(), until, f.probability(), f.delayMs());
        } else if (t instanceof PlannedFault.MalformedResponse f) {
            return new PlannedFault.MalformedResponse(f.from(), until, f.probability(), f.form());
        } else if (t instanceof PlannedFault.LowPower f) {
            return new PlannedFault.LowPower(f.from(), until);
        } else if (t instanceof PlannedFault.Thermal f) {
            return new PlannedFault.Thermal(f.from(), until, f.level());
        } else if (t instanceof PlannedFault.Unplugged f) {
            return new PlannedFault.Unplugged(f.from(), until);
        } else if (t instanceof PlannedFault.AccessChanged f) {
            return new PlannedFault.AccessChanged(f.from(), until, f.status());
        } else if (t instanceof PlannedFault.ExtensionDisabled f) {
            return new PlannedFault.ExtensionDisabled(f.from(), until);
        }
        return null; // instants: nothing to shorten
    }

    /** The same process fault one activation earlier; null if it is already at the first. */
    static PlannedFault earlier(PlannedFault fault) {
        if (fault instanceof PlannedFault.HardKill f && f.activation() > 1) {
            return new PlannedFault.HardKill(f.activation() - 1, f.atCall());
        } else if (fault instanceof PlannedFault.TerminationNotice f && f.activation() > 1) {
            return new PlannedFault.TerminationNotice(f.activation() - 1, f.atCall());
        } else if (fault instanceof PlannedFault.KillInChanges f && f.activation() > 1) {
            return new PlannedFault.KillInChanges(f.activation() - 1, f.block(), f.afterCommit());
        } else if (fault instanceof PlannedFault.JobLimitDip f && f.activation() > 1) {
            return new PlannedFault.JobLimitDip(f.activation() - 1, f.atCall(), f.limit());
        } else if (fault instanceof PlannedFault.JobLimitAtCommit f && f.activation() > 1) {
            return new PlannedFault.JobLimitAtCommit(f.activation() - 1, f.block(), f.limit());
        } else if (fault instanceof PlannedFault.LibraryFlaky f && f.activation() > 1) {
            return new PlannedFault.LibraryFlaky(f.activation() - 1, f.mode(), f.code());
        }
        return null;
    }
}
