package org.upcert.harness.plan;

import java.util.Comparator;
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
 * @param faults the concrete faults, ordered by activation then call
 */
public record RunPlan(long seed, String profile, Workload workload, SystemPolicy policy, List<PlannedFault> faults) {

    public RunPlan {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(policy, "policy");
        faults = faults.stream()
                .sorted(Comparator.comparingInt(PlannedFault::activation).thenComparing(PlannedFault::kind))
                .toList();
    }

    /** A fault-free plan with default policy. */
    public static RunPlan of(long seed, Workload workload) {
        return new RunPlan(seed, "none", workload, SystemPolicy.defaults(), List.of());
    }

    public RunPlan withPolicy(SystemPolicy newPolicy) {
        return new RunPlan(seed, profile, workload, newPolicy, faults);
    }

    public RunPlan withFaults(List<PlannedFault> newFaults) {
        return new RunPlan(seed, profile, workload, policy, newFaults);
    }
}
