package org.upcert.harness.faults.profile;

import java.util.List;
import org.upcert.harness.plan.RunPlan;

/**
 * A profile expanded for one seed: the plan the simulator runs, and what became of each fault
 * entry (for {@code upcert profiles show}: an entry whose {@code activation} draw failed
 * contributes nothing to the plan, and the plan alone would not say so).
 */
public record Expansion(Profile profile, RunPlan plan, List<EntryOutcome> entries) {

    public Expansion {
        entries = List.copyOf(entries);
    }

    /**
     * What one profile entry contributed.
     *
     * @param index the entry's position in the profile's {@code faults}
     * @param kind its kind
     * @param location where it is written
     * @param active whether its activation draw made it part of this run
     * @param occurrences how many concrete faults it put in the plan (0 when inactive)
     */
    public record EntryOutcome(int index, String kind, Location location, boolean active, int occurrences) {
    }
}
