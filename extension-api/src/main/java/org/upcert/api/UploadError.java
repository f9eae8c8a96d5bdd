package org.upcert.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a job failed, as the system reports it in {@code PHAssetResourceUploadJob.error}: sanitized
 * (it may differ from the underlying URL error) and expressed in NSURLErrorDomain codes. When a
 * response arrived with a non-success status, the code is {@link #BAD_SERVER_RESPONSE} and
 * {@link #httpStatus()} carries the status; the response headers are in
 * {@link UploadJob#responseHeaderFields()}.
 *
 * @param domain always {@code NSURLErrorDomain}
 * @param code an NSURLErrorDomain code (the constants below)
 * @param httpStatus the HTTP status if a response arrived, else empty
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
    /** NSURLErrorBadServerResponse: a response arrived, but not a success (see httpStatus). */
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

    /** A failure carried by an HTTP response with a non-success status. */
    public static UploadError httpStatus(int status) {
        int code = status == 401 ? USER_AUTHENTICATION_REQUIRED : BAD_SERVER_RESPONSE;
        return new UploadError(NSURL_ERROR_DOMAIN, code, Optional.of(status), "HTTP " + status);
    }

    @Override
    public String toString() {
        return domain + " " + code + httpStatus.map(s -> " (HTTP " + s + ")").orElse("") + ": " + description;
    }
}
