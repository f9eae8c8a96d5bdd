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
        /** {@code bodyInHeaders}: the lenient header mode (body-borne values repeated in headers); false: strict. */
        CloudDialect create(long seed, LongSupplier virtualNow, boolean bodyInHeaders);
    }

    private static final TreeMap<String, Factory> FACTORIES = new TreeMap<>();

    static {
        FACTORIES.put(GenericPutDialect.NAME, (seed, now, lenient) -> new GenericPutDialect(seed, now, 3_600_000));
        FACTORIES.put(GenericPutDialect.RESUMABLE_NAME, (seed, now, lenient) -> new GenericPutDialect(seed, now, 3_600_000)
                .resumable(true));
        FACTORIES.put(OneDriveDialect.NAME, (seed, now, lenient) -> new OneDriveDialect(seed, now, 3_600_000, 15 * 60_000,
                OneDriveDialect.MAX_FRAGMENT_BYTES).bodyInHeaders(lenient));
        FACTORIES.put(DropboxDialect.NAME, (seed, now, lenient) -> new DropboxDialect(seed, now, 4 * 3_600_000,
                DropboxDialect.MAX_REQUEST_BYTES).bodyInHeaders(lenient));
        FACTORIES.put(S3PresignedDialect.NAME, (seed, now, lenient) -> new S3PresignedDialect(seed, now, 900));
        FACTORIES.put(GooglePhotosDialect.NAME, (seed, now, lenient) -> new GooglePhotosDialect(seed, now, 3_600_000)
                .bodyInHeaders(lenient));
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
        return impossibleOn(dialect, workload, true);
    }

    /**
     * {@link #impossibleOn(String, org.upcert.harness.plan.Workload)} for a run whose stub repeats
     * body-borne values in headers ({@code bodyInHeaders}, the lenient mode) or not (strict). In the
     * strict mode no google-photos extension can commit on any level, so the run judges the
     * protocol's shape only ({@link #protocolShapeOnly}) and 26.1 is no less possible than 26.4.
     */
    public static java.util.Optional<String> impossibleOn(String dialect, org.upcert.harness.plan.Workload workload,
            boolean bodyInHeaders) {
        if (bodyInHeaders && dialect.equals(GooglePhotosDialect.NAME) && !workload.osAtLeast("26.4")) {
            return java.util.Optional.of("google-photos cannot be backed up on iOS " + workload.os() + ": a commit needs the "
                    + "upload token from the upload's response headers, and responseHeaderFields exist only from iOS 26.4, so no "
                    + "extension could commit anything (docs/cloud.md)");
        }
        return java.util.Optional.empty();
    }

    /**
     * Why a run against {@code dialect} can judge only the shape of the extension's requests, or
     * empty when it judges the whole protocol. In the strict header mode ({@code bodyInHeaders}
     * false, the default) {@code google-photos} is such a dialect: its upload token exists only in
     * the upload's response body, which PhotoKit never hands to the extension, and no request of
     * the extension's own can ask for it; so the stub takes an upload's accepted bytes as the
     * resource stored and nothing is committed. OneDrive and Dropbox are not: an extension gets the
     * item over its own {@code http()} (GET the item by path, {@code files/get_metadata}).
     * Stated in every certificate and report of such a run (docs/cloud.md).
     */
    public static java.util.Optional<String> protocolShapeOnly(String dialect, boolean bodyInHeaders) {
        if (!bodyInHeaders && dialect.equals(GooglePhotosDialect.NAME)) {
            return java.util.Optional.of("protocol shape only: google-photos returns the upload token only in the upload's "
                    + "response body, which PhotoKit never shows the extension, so with the strict stub no extension can "
                    + "commit (batchCreate); an upload the service accepted counts as stored and the commit phase is not "
                    + "judged (--assume " + "body-in-headers judges it, with the token repeated in a header)");
        }
        return java.util.Optional.empty();
    }

    /** A fresh dialect named {@code name}, strict headers. */
    public static CloudDialect create(String name, long seed, LongSupplier virtualNow) {
        return create(name, seed, virtualNow, false);
    }

    /** A fresh dialect named {@code name}; {@code bodyInHeaders}: the lenient header mode. */
    public static CloudDialect create(String name, long seed, LongSupplier virtualNow, boolean bodyInHeaders) {
        Factory factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown cloud dialect '" + name + "'; available: " + String.join(", ", names()));
        }
        return factory.create(seed, virtualNow, bodyInHeaders);
    }
}
