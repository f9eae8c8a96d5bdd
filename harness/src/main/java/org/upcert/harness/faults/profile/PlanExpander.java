package org.upcert.harness.faults.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.sim.SimRandom;

/**
 * (profile, seed) → {@link RunPlan}: every schedule turned into concrete {@link PlannedFault}s.
 *
 * <p>Deterministic by construction. All randomness comes from {@link SimRandom}: the stream of
 * profile entry {@code i} is {@code new SimRandom(seed).fork("plan").fork("fault-" + i)}, so
 * editing one entry never changes another's draws. Per entry, in this order: one draw decides
 * {@code activation} (is the entry part of this run at all); then per occurrence a jitter draw
 * (for {@code every}; whole seconds when the jitter is a second or more), one draw for {@code probability} (kinds without a per-operation
 * probability), then the draws of its parameter ranges ({@code atCall: {min, max}}, …) if kept.
 * No hash order is involved anywhere.
 *
 * <p>The plan lists timed faults first, sorted by {@code from} then kind, then pinned faults
 * sorted by activation then call (or block); ties keep profile order (the sort is stable). The
 * simulator derives each windowed fault's per-operation random stream from its position in this
 * list, so the order is part of the plan.
 */
public final class PlanExpander {

    private static final Comparator<PlannedFault.Timed> TIMED_ORDER = Comparator
            .comparingLong(PlannedFault.Timed::from)
            .thenComparing(PlannedFault::kind);
    private static final Comparator<PlannedFault.Pinned> PINNED_ORDER = Comparator
            .comparingInt(PlannedFault.Pinned::activation)
            .thenComparingInt(PlanExpander::callOrBlock);

    private PlanExpander() {
    }

    public static Expansion expand(Profile profile, long seed) {
        if (profile.pinnedPlan() != null) {
            // already expanded (a shrunk case, a plan copied from a trace): its order is kept, since
            // each per-operation fault's random stream derives from its position in the plan
            return new Expansion(profile, new RunPlan(seed, profile.name(), profile.workload(), profile.policy(), profile.phases(),
                    profile.pinnedPlan()), List.of());
        }
        SimRandom planRandom = new SimRandom(seed).fork("plan");
        long faultPhase = profile.phases().faultPhaseMs();
        List<PlannedFault.Timed> timed = new ArrayList<>();
        List<PlannedFault.Pinned> pinned = new ArrayList<>();
        List<Expansion.EntryOutcome> outcomes = new ArrayList<>();
        for (FaultSpec spec : profile.faults()) {
            SimRandom random = planRandom.fork("fault-" + spec.index());
            boolean active = random.nextDouble() < spec.activation();
            List<PlannedFault> made = active ? occurrences(spec, faultPhase, random) : List.of();
            for (PlannedFault fault : made) {
                if (fault instanceof PlannedFault.Timed t) {
                    timed.add(t);
                } else {
                    pinned.add((PlannedFault.Pinned) fault);
                }
            }
            outcomes.add(new Expansion.EntryOutcome(spec.index(), spec.kind().kind(), spec.location(), active, made.size()));
        }
        timed.sort(TIMED_ORDER);
        pinned.sort(PINNED_ORDER);
        List<PlannedFault> faults = new ArrayList<>(timed.size() + pinned.size());
        faults.addAll(timed);
        faults.addAll(pinned);
        RunPlan plan = new RunPlan(seed, profile.name(), profile.workload(), profile.policy(), profile.phases(), faults);
        return new Expansion(profile, plan, outcomes);
    }

    private static List<PlannedFault> occurrences(FaultSpec spec, long faultPhase, SimRandom random) {
        FaultKind kind = spec.kind();
        boolean window = kind.shape() == FaultKind.Shape.WINDOW;
        double keep = kind.perOperationProbability() ? 1.0 : spec.probability();
        double perOperation = kind.perOperationProbability() ? spec.probability() : 1.0;
        List<PlannedFault> out = new ArrayList<>();
        Schedule schedule = spec.schedule();
        if (schedule instanceof Schedule.Activations a) {
            for (int activation : a.activations()) {
                if (random.nextDouble() < keep) {
                    out.add(kind.make(new FaultKind.Occurrence(activation, 0, 0, perOperation), spec.parameters(), random));
                }
            }
        } else if (schedule instanceof Schedule.At at) {
            if (random.nextDouble() < keep) {
                long until = window ? Math.min(at.at() + at.duration(), faultPhase) : at.at();
                out.add(kind.make(new FaultKind.Occurrence(0, at.at(), until, perOperation), spec.parameters(), random));
            }
        } else if (schedule instanceof Schedule.Every e) {
            for (long base = e.from(); base < e.until(); base += e.every()) {
                long start = base + jitter(e.jitter(), random);
                boolean kept = random.nextDouble() < keep;
                if (!kept || start >= e.until()) {
                    continue;
                }
                long until = window ? Math.min(start + e.duration(), e.until()) : start;
                out.add(kind.make(new FaultKind.Occurrence(0, start, until, perOperation), spec.parameters(), random));
            }
        } else if (schedule instanceof Schedule.During d) {
            if (random.nextDouble() < keep) {
                out.add(kind.make(new FaultKind.Occurrence(0, d.from(), d.until(), perOperation), spec.parameters(), random));
            }
        }
        return out;
    }

    /** A jitter in [0, max]: whole seconds when max is a second or more, so plans stay readable. */
    private static long jitter(long max, SimRandom random) {
        return max >= 1_000 ? random.between(0, max / 1_000) * 1_000 : random.between(0, max);
    }

    private static int callOrBlock(PlannedFault.Pinned fault) {
        if (fault instanceof PlannedFault.HardKill k) {
            return k.atCall();
        }
        if (fault instanceof PlannedFault.TerminationNotice n) {
            return n.atCall();
        }
        if (fault instanceof PlannedFault.JobLimitDip d) {
            return d.atCall();
        }
        if (fault instanceof PlannedFault.KillInChanges c) {
            return c.block();
        }
        if (fault instanceof PlannedFault.JobLimitAtCommit c) {
            return c.block();
        }
        return 0;
    }
}
