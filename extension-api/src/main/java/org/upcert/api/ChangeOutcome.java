package org.upcert.api;

import java.util.List;
import java.util.Objects;

/**
 * What became of a committed {@code performChanges} block
 * ({@link PhotoLibrary#performChangesAndReport(JobChangeBlock)}): how many changes were applied
 * and which were dropped because their job could no longer be changed. A block rejected as a
 * whole throws {@link PhotosException} instead and has no outcome.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class ChangeOutcome {
    private static final ChangeOutcome NOTHING = new ChangeOutcome(0, List.of());

    private final int applied;
    private final List<DroppedChange> dropped;

    private ChangeOutcome(int applied, List<DroppedChange> dropped) {
        if (applied < 0) {
            throw new IllegalArgumentException("applied must be >= 0, was " + applied);
        }
        this.applied = applied;
        this.dropped = List.copyOf(dropped);
    }

    /** An outcome: {@code applied} changes applied, {@code dropped} dropped (in block order). */
    public static ChangeOutcome of(int applied, List<DroppedChange> dropped) {
        return applied == 0 && dropped.isEmpty() ? NOTHING : new ChangeOutcome(applied, Objects.requireNonNull(dropped, "dropped"));
    }

    /**
     * Every change of a block of {@code applied} changes applied. Also what implementations
     * that never drop a change (test doubles) report, through the default
     * {@link PhotoLibrary#performChangesAndReport(JobChangeBlock)}.
     */
    public static ChangeOutcome allApplied(int applied) {
        return of(applied, List.of());
    }

    /** The changes that were applied. */
    public int applied() {
        return applied;
    }

    /** The changes that were dropped, in block order; empty when every change applied. */
    public List<DroppedChange> dropped() {
        return dropped;
    }

    /** Whether no change was dropped. */
    public boolean allApplied() {
        return dropped.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChangeOutcome that && applied == that.applied && dropped.equals(that.dropped);
    }

    @Override
    public int hashCode() {
        return Objects.hash(applied, dropped);
    }

    @Override
    public String toString() {
        return applied + " applied" + (dropped.isEmpty() ? "" : ", dropped " + dropped);
    }
}
