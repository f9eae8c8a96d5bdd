package org.upcert.api;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The photo library and its upload jobs, as an extension sees them: the parts of
 * {@code PHPhotoLibrary}, {@code PHAsset}, {@code PHAssetResource} and the class methods of
 * {@code PHAssetResourceUploadJob} that the feature uses.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface PhotoLibrary {

    /** The app's library access ({@code PHPhotoLibrary.authorizationStatus(for: .readWrite)}). */
    AuthorizationStatus authorizationStatus();

    /**
     * Whether the upload extension is enabled and active ({@code uploadJobExtensionEnabled}).
     * No job may be created while it is false.
     */
    boolean isUploadJobExtensionEnabled();

    /**
     * All assets the app may see, oldest first (creation date, then identifier). Empty unless
     * access is {@link AuthorizationStatus#AUTHORIZED}.
     */
    List<Asset> fetchAssets();

    /** The assets with these local identifiers that still exist, oldest first. */
    List<Asset> fetchAssets(Collection<String> localIdentifiers);

    /** The library's current persistent change token ({@code currentChangeToken}). */
    ChangeToken currentChangeToken();

    /**
     * The changes since {@code token}, oldest first ({@code fetchPersistentChanges(since:)}).
     *
     * @throws PhotosException with {@link PhotosErrorCode#PERSISTENT_CHANGE_TOKEN_EXPIRED} when
     *     the history no longer reaches back to the token: drop the token, resynchronise from
     *     {@link #fetchAssets()} and return {@link ProcessingResult#PROCESSING}
     */
    List<PersistentChange> fetchPersistentChanges(ChangeToken token) throws PhotosException;

    /**
     * The most unacknowledged jobs allowed ({@code PHAssetResourceUploadJob.jobLimit}). Registered,
     * pending, succeeded and failed jobs all count; cancelled and acknowledged ones do not.
     */
    int jobLimit();

    /** The jobs {@code action} may be applied to, oldest first ({@code fetchJobs(action:options:)}). */
    List<UploadJob> fetchJobs(JobAction action);

    /**
     * The resource of a job, if its asset still exists ({@code PHAssetResource.assetResource(forUploadJob:)},
     * iOS 27): the reliable way to get it when {@link UploadJob#resource()} is empty.
     */
    Optional<AssetResource> assetResource(UploadJob job);

    /**
     * Runs {@code block} and commits its changes atomically ({@code performChangesAndWait}).
     * Blocks must not be nested: calling this inside a block throws
     * {@link IllegalStateException}.
     *
     * @throws PhotosException when the block is rejected as a whole:
     *     {@link PhotosErrorCode#LIMIT_EXCEEDED} (stop creating, acknowledge, return
     *     {@link ProcessingResult#PROCESSING}), {@link PhotosErrorCode#CHANGE_NOT_SUPPORTED}
     *     (a change not allowed in the job's state), {@link PhotosErrorCode#ACCESS_USER_DENIED}
     *     (creating without full access or with the extension disabled),
     *     {@link PhotosErrorCode#IDENTIFIER_NOT_FOUND} (a job or asset that no longer exists)
     */
    void performChanges(JobChangeBlock block) throws PhotosException;
}
