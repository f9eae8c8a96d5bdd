package org.upcert.harness.faults.profile;

import org.upcert.harness.sim.SimRandom;

/** A whole number written as {@code 5} or {@code {min: 1, max: 9}}; a range is drawn per occurrence. */
public record IntRange(long min, long max) {

    public IntRange {
        if (max < min) {
            throw new IllegalArgumentException("max < min: " + min + ".." + max);
        }
    }

    public static IntRange exactly(long value) {
        return new IntRange(value, value);
    }

    /** A value in [min, max]; draws from {@code random} only when there is a choice. */
    public long draw(SimRandom random) {
        return min == max ? min : random.between(min, max);
    }

    @Override
    public String toString() {
        return min == max ? Long.toString(min) : "{min: " + min + ", max: " + max + "}";
    }
}
