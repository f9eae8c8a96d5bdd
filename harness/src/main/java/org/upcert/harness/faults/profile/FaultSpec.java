package org.upcert.harness.faults.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One entry of a profile's {@code faults}, validated.
 *
 * @param index 0-based position in the profile: names the fault's random stream ({@code fault-INDEX})
 * @param kind what the fault does
 * @param location where the entry starts in the source
 * @param activation probability that the fault is part of a run at all (BUGGIFY's activation),
 *     decided once per seed
 * @param probability for kinds with a per-operation probability: the chance each transfer or
 *     request inside a window is hit; for every other kind: the chance each occurrence happens
 * @param schedule when it strikes
 * @param parameters the kind's parameters as written (validated); read through {@link FaultKind}
 */
public record FaultSpec(int index, FaultKind kind, Location location, double activation, double probability,
        Schedule schedule, ObjectNode parameters) {

    public FaultSpec {
        parameters = parameters.deepCopy();
    }
}
