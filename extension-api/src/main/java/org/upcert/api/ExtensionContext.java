package org.upcert.api;

import java.net.URI;
import java.time.Clock;
import java.util.SortedMap;

/**
 * The services the system lends one call of {@link UploadExtension#processJobs(ExtensionContext)}.
 * On a device these are process-wide singletons ({@code PHPhotoLibrary.shared()}, the app-group
 * container, {@code URLSession}); upcert hands them over explicitly so that every access can be
 * simulated, timed and recorded.
 *
 * <p><b>Validity.</b> A context is valid only until its call returns, or until the process is
 * killed. Every later use (from a leftover thread, a cached reference, a killed call that keeps
 * running) is refused with an {@link IllegalStateException} and recorded in the trace: on a
 * device that work would never reach the library, and the conformance suite treats it as a
 * violation.
 *
 * <p><b>Time.</b> Each call into these services costs a small, fixed amount of simulated time
 * (more for HTTP, by size and network). That is how the per-call runtime limit and the
 * termination grace period are enforced deterministically.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface ExtensionContext {

    /** The photo library and its upload jobs ({@code PHPhotoLibrary} plus the job class methods). */
    PhotoLibrary library();

    /**
     * The app-group container shared with the host app: durable across calls, relaunches and
     * kills. The only memory a relaunched process has. The host app lists the resources it
     * uploaded itself in {@link AppGroupStorage#HOST_APP_UPLOADS} ({@code host/uploaded}, one
     * resource key per line), and while it holds the container's file lock the extension's writes
     * throw {@link StorageUnavailableException} (see {@link AppGroupStorage}).
     */
    AppGroupStorage storage();

    /** The simulated wall clock. Never use {@code System.currentTimeMillis()} in an extension. */
    Clock clock();

    /**
     * The {@code BackgroundUploadURLBase} of the extension's Info.plist. The system sends
     * nothing to a destination outside it (scheme, host, port and path prefix must match).
     */
    URI uploadUrlBase();

    /**
     * An HTTP client for the extension's own requests (sign-in, creating upload sessions,
     * committing uploads). It goes through the same simulated network, faults and trace as the
     * system's uploads.
     */
    ExtensionHttp http();

    /** A log whose lines land in the trace ({@code os_log} on a device). */
    ExtensionLog log();

    /**
     * Settings the host app would have written to the shared container (account, server kind,
     * client id). Keys are sorted. Read-only.
     */
    SortedMap<String, String> configuration();

    /**
     * The {@code cloud.*} settings of {@link #configuration()}, typed (URLs parsed): the dialect,
     * the client credentials, the token, presign and API endpoints.
     *
     * @throws IllegalArgumentException if a URL setting is malformed (the message names the key)
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    default CloudSettings cloudSettings() {
        return CloudSettings.of(configuration());
    }

    /**
     * The OS level the simulated device runs ({@code "26.1"}, {@code "26.4"}, {@code "27.0"}):
     * what {@code #available(iOS 26.4, *)} checks on a device. A call or field the OS level lacks
     * does not exist there, so here it throws {@link UnsupportedOperationException} and the
     * refusal is recorded ({@code api.refused}, "not available before iOS X"):
     * <ul>
     *   <li>from 26.4: {@link JobChanges#cancel(UploadJob)}, the identifier {@link JobChanges#createJob}
     *       returns (null before), {@link UploadJob#type()}, {@link UploadJob#responseHeaderFields()},
     *       {@link UploadJob#error()};
     *   <li>from 26.5: {@link PhotoLibrary#fetchJobs(JobAction)} with {@link JobAction#PROCESS};
     *   <li>from 27.0: {@link PhotoLibrary#assetResource(UploadJob)}.
     * </ul>
     * Check the level first, as {@code #available} would; {@link #osAtLeast(String)} compares.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.2")
    default String osVersion() {
        return "27.0";
    }

    /**
     * Whether {@link #osVersion()} is at least {@code level} ({@code "26.4"}, {@code "27"}):
     * {@code #available(iOS level, *)}. Versions compare numerically, part by part.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.2")
    default boolean osAtLeast(String level) {
        return OsVersions.compare(osVersion(), level) >= 0;
    }
}
