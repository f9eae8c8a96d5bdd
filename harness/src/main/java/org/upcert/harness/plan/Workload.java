package org.upcert.harness.plan;

/**
 * The library and limits a run starts with.
 *
 * @param assets number of assets in the library at the start
 * @param photoPercent share of plain photos (one HEIC/JPEG resource)
 * @param livePhotoPercent share of Live Photos (photo + paired video)
 * @param videoPercent share of videos (one video resource)
 * @param rawPercent share of RAW+JPEG pairs (photo + alternate RAW); the four shares add to 100
 * @param jobLimit {@code PHAssetResourceUploadJob.jobLimit}; undocumented on devices, 100 here
 * @param os the OS behaviour level: {@code 26.1}, {@code 26.4}, {@code 26.5} or {@code 27}. Before
 *     26.4 jobs carry no {@code error} and no {@code responseHeaderFields} (both arrived in 26.4);
 *     {@code preventsExpensiveNetworkAccess} exists only from 27.
 */
public record Workload(int assets, int photoPercent, int livePhotoPercent, int videoPercent, int rawPercent, int jobLimit,
        String os) {

    /** The OS levels upcert models. */
    public static final java.util.List<String> OS_LEVELS = java.util.List.of("26.1", "26.4", "26.5", "27");

    /** A workload on the default OS level, 26.4. */
    public Workload(int assets, int photoPercent, int livePhotoPercent, int videoPercent, int rawPercent, int jobLimit) {
        this(assets, photoPercent, livePhotoPercent, videoPercent, rawPercent, jobLimit, "26.4");
    }

    public Workload {
        if (assets < 0) {
            throw new IllegalArgumentException("assets must be >= 0, was " + assets);
        }
        if (photoPercent < 0 || livePhotoPercent < 0 || videoPercent < 0 || rawPercent < 0
                || photoPercent + livePhotoPercent + videoPercent + rawPercent != 100) {
            throw new IllegalArgumentException("asset mix must be non-negative and add up to 100");
        }
        if (jobLimit < 1) {
            throw new IllegalArgumentException("jobLimit must be >= 1, was " + jobLimit);
        }
        if (!OS_LEVELS.contains(os)) {
            throw new IllegalArgumentException("os must be one of " + OS_LEVELS + ", was " + os);
        }
    }

    /** A typical phone library of {@code assets} assets: 70% photos, 15% Live Photos, 10% videos, 5% RAW+JPEG. */
    public static Workload typical(int assets) {
        return new Workload(assets, 70, 15, 10, 5, 100);
    }

    public Workload withJobLimit(int limit) {
        return new Workload(assets, photoPercent, livePhotoPercent, videoPercent, rawPercent, limit, os);
    }

    public Workload withOs(String level) {
        return new Workload(assets, photoPercent, livePhotoPercent, videoPercent, rawPercent, jobLimit, level);
    }

    /** Whether the OS level is at least {@code level} (both from {@link #OS_LEVELS}). */
    public boolean osAtLeast(String level) {
        return atLeast(os, level);
    }

    /** Whether OS level {@code os} is at least {@code level} (both from {@link #OS_LEVELS}). */
    public static boolean atLeast(String os, String level) {
        return OS_LEVELS.indexOf(os) >= OS_LEVELS.indexOf(level);
    }
}
