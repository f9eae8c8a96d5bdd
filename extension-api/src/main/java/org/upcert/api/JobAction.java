package org.upcert.api;

/**
 * Which jobs {@link PhotoLibrary#fetchJobs(JobAction)} returns: the jobs that action may be
 * applied to ({@code PHAssetResourceUploadJob.Action}); raw values as Apple's.
 *
 * <p>A failed job that was never retried is in both {@link #RETRY} and {@link #ACKNOWLEDGE};
 * handle it once per call, one way or the other. A job whose retry is spent is only in
 * {@link #ACKNOWLEDGE}.
 */
@API(status = API.Status.STABLE, since = "0.1")
public enum JobAction {
    /** Succeeded or failed jobs not yet acknowledged. */
    ACKNOWLEDGE(1),
    /** Failed jobs never retried (and so unacknowledged). */
    RETRY(2),
    /** Registered or pending jobs: the ones that can be cancelled (iOS 26.5). */
    PROCESS(3);

    private final int rawValue;

    JobAction(int rawValue) {
        this.rawValue = rawValue;
    }

    /** Apple's raw value. */
    public int rawValue() {
        return rawValue;
    }
}
