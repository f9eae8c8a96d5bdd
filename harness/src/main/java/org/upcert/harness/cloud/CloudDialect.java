package org.upcert.harness.cloud;

import java.net.URI;
import java.util.SortedMap;

/**
 * One cloud service's protocol (generic PUT, S3 presigned, Google Photos, ...): a pure function
 * of the request, the dialect's own state and the virtual clock. Implementations record what they
 * store, commit and refuse in the {@link CloudInventory}.
 *
 * <p>Called on the transport's threads, one request at a time (the simulator sends one request
 * at a time), so implementations synchronise on themselves and need nothing cleverer.
 */
public interface CloudDialect {

    /**
     * Header the system adds with the resource's declared size when the body is a compact
     * stand-in (see {@code PayloadMode}); dialects record that size in the inventory.
     */
    String DECLARED_LENGTH_HEADER = "x-upcert-declared-length";

    /** The dialect's name, as {@code --cloud} takes it. */
    String name();

    /** The path prefix the dialect serves, e.g. {@code /dav/}; the upload URL base ends with it. */
    String basePath();

    /** Answers one request. */
    CloudResponse handle(CloudRequest request);

    /**
     * What the host app would have written to the shared container for this cloud: account,
     * client id and secret, and the URLs of the service host's endpoints (sign-in, API), under
     * {@code serviceBase}. Given to the extension as {@code ExtensionContext.configuration()}.
     *
     * @param uploadUrlBase the upload host's base ({@code BackgroundUploadURLBase})
     * @param serviceBase the same base path on the service host (sign-in and API endpoints)
     */
    SortedMap<String, String> extensionConfiguration(URI uploadUrlBase, URI serviceBase);

    /**
     * The account's credentials changed in the host app ({@code host.credentials},
     * {@code host.signout}): from now on only {@code clientSecret} signs in ({@code ""}: nothing
     * does, the user signed out) and every token issued before is revoked. A destination already
     * signed (an S3 presigned URL) stays valid: the server's own key signed it.
     */
    default void changeCredentials(String clientSecret) {
    }

    /** {@link #extensionConfiguration(URI, URI)} with both hosts at {@code uploadUrlBase}'s origin. */
    default SortedMap<String, String> extensionConfiguration(URI uploadUrlBase) {
        return extensionConfiguration(uploadUrlBase, uploadUrlBase);
    }

    /**
     * Whether {@code path} is served by the <em>upload host</em> (the origin of
     * {@code BackgroundUploadURLBase}, where the system sends its uploads) rather than the
     * <em>service host</em> (sign-in, API). Real services keep them apart (Dropbox's
     * {@code content.} and {@code api.dropboxapi.com}, Graph's upload URLs, an S3 bucket and the
     * app's backend); so does the stub: each host answers the other's paths with the catch-all 404.
     */
    boolean onUploadHost(String path);

    /** What the cloud has received. */
    CloudInventory inventory();

    /**
     * The answer this service gives for an HTTP error the fault engine injected (a 429 or 5xx
     * the dialect did not decide itself), before {@code Retry-After} is added: a dialect
     * overrides it to give the service's own error shape (Graph's {@code {"error":{"code":…}}},
     * Dropbox's {@code error_summary}). Default: {@code {"error":"injected <status>"}}.
     */
    default CloudResponse injectedError(int status) {
        return CloudResponse.json(status, "{\"error\":\"injected " + status + "\"}");
    }

    /**
     * The answer to an {@code OPTIONS} request: the system's resumable-upload preflight
     * (draft-ietf-httpbis-resumable-upload; reference §3: "OPTIONS → 200 with Upload-Limit, or 501
     * if unsupported"). Served before {@link #handle} by every transport and recorded nowhere.
     * Default: 501, resumable uploads not supported (the system then sends plain uploads).
     */
    default CloudResponse options(CloudRequest request) {
        return CloudResponse.of(501);
    }

    /**
     * Whether a resource of {@code declaredSize} bytes can reach this cloud at all. The system
     * sends a whole resource in one request, and some services cap a request (OneDrive fragments
     * under 60 MiB, Dropbox 150 MB per request): larger resources are not eligible for upload
     * through the extension (apps send them another way), so end-to-end checks leave them out.
     */
    default boolean accepts(long declaredSize) {
        return true;
    }
}
