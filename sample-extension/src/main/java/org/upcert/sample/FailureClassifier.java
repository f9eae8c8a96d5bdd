package org.upcert.sample;

import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;

/**
 * Classifies a failed job on what a device shows: its sanitized error ({@code UploadJob.error()},
 * NSURLErrorDomain codes), its lowercased response headers ({@code responseHeaderFields}: there
 * when a response arrived, nil when none did), and what the extension knows of its own
 * destination (when a presigned URL expires). PhotoKit documents no HTTP status on the job, so
 * this table never reads {@link UploadError#httpStatus()}: the logic ports to Swift as it is.
 *
 * <table>
 *   <caption>The table</caption>
 *   <tr><th>what the job shows</th><th>kind</th><th>rule</th></tr>
 *   <tr><td>a response whose headers carry the server's id for the stored object (a 2xx the
 *       system reported as failed, a device quirk)</td><td>STORED_DESPITE_FAILURE</td><td>DUP-02</td></tr>
 *   <tr><td>USER_AUTHENTICATION_REQUIRED (the server answered 401)</td><td>REAUTHENTICATE</td><td>RTY-02</td></tr>
 *   <tr><td>a response, on a destination the dialect knows has expired (a presigned URL past its
 *       {@code X-Amz-Expires})</td><td>DESTINATION_EXPIRED</td><td>RTY-03</td></tr>
 *   <tr><td>a response carrying {@code retry-after}</td><td>TRANSIENT (after the wait)</td><td>RTY-01, RTY-04</td></tr>
 *   <tr><td>any other response (BAD_SERVER_RESPONSE with headers: a 400, 403, 404, 413 or a
 *       503 alike)</td><td>REFUSED</td><td>RTY-01, RTY-02</td></tr>
 *   <tr><td>no response: TIMED_OUT, CANNOT_FIND_HOST, CANNOT_CONNECT_TO_HOST,
 *       NETWORK_CONNECTION_LOST, NOT_CONNECTED_TO_INTERNET, DATA_NOT_ALLOWED, an unparsable
 *       answer</td><td>TRANSIENT</td><td>RTY-01</td></tr>
 *   <tr><td>no response: BLOCKED_BY_POLICY</td><td>PERMANENT</td><td>RTY-01 (justified)</td></tr>
 *   <tr><td>no response, any other code; no error at all (iOS 26.1 shows none)</td><td>TRANSIENT</td><td>RTY-01</td></tr>
 * </table>
 *
 * <p>Why an unknown failure counts as transient: the system sanitizes errors, so a code this
 * table does not know says little about the server. Giving up on a photo for an unexplained
 * failure loses it for good; trying again costs one upload, and {@link RetryPolicy} spaces the
 * attempts out. A refusal is given up only once it has outlasted any burst a server has
 * ({@link RetryPolicy#givesUp}).
 */
final class FailureClassifier {

    private FailureClassifier() {
    }

    /** The kind of {@code job}'s failure with {@code cloud}, judged at {@code now}. */
    static FailureKind classify(UploadJob job, CloudDialect cloud, Instant now) {
        Optional<SortedMap<String, String>> headers = job.responseHeaderFields();
        Optional<UploadError> error = job.error();
        if (headers.isPresent()) {
            return classifyResponse(error.map(UploadError::code).orElse(UploadError.BAD_SERVER_RESPONSE), headers.get(),
                    cloud, cloud.destinationExpired(job.destination(), now));
        }
        if (error.isEmpty()) {
            return FailureKind.TRANSIENT;
        }
        return classifyCode(error.get().code());
    }

    /**
     * The kind of a failure that came with a response: {@code code} (the sanitized error code),
     * its lowercase {@code headers}, and whether the extension knows its destination had
     * {@code expired}.
     */
    static FailureKind classifyResponse(int code, SortedMap<String, String> headers, CloudDialect cloud, boolean expired) {
        if (cloud.serverId(headers).isPresent()) {
            return FailureKind.STORED_DESPITE_FAILURE;
        }
        if (code == UploadError.USER_AUTHENTICATION_REQUIRED) {
            return FailureKind.REAUTHENTICATE;
        }
        if (expired) {
            return FailureKind.DESTINATION_EXPIRED;
        }
        if (headers.containsKey("retry-after")) {
            return FailureKind.TRANSIENT;
        }
        return FailureKind.REFUSED;
    }

    /** The kind of a failure without an HTTP response, by NSURLErrorDomain code. */
    static FailureKind classifyCode(int code) {
        switch (code) {
            case UploadError.TIMED_OUT:
            case UploadError.CANNOT_FIND_HOST:
            case UploadError.CANNOT_CONNECT_TO_HOST:
            case UploadError.NETWORK_CONNECTION_LOST:
            case UploadError.NOT_CONNECTED_TO_INTERNET:
            case UploadError.DATA_NOT_ALLOWED:
                return FailureKind.TRANSIENT;
            case UploadError.USER_AUTHENTICATION_REQUIRED:
                return FailureKind.REAUTHENTICATE;
            case UploadError.BLOCKED_BY_POLICY:
                // A destination outside BackgroundUploadURLBase: the system will never send it.
                return FailureKind.PERMANENT;
            default:
                return FailureKind.TRANSIENT;
        }
    }
}
