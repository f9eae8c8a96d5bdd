package org.upcert.harness.faults.profile;

import java.util.List;

/**
 * When a fault strikes, as the profile wrote it (times in virtual ms since the start of the run).
 * {@link PlanExpander} turns a schedule into concrete occurrences.
 */
public sealed interface Schedule {

    /** One occurrence at {@code at}; windowed kinds last {@code duration}. */
    record At(long at, long duration) implements Schedule {
    }

    /**
     * Occurrences at {@code from + k·every + jitterₖ} (jitterₖ drawn in [0, jitter]) for k = 0, 1, …
     * while the start is before {@code until}; windowed kinds last {@code duration}, cut at {@code until}.
     */
    record Every(long every, long jitter, long duration, long from, long until) implements Schedule {
    }

    /** One occurrence spanning the window {@code [from, until)} (windowed kinds only). */
    record During(long from, long until) implements Schedule {
    }

    /** Process faults: the listed activations (1-based, ascending). */
    record Activations(List<Integer> activations) implements Schedule {
        public Activations {
            activations = List.copyOf(activations);
        }
    }
}
