package org.upcert.api;

import java.util.Optional;
import java.util.SortedMap;

/**
 * An upload job as fetched ({@code PHAssetResourceUploadJob}): an immutable snapshot taken by
 * {@link PhotoLibrary#fetchJobs(JobAction)}. It does not change when the system moves the job on;
 * fetch again to see the new state.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface UploadJob {

    /** The job's stable identifier ({@code localIdentifier}). */
    String localIdentifier();

    /** The state when the snapshot was taken. */
    JobState state();

    /**
     * Upload or download-only (iOS 26.4).
     *
     * @throws UnsupportedOperationException before iOS 26.4 (the property does not exist there;
     *     every job is an upload)
     */
    JobType type();

    /**
     * The resource the job uploads. Declared non-null by Apple, but measured nil on devices for
     * succeeded jobs and for jobs whose retry is spent (iOS 26.6), and deprecated in iOS 27
     * (use {@link PhotoLibrary#assetResource(UploadJob)}). Empty here when a device quirk is
     * simulated: identify the job from {@link #destination()} or your own records.
     */
    Optional<AssetResource> resource();

    /**
     * The request the bytes are sent to. Present in every state of an upload job; null for a
     * {@link JobType#DOWNLOAD_ONLY} job, which sends nothing (identify it by the identifier
     * {@link JobChanges#createDownloadJob(AssetResource)} returned).
     */
    UploadRequest destination();

    /**
     * The server's response headers, names lowercased (iOS 26.4). Set once the job succeeded or
     * failed with an HTTP response; empty while in flight or when no response arrived.
     *
     * @throws UnsupportedOperationException before iOS 26.4
     */
    Optional<SortedMap<String, String>> responseHeaderFields();

    /**
     * Why the job failed, sanitized (iOS 26.4). Set only in {@link JobState#FAILED}.
     *
     * @throws UnsupportedOperationException before iOS 26.4
     */
    Optional<UploadError> error();
}
