package org.upcert.harness.plan;

/**
 * The two phases of a run, after FoundationDB's "unclogged" check: faults strike only during
 * the fault phase; then the recovery phase runs with every fault off, so liveness ("everything
 * uploaded exactly once, every job acknowledged") is judged fairly.
 *
 * @param faultPhaseMs virtual length of the fault phase (0: no fault phase)
 * @param recovery whether a recovery phase follows
 * @param newAssetEveryMs during recovery, a new photo is taken this often (0: never). Ordinary
 *     library activity: an extension that answered COMPLETED with jobs in flight is woken again
 *     eventually, as on a device.
 * @param recoveryNewAssets how many such photos at most
 */
public record Phases(long faultPhaseMs, boolean recovery, long newAssetEveryMs, int recoveryNewAssets) {

    public Phases {
        if (faultPhaseMs < 0 || newAssetEveryMs < 0 || recoveryNewAssets < 0) {
            throw new IllegalArgumentException("phase lengths and counts must be >= 0");
        }
    }

    /** No fault phase, no recovery activity: the plain run. */
    public static Phases none() {
        return new Phases(0, false, 0, 0);
    }

    /** The standard shape: a fault phase of {@code faultPhaseMs}, then recovery with a new photo every 30 minutes, up to 12. */
    public static Phases standard(long faultPhaseMs) {
        return new Phases(faultPhaseMs, true, 1_800_000, 12);
    }
}
