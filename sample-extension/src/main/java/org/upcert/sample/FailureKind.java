package org.upcert.sample;

/** What a failed upload job means for its resource; see {@link FailureClassifier}. */
enum FailureKind {
    /**
     * The network or the server had a bad moment (timeout, lost connection, offline, 408, 429,
     * 5xx). Retry with the same destination; once the retry is spent, a new job later (RTY-01).
     */
    TRANSIENT,
    /**
     * The server rejected the credentials (HTTP 401). Retry with a destination carrying fresh
     * credentials; the stale ones would fail again.
     */
    REAUTHENTICATE,
    /**
     * The destination itself has expired (HTTP 403 or 404 from an expired presigned URL or
     * upload session; 410 from an expired tus upload). Retry once with a fresh destination,
     * never the stale one (RTY-03); if that fails the same way, the refusal is real (RTY-02).
     */
    DESTINATION_EXPIRED,
    /**
     * The server refused the request for good (400, 413, other 4xx) or the system refused to
     * send it (blocked by policy). Acknowledge, do not retry (RTY-02).
     */
    PERMANENT,
    /**
     * The response was a success status but the system still reported a failure: a device
     * quirk (an overwrite answered 204 was marked failed on iOS 26.x, reference §3). The bytes
     * are on the server; uploading again would only duplicate them (DUP-02).
     */
    STORED_DESPITE_FAILURE
}
