package org.upcert.sample;

/** What a failed upload job means for its resource; see {@link FailureClassifier}. */
enum FailureKind {
    /**
     * The network had a bad moment (no response: timeout, lost connection, offline), or the
     * server asked for a pause ({@code retry-after}). Retry with the same destination (no
     * response) or wait; once the retry is spent, a new job later (RTY-01).
     */
    TRANSIENT,
    /**
     * The server rejected the credentials ({@code USER_AUTHENTICATION_REQUIRED}). Retry with a
     * destination carrying fresh credentials; the stale ones would fail again.
     */
    REAUTHENTICATE,
    /**
     * The destination itself has expired, as the extension knows (it made it: a presigned URL
     * past its {@code X-Amz-Expires}). Retry with a fresh destination, never the stale one (RTY-03).
     */
    DESTINATION_EXPIRED,
    /**
     * The server answered with an error and said nothing more: a 400, 413, 403 or a 503 look
     * alike on a device. Not retried as is (RTY-02: the identical request would meet the same
     * answer); a new job, with a fresh destination, after a growing wait; given up only once
     * the refusals outlast any burst ({@link RetryPolicy#givesUp}).
     */
    REFUSED,
    /**
     * The system refused to send the request (blocked by policy): final by its own word.
     * Acknowledge, do not retry.
     */
    PERMANENT,
    /**
     * The response carried the server's id for the stored object but the system still
     * reported a failure: a device quirk (an overwrite answered 204 was marked failed on iOS
     * 26.x, reference §3). The bytes are on the server; uploading again would only duplicate
     * them (DUP-02).
     */
    STORED_DESPITE_FAILURE
}
