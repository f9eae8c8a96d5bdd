package org.upcert.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a job failed, as the system reports it in {@code PHAssetResourceUploadJob.error}: sanitized
 * (it may differ from the underlying URL error) and expressed in NSURLErrorDomain codes.
 *
 * <p>What a device shows, and so what an extension sees by default: when a response arrived
 * with a non-success status, the code is {@link #USER_AUTHENTICATION_REQUIRED} for a 401 and
 * {@link #BAD_SERVER_RESPONSE} for every other status (2xx reported as failed included), and
 * the job's {@link UploadJob#responseHeaderFields()} holds the response's headers (lowercased
 * names; nil when no response arrived). PhotoKit documents no HTTP status on the job, so
 * {@link #httpStatus()} is empty — unless the run states the assumption that the status is
 * visible ({@code --assume http-status}), which its certificate then says.
 *
 * @param domain always {@code NSURLErrorDomain}
 * @param code an NSURLErrorDomain code (the constants below)
 * @param httpStatus the HTTP status if a response arrived and the run assumes {@code http-status}, else empty
 * @param description a short, sanitized description
 */
@API(status = API.Status.STABLE, since = "0.1")
public record UploadError(String domain, int code, Optional<Integer> httpStatus, String description) {

    /** The only domain the system reports. */
    public static final String NSURL_ERROR_DOMAIN = "NSURLErrorDomain";

    /** NSURLErrorUnknown. */
    public static final int UNKNOWN = -1;
    /** NSURLErrorCancelled: the transfer was cancelled. */
    public static final int CANCELLED = -999;
    /** NSURLErrorTimedOut: no answer in time. Transient. */
    public static final int TIMED_OUT = -1001;
    /** NSURLErrorCannotFindHost. */
    public static final int CANNOT_FIND_HOST = -1003;
    /** NSURLErrorCannotConnectToHost: nothing listening, connection refused. Transient. */
    public static final int CANNOT_CONNECT_TO_HOST = -1004;
    /** NSURLErrorNetworkConnectionLost: the connection dropped mid-transfer. Transient. */
    public static final int NETWORK_CONNECTION_LOST = -1005;
    /** NSURLErrorNotConnectedToInternet: the device is offline. Transient. */
    public static final int NOT_CONNECTED_TO_INTERNET = -1009;
    /**
     * NSURLErrorResourceUnavailable: the resource's original could not be fetched before the
     * upload (it was offloaded to iCloud, "Optimize iPhone Storage", and the download failed).
     * Transient: the original is still in iCloud. upcert reports a failed iCloud download with
     * this code (the sources name none).
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public static final int RESOURCE_UNAVAILABLE = -1008;
    /** NSURLErrorBadServerResponse: a response arrived, but not a success (its headers are on the job). */
    public static final int BAD_SERVER_RESPONSE = -1011;
    /** NSURLErrorUserAuthenticationRequired: the server asked for credentials (HTTP 401). */
    public static final int USER_AUTHENTICATION_REQUIRED = -1013;
    /** NSURLErrorZeroByteResource: the server answered with an empty body where one was needed. */
    public static final int ZERO_BYTE_RESOURCE = -1014;
    /** NSURLErrorDataNotAllowed: only an expensive (cellular) network, which options forbid. */
    public static final int DATA_NOT_ALLOWED = -1020;
    /** NSURLErrorFileDoesNotExist: the resource is gone (its asset was deleted before the transfer). */
    public static final int FILE_DOES_NOT_EXIST = -1100;
    /**
     * NSURLErrorAppTransportSecurityRequiresSecureConnection. upcert reports a destination
     * outside {@code BackgroundUploadURLBase} with this code: the system refuses to send it.
     */
    public static final int BLOCKED_BY_POLICY = -1022;

    public UploadError {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(httpStatus, "httpStatus");
        Objects.requireNonNull(description, "description");
    }

    /** A transport error without an HTTP response. */
    public static UploadError transport(int code, String description) {
        return new UploadError(NSURL_ERROR_DOMAIN, code, Optional.empty(), description);
    }

    /**
     * A failure carried by an HTTP response with a non-success status, status included: what the
     * system knows, and what the extension sees only in a run assuming {@code http-status}
     * ({@link #withoutHttpStatus()} is what a device shows).
     */
    public static UploadError httpStatus(int status) {
        int code = status == 401 ? USER_AUTHENTICATION_REQUIRED : BAD_SERVER_RESPONSE;
        return new UploadError(NSURL_ERROR_DOMAIN, code, Optional.of(status), "HTTP " + status);
    }

    /**
     * This error as PhotoKit documents it: the same sanitized code, no HTTP status, and a
     * description that does not give the status away. An error without a status is returned as is.
     */
    public UploadError withoutHttpStatus() {
        if (httpStatus.isEmpty()) {
            return this;
        }
        String text = code == USER_AUTHENTICATION_REQUIRED ? "user authentication required" : "bad server response";
        return new UploadError(domain, code, Optional.empty(), text);
    }

    @Override
    public String toString() {
        return domain + " " + code + httpStatus.map(s -> " (HTTP " + s + ")").orElse("") + ": " + description;
    }
}
