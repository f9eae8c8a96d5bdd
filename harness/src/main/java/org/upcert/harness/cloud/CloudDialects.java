package org.upcert.harness.cloud;

import java.util.List;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The cloud dialects upcert can serve, by the name {@code --cloud} takes. One line per dialect:
 * a factory from (seed, virtual clock) to a fresh dialect with empty state.
 */
public final class CloudDialects {

    /** Makes a dialect for one run. */
    @FunctionalInterface
    public interface Factory {
        CloudDialect create(long seed, LongSupplier virtualNow);
    }

    private static final TreeMap<String, Factory> FACTORIES = new TreeMap<>();

    static {
        FACTORIES.put(GenericPutDialect.NAME, (seed, now) -> new GenericPutDialect(seed, now, 3_600_000));
        FACTORIES.put(OneDriveDialect.NAME, (seed, now) -> new OneDriveDialect(seed, now, 3_600_000, 15 * 60_000, OneDriveDialect.MAX_FRAGMENT_BYTES));
        FACTORIES.put(DropboxDialect.NAME, (seed, now) -> new DropboxDialect(seed, now, 4 * 3_600_000, DropboxDialect.MAX_REQUEST_BYTES));
        FACTORIES.put(S3PresignedDialect.NAME, (seed, now) -> new S3PresignedDialect(seed, now, 900));
        FACTORIES.put(GooglePhotosDialect.NAME, (seed, now) -> new GooglePhotosDialect(seed, now, 3_600_000));
    }

    private CloudDialects() {
    }

    /** The known dialect names, sorted. */
    public static List<String> names() {
        return List.copyOf(FACTORIES.keySet());
    }

    /**
     * Why no extension can back up to cloud {@code dialect} on the OS level of {@code workload},
     * or empty when it can. {@code google-photos} commits an upload with the upload token the
     * upload's response carries, which only the job's {@code responseHeaderFields} show: iOS 26.1
     * has none (they arrived in 26.4), so every upload would stay uncommitted whatever the
     * extension does. Such a pairing is not run: certify makes its verdicts NOT_APPLICABLE with
     * this reason, run and an explicit certify of only such pairings refuse it (exit 2).
     */
    public static java.util.Optional<String> impossibleOn(String dialect, org.upcert.harness.plan.Workload workload) {
        if (dialect.equals(GooglePhotosDialect.NAME) && !workload.osAtLeast("26.4")) {
            return java.util.Optional.of("google-photos cannot be backed up on iOS " + workload.os() + ": a commit needs the "
                    + "upload token from the upload's response headers, and responseHeaderFields exist only from iOS 26.4, so no "
                    + "extension could commit anything (docs/cloud.md)");
        }
        return java.util.Optional.empty();
    }

    /** A fresh dialect named {@code name}. */
    public static CloudDialect create(String name, long seed, LongSupplier virtualNow) {
        Factory factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown cloud dialect '" + name + "'; available: " + String.join(", ", names()));
        }
        return factory.create(seed, virtualNow);
    }
}
