package org.upcert.conformance.suite;

/**
 * One simulated run of the suite: a profile, a seed and a cloud dialect.
 *
 * @param profile a standard profile name or a profile file
 * @param seed the seed
 * @param cloud the cloud dialect
 */
public record Cell(String profile, long seed, String cloud) implements Comparable<Cell> {

    /** {@code "flaky-network · seed 3"}, with the cloud when it is not the default. */
    public String label() {
        return profile + " · seed " + seed + (cloud.equals(SuiteConfig.DEFAULT_CLOUD) ? "" : " · " + cloud);
    }

    /** A file-name-safe name: {@code flaky-network-seed3-generic-put}. */
    public String fileName() {
        String base = profile.replaceAll(".*[/\\\\]", "").replaceAll("\\.ya?ml$", "");
        return base.replaceAll("[^A-Za-z0-9._-]", "_") + "-seed" + seed + "-" + cloud;
    }

    @Override
    public int compareTo(Cell other) {
        int byProfile = profile.compareTo(other.profile);
        if (byProfile != 0) {
            return byProfile;
        }
        int bySeed = Long.compare(seed, other.seed);
        return bySeed != 0 ? bySeed : cloud.compareTo(other.cloud);
    }
}
