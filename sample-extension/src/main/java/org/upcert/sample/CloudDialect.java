package org.upcert.sample;

import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A cloud's upload protocol: what a destination looks like, how credentials are obtained,
 * what the server's answer means. Chosen by the {@code cloud.dialect} configuration key
 * ({@link CloudDialects}).
 *
 * <p>The system sends the resource's bytes as the body of the destination request; the
 * extension controls only the URL, method and headers (reference §3). So a dialect turns a
 * resource into a request that needs no body of ours, and every destination carries the
 * resource's key ({@link JobIdentity#stamp}) so that a job can be recognised later in any
 * state.
 *
 * <p>Methods that need the system's services take the call's {@link ExtensionContext} as a
 * parameter: a dialect lives as long as the extension instance, a context only as long as its
 * call, and keeping one would use it after its call (TRM-04).
 *
 * <p>Implementations: {@link GenericPutDialect}; {@link S3PresignedDialect} (a presigned PUT per
 * resource; {@link #freshDestination} presigns again, which is what RTY-03 asks after a 403
 * "Request has expired" — known by the URL's own expiry, {@link #destinationExpired}, since a device
 * shows no status); two-phase {@link GooglePhotosDialect} (the upload returns a token that
 * must be committed with {@code batchCreate} exactly once, CLD-01: {@link #commitUploads}, run by
 * the acknowledge step after the outcomes are stored and before the jobs are acknowledged).
 * {@link OneDriveDialect} creates an upload session with {@code context.http()} before each job
 * and uses the session URL as destination (a refused session is asked whether it already holds
 * the file, {@link #storedDespiteRefusal}; otherwise a new job gets a new session);
 * {@link DropboxDialect} posts to {@code files/upload} with its arguments in a header.
 */
interface CloudDialect {

    /** The {@code cloud.dialect} value that selects this dialect. */
    String name();

    /**
     * The destination of a new job for {@code resource}. May sign in (over
     * {@code context.http()}) if the cached credentials are missing or about to expire.
     */
    UploadRequest destinationFor(AssetResource resource, ExtensionContext context) throws CloudUnavailableException;

    /**
     * The destination for retrying a job that failed transiently, or empty to reuse
     * {@code original} (what {@code retry(destination: nil)} does). A dialect returns a new one
     * only when the original is known to be stale, e.g. its credentials were replaced since.
     * Never signs in: a transient failure is no reason to.
     */
    Optional<UploadRequest> destinationForRetry(UploadRequest original, ExtensionContext context);

    /**
     * A replacement for {@code failed} with fresh credentials or a fresh presigned URL: for a
     * job that failed with 401 (after {@link #credentialsRejected}) or with an expired
     * destination (RTY-03). Same resource, same object on the server.
     */
    UploadRequest freshDestination(UploadRequest failed, ExtensionContext context) throws CloudUnavailableException;

    /**
     * The server answered 401 to {@code destination}: forget its credentials, if they are the
     * ones still cached, so that the next destination gets new ones.
     */
    void credentialsRejected(UploadRequest destination);

    /** The resource key encoded in a destination URL this dialect built, if it is one. */
    Optional<String> resourceKeyFromUrl(URI url, URI uploadUrlBase);

    /**
     * The server's id for the stored object, from the response headers of a succeeded job.
     * Header names are lowercase ({@code HTTPURLResponse} lowercases them; CLD-01).
     */
    Optional<String> serverId(SortedMap<String, String> responseHeaders);

    /**
     * What a failed job means with this cloud, judged at {@code now} on what a device shows
     * (sanitized error, response headers, the destination we made): the shared table of
     * {@link FailureClassifier}.
     */
    default FailureKind classify(UploadJob job, Instant now) {
        return FailureClassifier.classify(job, this, now);
    }

    /**
     * Whether {@code destination}, which this dialect made, had expired by {@code now} (e.g. a
     * presigned URL past {@code X-Amz-Date + X-Amz-Expires}). Default: no destination expires
     * on its own (bearer tokens are refused with 401, which the error code says).
     */
    default boolean destinationExpired(UploadRequest destination, Instant now) {
        return false;
    }

    /**
     * Whether the server, which refused {@code job}'s request, already holds the resource: asked
     * over {@code context.http()}, which sees statuses and bodies, unlike the job. Called by the
     * acknowledge step for a {@link FailureKind#REFUSED} job only. Default: no (the dialect
     * cannot tell; the resource is uploaded again later).
     */
    default boolean storedDespiteRefusal(UploadJob job, ExtensionContext context) {
        return false;
    }

    /**
     * The server id to record for a succeeded job: by default {@link #serverId} of its lowercased
     * response headers. A dialect may add what it needs later from the job's destination.
     */
    default Optional<String> serverIdOf(UploadJob job) {
        // not flatMap(this::serverId): a method reference is linked again in every relaunched process
        Optional<java.util.SortedMap<String, String>> headers = job.responseHeaderFields();
        return headers.isPresent() ? serverId(headers.get()) : Optional.empty();
    }

    /**
     * The server id of a stored resource whose job's response headers named none, asked over
     * {@code context.http()} (which sees bodies, unlike a job): the real services answer an
     * upload's item in its body only, which the extension never sees, so a dialect whose service
     * can be asked about a path asks (OneDrive: get the item by path; Dropbox:
     * {@code files/get_metadata}). Empty when it cannot tell now; never throws. Default: empty.
     */
    default Optional<String> lookUpServerId(UploadJob job, ExtensionContext context) {
        return Optional.empty();
    }

    /**
     * Whether a succeeded job's {@code serverId} is what {@code current} already records, further
     * along: a two-phase upload already committed under the same token. The acknowledge step then
     * keeps the entry as it is — a job seen again (its acknowledgement did not happen: a notice, a
     * kill) must not roll a committed upload back to "to commit" (CLD-01: a second commit attempt
     * of a token is the mistake, even if the server refuses it). Default: no.
     */
    default boolean alreadyRecorded(LedgerEntry current, String serverId) {
        return false;
    }

    /**
     * For two-phase dialects: commits what was uploaded but not yet committed, as the ledger
     * records it, and records each commit in the ledger as soon as the server answered it.
     * Called by the acknowledge step after the outcomes are stored and before the jobs are
     * acknowledged, on every call (so uploads a killed process left uncommitted are committed
     * by the next one). Never throws; what cannot be committed now waits for the next call.
     * Single-phase dialects have nothing to commit.
     */
    default void commitUploads(Ledger ledger, ExtensionContext context, AtomicBoolean cancelled) {
    }

    /** How many uploads the ledger holds that still await their commit (work left: PROCESSING). */
    default int uncommittedUploads(Ledger ledger) {
        return 0;
    }
}
