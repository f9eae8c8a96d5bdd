package org.upcert.harness.run;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * How to run (not what: that is the {@link org.upcert.harness.plan.RunPlan}).
 *
 * @param traceFile where to write the trace; null keeps it in memory
 * @param cloud the cloud dialect name
 * @param progress called after every activation (on the simulator thread); may be null
 * @param transport how requests reach the cloud stub: {@code loopback} (real HTTP, the default)
 *     or {@code direct} (in-JVM, no socket; the same trace, faster)
 * @param isolation where the extension's code runs ({@link Hosting}): {@code auto} (a jar in a
 *     worker process, a command in its own processes, a class on the class path in process),
 *     {@code worker}, {@code in-process}, {@code container}
 * @param assumptions what the run assumes beyond what PhotoKit documents ({@link #KNOWN_ASSUMPTIONS});
 *     empty by default: the extension sees what a device shows. Recorded in the trace header,
 *     {@code summary.json} and the certificate.
 * @param hangAfterMs real time a call of an isolated extension may go without an API call before it
 *     is declared hung and killed ({@code --hang-after}); 0 keeps the policy's default (10 s). The
 *     only real-time bound of a run: it decides nothing but when a hung process is given up.
 * @param upgradeTo the app's next build, which an {@code app.upgrade} fault swaps in
 *     ({@code --upgrade-to}); null: the same artifact, relaunched fresh (an update without a code
 *     change). Runs in the same isolation as the first.
 */
public record RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress, String transport, String isolation,
        SortedSet<String> assumptions, long hangAfterMs, org.upcert.harness.host.ExtensionSource upgradeTo) {

    /**
     * The extension sees the HTTP status of a failed upload ({@code UploadError.httpStatus()}),
     * which PhotoKit does not document exposing (it gives a sanitized NSURLErrorDomain code and
     * the lowercased response headers).
     */
    public static final String ASSUME_HTTP_STATUS = "http-status";
    /**
     * The cloud repeats values the real service returns only in a response body in headers the
     * extension can read (Google's upload token in {@code x-goog-upload-token}, OneDrive's item in
     * {@code location}/{@code etag}, Dropbox's metadata in {@code dropbox-api-result}), as a proxy
     * in front of the service would: the stub's <em>lenient</em> header mode. Without it the stub is
     * <em>strict</em> (only what the real service sends in headers is in headers), and a dialect no
     * extension can then complete is certified as protocol shape only
     * ({@link org.upcert.harness.cloud.CloudDialects#protocolShapeOnly}; docs/cloud.md).
     */
    public static final String ASSUME_BODY_IN_HEADERS = "body-in-headers";
    /** Every assumption a run may state ({@code --assume}). */
    public static final SortedSet<String> KNOWN_ASSUMPTIONS = Collections.unmodifiableSortedSet(new TreeSet<>(
            Set.of(ASSUME_HTTP_STATUS, ASSUME_BODY_IN_HEADERS)));

    public RunOptions {
        if (!transport.equals("loopback") && !transport.equals("direct")) {
            throw new IllegalArgumentException("transport must be loopback or direct, not '" + transport + "'");
        }
        Hosting.requireKnown(isolation);
        if (hangAfterMs < 0) {
            throw new IllegalArgumentException("hangAfterMs must be >= 0, was " + hangAfterMs);
        }
        assumptions = Collections.unmodifiableSortedSet(new TreeSet<>(assumptions));
        for (String assumption : assumptions) {
            requireKnownAssumption(assumption);
        }
    }

    /** Refuses an assumption upcert does not know, with the ones it does. */
    public static String requireKnownAssumption(String assumption) {
        if (!KNOWN_ASSUMPTIONS.contains(assumption)) {
            throw new IllegalArgumentException("unknown assumption '" + assumption + "' (known: "
                    + String.join(", ", KNOWN_ASSUMPTIONS) + ")");
        }
        return assumption;
    }

    public RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress, String transport, String isolation,
            SortedSet<String> assumptions, long hangAfterMs) {
        this(traceFile, cloud, progress, transport, isolation, assumptions, hangAfterMs, null);
    }

    public RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress, String transport, String isolation,
            SortedSet<String> assumptions) {
        this(traceFile, cloud, progress, transport, isolation, assumptions, 0);
    }

    public RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress, String transport, String isolation) {
        this(traceFile, cloud, progress, transport, isolation, new TreeSet<>());
    }

    public RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress, String transport) {
        this(traceFile, cloud, progress, transport, Hosting.AUTO);
    }

    public RunOptions(Path traceFile, String cloud, Consumer<RunProgress> progress) {
        this(traceFile, cloud, progress, "loopback");
    }

    public static RunOptions inMemory() {
        return new RunOptions(null, "generic-put", null, "loopback");
    }

    public RunOptions withTraceFile(Path file) {
        return new RunOptions(file, cloud, progress, transport, isolation, assumptions, hangAfterMs, upgradeTo);
    }

    public RunOptions withProgress(Consumer<RunProgress> listener) {
        return new RunOptions(traceFile, cloud, listener, transport, isolation, assumptions, hangAfterMs, upgradeTo);
    }

    /** The cloud dialect to serve, by the name {@code --cloud} takes. */
    public RunOptions withCloud(String dialect) {
        return new RunOptions(traceFile, dialect, progress, transport, isolation, assumptions, hangAfterMs, upgradeTo);
    }

    public RunOptions withTransport(String name) {
        return new RunOptions(traceFile, cloud, progress, name, isolation, assumptions, hangAfterMs, upgradeTo);
    }

    /** Where the extension's code runs: {@code auto}, {@code worker}, {@code in-process}, {@code container}. */
    public RunOptions withIsolation(String name) {
        return new RunOptions(traceFile, cloud, progress, transport, name, assumptions, hangAfterMs, upgradeTo);
    }

    /** The run's assumptions beyond what PhotoKit documents (e.g. {@link #ASSUME_HTTP_STATUS}); empty: none. */
    public RunOptions withAssumptions(Set<String> names) {
        return new RunOptions(traceFile, cloud, progress, transport, isolation, new TreeSet<>(names), hangAfterMs, upgradeTo);
    }

    /** How long a call may go without an API call before it is declared hung (real time); 0: the default. */
    public RunOptions withHangAfterMs(long millis) {
        return new RunOptions(traceFile, cloud, progress, transport, isolation, assumptions, millis, upgradeTo);
    }

    /**
     * The app's next build for {@code app.upgrade} faults (see {@link #upgradeTo()}); null: the
     * same artifact relaunched.
     */
    public RunOptions withUpgradeTo(org.upcert.harness.host.ExtensionSource next) {
        return new RunOptions(traceFile, cloud, progress, transport, isolation, assumptions, hangAfterMs, next);
    }

    /** The plan to run: {@code plan} with its hang bound replaced when {@link #hangAfterMs} is set. */
    public org.upcert.harness.plan.RunPlan applyTo(org.upcert.harness.plan.RunPlan plan) {
        return hangAfterMs == 0 ? plan : plan.withPolicy(plan.policy().withCallWallTimeoutMs(hangAfterMs));
    }

    /** Whether the cloud stub repeats body-borne values in headers (lenient), rather than strict. */
    public boolean bodyInHeaders() {
        return assumptions.contains(ASSUME_BODY_IN_HEADERS);
    }

    /** Whether the extension sees the HTTP status of failed uploads. */
    public boolean exposesHttpStatus() {
        return assumptions.contains(ASSUME_HTTP_STATUS);
    }

    /** A snapshot for progress displays. */
    public record RunProgress(long virtualMillis, int activations, long uploaded, long resources, long traceEvents) {
    }
}
