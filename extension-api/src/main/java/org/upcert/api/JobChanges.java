package org.upcert.api;

/**
 * The job changes an extension may make, valid only inside
 * {@link PhotoLibrary#performChanges(JobChangeBlock)}. Mirrors the class and instance methods
 * of {@code PHAssetResourceUploadJobChangeRequest}.
 *
 * <p>Calls record a change; nothing happens until the block returns. Then the whole block
 * commits or nothing of it does: an illegal change ({@link PhotosErrorCode#CHANGE_NOT_SUPPORTED})
 * or exceeding {@link PhotoLibrary#jobLimit()} ({@link PhotosErrorCode#LIMIT_EXCEEDED}) rejects
 * every change in the block, and {@code performChanges} throws. Using this object after its block
 * has ended throws {@link IllegalStateException} and is recorded as a violation.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface JobChanges {

    /**
     * Creates an upload job for {@code resource} to {@code destination}
     * ({@code creationRequestForJob(destination:resource:)}, iOS 26.4).
     * The new job counts against {@link PhotoLibrary#jobLimit()} until acknowledged.
     *
     * @return the new job's local identifier (the placeholder's), usable before the commit
     */
    String createJob(AssetResource resource, UploadRequest destination);

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
     * is acknowledged automatically and frees its place under the job limit.
     */
    void cancel(UploadJob job);
}
