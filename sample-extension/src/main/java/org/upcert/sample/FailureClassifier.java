package org.upcert.sample;

import java.util.Optional;
import org.upcert.api.UploadError;

/**
 * Classifies the sanitized error of a failed job ({@code UploadJob.error()}, NSURLErrorDomain
 * codes plus the HTTP status when a response arrived). The HTTP status decides when there is
 * one; the URL error code decides otherwise.
 *
 * <table>
 *   <caption>The table</caption>
 *   <tr><th>error</th><th>kind</th><th>rule</th></tr>
 *   <tr><td>HTTP 2xx (reported as failed)</td><td>STORED_DESPITE_FAILURE</td><td>DUP-02</td></tr>
 *   <tr><td>HTTP 401; or no status and USER_AUTHENTICATION_REQUIRED</td><td>REAUTHENTICATE</td><td>RTY-01</td></tr>
 *   <tr><td>HTTP 403, 404, 410</td><td>DESTINATION_EXPIRED</td><td>RTY-03, RTY-02</td></tr>
 *   <tr><td>HTTP 408, 429, 5xx</td><td>TRANSIENT</td><td>RTY-01</td></tr>
 *   <tr><td>other HTTP status (400, 413, other 4xx, 1xx, 3xx)</td><td>PERMANENT</td><td>RTY-02</td></tr>
 *   <tr><td>no status: TIMED_OUT, CANNOT_FIND_HOST, CANNOT_CONNECT_TO_HOST,
 *       NETWORK_CONNECTION_LOST, NOT_CONNECTED_TO_INTERNET, DATA_NOT_ALLOWED</td><td>TRANSIENT</td><td>RTY-01</td></tr>
 *   <tr><td>no status: BLOCKED_BY_POLICY</td><td>PERMANENT</td><td>RTY-02</td></tr>
 *   <tr><td>no status, any other code; no error at all</td><td>TRANSIENT</td><td>RTY-01</td></tr>
 * </table>
 *
 * <p>Why an unknown failure counts as transient: the system sanitizes errors, so a code this
 * table does not know says little about the server. Giving up on a photo for an unexplained
 * failure loses it for good; trying again costs one upload, and {@link RetryPolicy} bounds the
 * attempts and spaces them out.
 */
final class FailureClassifier {

    private FailureClassifier() {
    }

    /** The kind of the failure {@code error} describes; empty means the system gave no reason. */
    static FailureKind classify(Optional<UploadError> error) {
        if (error.isEmpty()) {
            return FailureKind.TRANSIENT;
        }
        Optional<Integer> status = error.get().httpStatus();
        if (status.isPresent()) {
            return classifyStatus(status.get());
        }
        return classifyCode(error.get().code());
    }

    /** The kind of a failure that carried HTTP status {@code status}. */
    static FailureKind classifyStatus(int status) {
        if (status >= 200 && status < 300) {
            return FailureKind.STORED_DESPITE_FAILURE;
        }
        if (status == 401) {
            return FailureKind.REAUTHENTICATE;
        }
        if (status == 403 || status == 404 || status == 410) {
            return FailureKind.DESTINATION_EXPIRED;
        }
        if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
            return FailureKind.TRANSIENT;
        }
        return FailureKind.PERMANENT;
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
