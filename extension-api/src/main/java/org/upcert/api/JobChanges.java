package org.upcert.api;

/**
 * The job changes an extension may make, valid only inside
 * {@link PhotoLibrary#performChanges(JobChangeBlock)}. Mirrors the class and instance methods
 * of {@code PHAssetResourceUploadJobChangeRequest}.
 *
 * <p>Calls record a change; nothing happens until the block returns. Then the block commits:
 * an acknowledgement, retry or cancellation whose job's state does not allow it at that moment is
 * dropped and the rest commits (a {@code nil} change request on a device; see
 * {@link PhotoLibrary#performChangesAndReport(JobChangeBlock)} to learn which). Exceeding
 * {@link PhotoLibrary#jobLimit()} ({@link PhotosErrorCode#LIMIT_EXCEEDED}) or a creation the
 * system refuses rejects every change in the block, and {@code performChanges} throws. Using this
 * object after its block has ended throws {@link IllegalStateException} and is recorded as a
 * violation.
 *
 * <p><b>OS levels.</b> {@link #cancel(UploadJob)} exists from iOS 26.4; before, calling it throws
 * {@link UnsupportedOperationException} (the selector does not exist on such a device) and is
 * recorded. So is {@link #createDownloadJob(AssetResource)} (iOS 26.4). {@link #createJob} exists
 * everywhere but returns the new job's identifier only from iOS 26.4 (see
 * {@link ExtensionContext#osVersion()}).
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface JobChanges {

    /**
     * Creates an upload job for {@code resource} to {@code destination}
     * ({@code creationRequestForJob(destination:resource:)}, iOS 26.4).
     * The new job counts against {@link PhotoLibrary#jobLimit()} until acknowledged.
     *
     * <p>Before iOS 26.4 this is the deprecated {@code createJob(destination:resource:)}, which
     * returns nothing: the result is {@code null}, and the job is known only once fetched after the
     * commit (identify it by its destination, e.g. a header of your own).
     *
     * @return the new job's local identifier (the placeholder's, iOS 26.4), usable before the
     *     commit; {@code null} before iOS 26.4
     */
    String createJob(AssetResource resource, UploadRequest destination);

    /**
     * Creates a <em>download-only</em> job for {@code resource}
     * ({@code creationRequestForDownloadJob(resource:)}, iOS 26.4): the system fetches the original
     * from iCloud if it is not on the device and sends nothing anywhere. The job has
     * {@link JobType#DOWNLOAD_ONLY}, no destination ({@link UploadJob#destination()} is null), moves
     * registered → pending → succeeded | failed like an upload job and counts against
     * {@link PhotoLibrary#jobLimit()} until acknowledged. A success is not an upload: the local copy
     * it brought down may be purged again soon ("the system may later purge the downloaded copy"),
     * so create the upload job while it is there.
     *
     * <p>Implementations older than this method throw {@link UnsupportedOperationException}.
     *
     * @return the new job's local identifier (the placeholder's), usable before the commit
     * @throws UnsupportedOperationException before iOS 26.4 (the selector does not exist there: on a
     *     device the call traps)
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    default String createDownloadJob(AssetResource resource) {
        throw new UnsupportedOperationException("JobChanges.createDownloadJob is not implemented by " + getClass().getName());
    }

    /**
     * Acknowledges a succeeded or failed job: its record disappears and its place under the job
     * limit is freed. Store what you need from it first.
     */
    void acknowledge(UploadJob job);

    /**
     * Puts a failed, unacknowledged, never-retried job back in flight, at most once per job.
     * {@code newDestination} replaces the destination (for fresh credentials or a fresh
     * presigned URL); {@code null} reuses the original one. A retried job keeps its place under
     * the job limit.
     */
    void retry(UploadJob job, UploadRequest newDestination);

    /**
     * Cancels a registered or pending job (iOS 26.4). It moves to {@link JobState#CANCELLED},
     * is acknowledged automatically and frees its place under the job limit. A job that finished
     * before the block commits is not cancelled: the change is dropped (see
     * {@link PhotoLibrary#performChangesAndReport(JobChangeBlock)}).
     *
     * @throws UnsupportedOperationException before iOS 26.4
     */
    void cancel(UploadJob job);
}
