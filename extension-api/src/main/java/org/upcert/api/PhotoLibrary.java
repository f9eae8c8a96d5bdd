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

    /**
     * The jobs {@code action} may be applied to, oldest first ({@code fetchJobs(action:options:)}).
     *
     * @throws UnsupportedOperationException for {@link JobAction#PROCESS} before iOS 26.5 (see
     *     {@link ExtensionContext#osVersion()}): the action does not exist there
     */
    List<UploadJob> fetchJobs(JobAction action);

    /**
     * The resource of a job, if its asset still exists ({@code PHAssetResource.assetResource(forUploadJob:)},
     * iOS 27): the reliable way to get it when {@link UploadJob#resource()} is empty.
     *
     * @throws UnsupportedOperationException before iOS 27 (see {@link ExtensionContext#osVersion()})
     */
    Optional<AssetResource> assetResource(UploadJob job);

    /**
     * The resource a stored {@link AssetResource#key()} names, if its asset still exists and has
     * it: what {@link JobChanges#createJob} needs when an extension kept only the key (its ledger,
     * a retry after a relaunch). One targeted fetch of the key's asset
     * ({@code PHAsset.fetchAssets(withLocalIdentifiers:)}, then {@code PHAssetResource.assetResources(for:)}
     * on a device) — never a scan of the library — on every OS level.
     *
     * @throws IllegalArgumentException if {@code resourceKey} is not a key as {@link AssetResource#key()} writes it
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    default Optional<AssetResource> fetchResource(String resourceKey) {
        AssetResource.Key key = AssetResource.Key.parse(resourceKey);
        for (Asset asset : fetchAssets(List.of(key.assetLocalIdentifier()))) {
            for (AssetResource resource : asset.resources()) {
                if (resource.type() == key.type() && resource.assetLocalIdentifier().equals(key.assetLocalIdentifier())) {
                    return Optional.of(resource);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The bytes of {@code resource}, as the system would upload them
     * ({@code PHAssetResourceManager.requestData(for:options:dataReceivedHandler:completionHandler:)}):
     * what an extension that hashes its originals (a content checksum for the server, a
     * de-duplication) reads. Reading costs the device time in proportion to the resource's
     * declared {@link AssetResource#fileSize()}, not to the bytes handed over (upcert sends a
     * compact payload by default): an extension that reads every original at every call meets
     * the runtime limit. What it is handed counts toward the process's memory until the call
     * returns (docs/simulator.md, "Memory and CPU").
     *
     * @throws PhotosException with {@link PhotosErrorCode#IDENTIFIER_NOT_FOUND} when the
     *     resource's asset is no longer in the library; with {@link PhotosErrorCode#NETWORK_ERROR}
     *     when the original was offloaded to iCloud and could not be downloaded (transient: it is
     *     still in iCloud, a later call may read it)
     * @throws UnsupportedOperationException from a test double that does not implement it
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    default byte[] requestData(AssetResource resource) throws PhotosException {
        throw new UnsupportedOperationException("requestData is not implemented by " + getClass().getName());
    }

    /**
     * Runs {@code block} and commits its changes ({@code performChangesAndWait}). Blocks must not
     * be nested: calling this inside a block throws {@link IllegalStateException}.
     *
     * <p><b>What commits.</b> The block's changes are recorded while it runs and committed
     * together when it returns. An acknowledgement, retry or cancellation whose job's state does
     * not allow it <em>at the commit</em> (the system finished a job the block cancels, a job is
     * already acknowledged) is <b>dropped</b>: nothing happens for it and the rest of the block
     * commits, as on a device, where {@code PHAssetResourceUploadJobChangeRequest(for:)} returns
     * {@code nil} for a job that cannot be changed. {@link #performChangesAndReport(JobChangeBlock)}
     * says which changes were dropped and why; this method does not.
     *
     * @throws PhotosException when the block is rejected as a whole and nothing in it happened:
     *     {@link PhotosErrorCode#LIMIT_EXCEEDED} (stop creating, acknowledge, return
     *     {@link ProcessingResult#PROCESSING}), {@link PhotosErrorCode#ACCESS_USER_DENIED}
     *     (creating without full access or with the extension disabled),
     *     {@link PhotosErrorCode#IDENTIFIER_NOT_FOUND} (creating for a resource no longer in the
     *     library), {@link PhotosErrorCode#CHANGE_NOT_SUPPORTED} (creating without a resource or
     *     destination)
     */
    void performChanges(JobChangeBlock block) throws PhotosException;

    /**
     * As {@link #performChanges(JobChangeBlock)}, and says what became of the block: the changes
     * applied and those dropped because their job could no longer be changed (each with its job,
     * its state at the commit and the reason). Use it where a Swift extension checks the
     * {@code nil} change request:
     *
     * <pre>{@code
     * ChangeOutcome outcome = library.performChangesAndReport(changes -> unwanted.forEach(changes::cancel));
     * for (DroppedChange dropped : outcome.dropped()) {
     *     log.info(dropped.toString()); // e.g. the job finished before the cancel reached it
     * }
     * }</pre>
     *
     * <p>The default implementation, for test doubles that never drop a change, runs
     * {@link #performChanges(JobChangeBlock)} and reports every change applied; upcert's own
     * library reports the drops.
     *
     * @throws PhotosException as {@link #performChanges(JobChangeBlock)}: the block was rejected as a whole
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.2")
    default ChangeOutcome performChangesAndReport(JobChangeBlock block) throws PhotosException {
        int[] changes = {0};
        performChanges(recorded -> block.apply(new CountingChanges(recorded, changes)));
        return ChangeOutcome.allApplied(changes[0]);
    }
}
