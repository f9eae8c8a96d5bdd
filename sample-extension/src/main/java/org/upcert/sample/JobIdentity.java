package org.upcert.sample;

import java.net.URI;
import java.util.Optional;
import java.util.TreeMap;
import org.upcert.api.AssetResource;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * Which resource a job belongs to, as an {@link AssetResource#key()}.
 *
 * <p>{@link UploadJob#resource()} is declared non-null by Apple but measured nil for succeeded
 * jobs and for jobs whose retry is spent (iOS 26.6), and it is deprecated in iOS 27 (CLD-02,
 * reference rules 22 and 23). So the key is looked up, in order:
 * <ol>
 *   <li>{@code job.resource()};
 *   <li>the {@value #RESOURCE_KEY_HEADER} header that {@link #stamp} put on every destination
 *       this extension creates: the destination is the one field present in every job state,
 *       its headers survive in the system's job store;
 *   <li>{@link PhotoLibrary#assetResource(UploadJob)}, the iOS 27 replacement (empty once the
 *       asset is deleted), only where the OS has it and the destination does not say. It comes
 *       after the destination because on iOS 27 it aborts the process for a job created under
 *       26.x, before an OS upgrade (YAIIU #80: such jobs clog the capacity if they are not
 *       identified another way and acknowledged);
 *   <li>the destination URL, parsed by the {@link CloudDialect} (for a destination whose
 *       headers were replaced, e.g. a fresh presigned URL on retry).
 * </ol>
 *
 * <p>Answers are cached per job for the call that made this object (the ack and create steps
 * both need them; {@code assetResource} costs an API call).
 */
final class JobIdentity {

    /** The request header carrying {@link AssetResource#key()} on every destination. */
    static final String RESOURCE_KEY_HEADER = "X-Resource-Key";

    private final PhotoLibrary library;
    private final CloudDialect cloud;
    private final URI uploadUrlBase;
    private final boolean assetResourceAvailable;
    private final TreeMap<String, Optional<String>> cache = new TreeMap<>();
    /** Whether the host app ever moved the account to another server ({@link ServerChange}). */
    private boolean serverChanged;

    JobIdentity(PhotoLibrary library, CloudDialect cloud, URI uploadUrlBase) {
        this(library, cloud, uploadUrlBase, true);
    }

    /** @param assetResourceAvailable whether the OS has {@code assetResource(forUploadJob:)} (iOS 27) */
    JobIdentity(PhotoLibrary library, CloudDialect cloud, URI uploadUrlBase, boolean assetResourceAvailable) {
        this.library = library;
        this.cloud = cloud;
        this.uploadUrlBase = uploadUrlBase;
        this.assetResourceAvailable = assetResourceAvailable;
    }

    /** Tells this identity that the account moved to another server at least once ({@link ServerChange}). */
    JobIdentity afterServerChange(boolean changed) {
        this.serverChanged = changed;
        return this;
    }

    /**
     * Whether {@code job} was sent to a server the account has left (host.server): its destination
     * is not under {@code uploadUrlBase()} any more. Its success counts for nothing on the new
     * server, its failure is the old server's refusal: the resource gets a new job there. Never
     * true for an extension whose account never moved.
     */
    boolean onFormerServer(UploadJob job) {
        return serverChanged && !ServerChange.under(job.destination().url(), uploadUrlBase);
    }

    /** {@code destination} with the resource's key in {@value #RESOURCE_KEY_HEADER}. */
    static UploadRequest stamp(UploadRequest destination, AssetResource resource) {
        return destination.withHeader(RESOURCE_KEY_HEADER, resource.key());
    }

    /** The asset identifier of a resource key ({@code assetLocalIdentifier#TYPE}). */
    static String assetOf(String resourceKey) {
        int hash = resourceKey.lastIndexOf('#');
        return hash < 0 ? resourceKey : resourceKey.substring(0, hash);
    }

    /** The key of the resource {@code job} uploads; empty if nothing identifies it. */
    Optional<String> keyOf(UploadJob job) {
        Optional<String> cached = cache.get(job.localIdentifier());
        if (cached != null) {
            return cached;
        }
        Optional<String> key = lookUp(job);
        cache.put(job.localIdentifier(), key);
        return key;
    }

    private Optional<String> lookUp(UploadJob job) {
        Optional<AssetResource> resource = job.resource();
        if (resource.isPresent()) {
            return Optional.of(resource.get().key());
        }
        Optional<String> header = keyHeader(job.destination());
        if (header.isPresent()) {
            return header;
        }
        // #available(iOS 27, *): before, the selector does not exist. Only for a destination that
        // does not say (its headers replaced): it aborts for jobs created before an OS upgrade.
        resource = assetResourceAvailable ? library.assetResource(job) : Optional.empty();
        if (resource.isPresent()) {
            return Optional.of(resource.get().key());
        }
        return cloud.resourceKeyFromUrl(job.destination().url(), uploadUrlBase);
    }

    /** The resource key header of {@code destination}, unless missing or blank. */
    private static Optional<String> keyHeader(UploadRequest destination) {
        Optional<String> header = destination.header(RESOURCE_KEY_HEADER);
        return header.isPresent() && !header.get().isBlank() ? header : Optional.empty();
    }

    /** The key this extension put into {@code destination}: its header, else its URL. */
    static Optional<String> fromDestination(UploadRequest destination, CloudDialect cloud, URI uploadUrlBase) {
        Optional<String> header = keyHeader(destination);
        if (header.isPresent()) {
            return header;
        }
        return cloud.resourceKeyFromUrl(destination.url(), uploadUrlBase);
    }
}
