package org.upcert.harness.faults.profile;

import java.util.List;
import java.util.Objects;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.plan.Workload;

/**
 * A validated fault profile. {@link PlanExpander} turns it and a seed into a {@link
 * org.upcert.harness.plan.RunPlan}.
 *
 * @param name the catalogue name, or the file name without {@code .yaml}
 * @param source where it was read from (a path, or {@code catalogue:NAME})
 * @param description what the profile does
 * @param imitates the real-world situation it imitates ("" if not given)
 * @param rules the rule ids it exercises (see {@link RuleIds})
 * @param workload the library and job limit
 * @param os the OS behaviour level: {@code 26.1}, {@code 26.4}, {@code 26.5} or {@code 27}
 * @param policy the system policy: defaults with the profile's {@code system} overrides
 * @param overrides the overrides as written, {@code name=value}, in source order (for printing)
 * @param phases fault phase and recovery
 * @param faults the fault entries, in source order
 * @param pinnedPlan the concrete faults of a pinned plan ({@code plan:} in the YAML, as written by
 *     {@code upcert shrink}): used verbatim, in order, for every seed; null for a profile of entries
 * @param seed the one seed the profile is meant to run with ({@code seed:}, as a shrunk case or a
 *     drawn exploration profile writes it): {@code certify} runs it with this seed only; null for any seed
 */
public record Profile(String name, String source, String description, String imitates, List<String> rules,
        Workload workload, String os, SystemPolicy policy, List<String> overrides, Phases phases, List<FaultSpec> faults,
        List<org.upcert.harness.plan.PlannedFault> pinnedPlan, Long seed) {

    public Profile(String name, String source, String description, String imitates, List<String> rules, Workload workload,
            String os, SystemPolicy policy, List<String> overrides, Phases phases, List<FaultSpec> faults,
            List<org.upcert.harness.plan.PlannedFault> pinnedPlan) {
        this(name, source, description, imitates, rules, workload, os, policy, overrides, phases, faults, pinnedPlan, null);
    }

    public Profile(String name, String source, String description, String imitates, List<String> rules, Workload workload,
            String os, SystemPolicy policy, List<String> overrides, Phases phases, List<FaultSpec> faults) {
        this(name, source, description, imitates, rules, workload, os, policy, overrides, phases, faults, null, null);
    }

    public Profile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(phases, "phases");
        rules = List.copyOf(rules);
        overrides = List.copyOf(overrides);
        faults = List.copyOf(faults);
        pinnedPlan = pinnedPlan == null ? null : List.copyOf(pinnedPlan);
    }

    /** The first line (or sentence) of the description, for listings. */
    public String summary() {
        String text = description.strip().replaceAll("\\s+", " ");
        int stop = text.indexOf(". ");
        return stop > 0 ? text.substring(0, stop + 1) : text;
    }
}
