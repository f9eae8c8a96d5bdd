package org.upcert.harness.plan;

import java.util.List;
import java.util.Objects;

/**
 * Everything a run is made of except the extension: seed, workload, system policy and the
 * expanded faults. Two runs of the same plan, extension and build write identical traces.
 *
 * @param seed drives every random choice (library, sizes, backoff jitter), through sub-streams
 * @param profile the name of the profile the plan was expanded from ({@code none} for none)
 * @param workload the library and job limit
 * @param policy the system's behaviour
 * @param phases how long faults may strike, and what the recovery phase looks like
 * @param faults the concrete faults, in the order the expander produced them (its order is part
 *     of the plan: each probabilistic fault's random stream is derived from its position)
 */
public record RunPlan(long seed, String profile, Workload workload, SystemPolicy policy, Phases phases,
        List<PlannedFault> faults) {

    public RunPlan {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(phases, "phases");
        faults = List.copyOf(faults);
    }

    /** A fault-free plan with default policy and phases. */
    public static RunPlan of(long seed, Workload workload) {
        return new RunPlan(seed, "none", workload, SystemPolicy.defaults(), Phases.none(), List.of());
    }

    /**
     * This plan on a device of at least iOS {@code level}, the extension's deployment target: a
     * device below it never runs the extension (an app whose deployment target is 26.4 is not
     * installed on 26.1), so a profile of a lower level runs at {@code level} instead, its faults
     * unchanged, the level's defaults replacing the lower level's ({@link SystemPolicy#movedToLevel}).
     * Unchanged when {@code level} is null or the plan is already at or above it.
     */
    public RunPlan raisedTo(String level) {
        if (level == null || workload.osAtLeast(level)) {
            return this;
        }
        return new RunPlan(seed, profile, workload.withOs(level), policy.movedToLevel(workload.os(), level), phases, faults);
    }

    public RunPlan withPolicy(SystemPolicy newPolicy) {
        return new RunPlan(seed, profile, workload, newPolicy, phases, faults);
    }

    public RunPlan withFaults(List<PlannedFault> newFaults) {
        return new RunPlan(seed, profile, workload, policy, phases, newFaults);
    }

    public RunPlan withPhases(Phases newPhases) {
        return new RunPlan(seed, profile, workload, policy, newPhases, faults);
    }
}
