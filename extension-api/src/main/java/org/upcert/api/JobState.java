package org.upcert.api;

/**
 * The state of an upload job ({@code PHAssetResourceUploadJob.State}); raw values as Apple's.
 *
 * <p>The system moves jobs REGISTERED → PENDING → SUCCEEDED | FAILED. The extension moves a
 * FAILED job back into flight with {@link JobChanges#retry(UploadJob, UploadRequest)} (once per
 * job; upcert re-enters REGISTERED) and a REGISTERED or PENDING job to CANCELLED with
 * {@link JobChanges#cancel(UploadJob)}. Acknowledging a SUCCEEDED or FAILED job removes it.
 */
@API(status = API.Status.STABLE, since = "0.1")
public enum JobState {
    /** Created; the system has not started the transfer. */
    REGISTERED(1),
    /** The transfer was requested and is not done yet. */
    PENDING(2),
    /** The transfer failed; see {@link UploadJob#error()}. */
    FAILED(3),
    /** The server answered with a success status. */
    SUCCEEDED(4),
    /** Cancelled by the extension; acknowledged automatically (iOS 26.4). */
    CANCELLED(5);

    private final int rawValue;

    JobState(int rawValue) {
        this.rawValue = rawValue;
    }

    /** Apple's raw value. */
    public int rawValue() {
        return rawValue;
    }

    /** SUCCEEDED or FAILED: a state that must be acknowledged. */
    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED;
    }

    /** REGISTERED or PENDING: the system still owns the job. */
    public boolean isInFlight() {
        return this == REGISTERED || this == PENDING;
    }
}
