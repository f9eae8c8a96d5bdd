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

    /** A fresh dialect named {@code name}. */
    public static CloudDialect create(String name, long seed, LongSupplier virtualNow) {
        Factory factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown cloud dialect '" + name + "'; available: " + String.join(", ", names()));
        }
        return factory.create(seed, virtualNow);
    }
}
