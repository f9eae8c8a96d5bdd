package org.upcert.conformance.changes;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.CloudSettings;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * Uses what issue 16 added for authors, once per call, and logs what it saw, so every hosting mode
 * can be compared (its Python twin is {@code python/api_additions_probe.py}):
 * {@link ExtensionContext#cloudSettings()}, {@link PhotoLibrary#fetchResource(String)} (a stored
 * key back to the resource, one targeted fetch), and a rejected block caught by its type
 * ({@link PhotosException.LimitExceeded}). The workload's job limit is 2; the probe creates 3 in
 * one block, then the 2 it may, and acknowledges what finished.
 */
public final class ApiAdditionsProbe implements UploadExtension {

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        PhotoLibrary library = context.library();
        CloudSettings cloud = context.cloudSettings();
        context.log().info("cloud " + cloud.dialect() + ", token endpoint "
                + cloud.tokenUrl().map(URI::getPath).orElse("none") + ", api endpoint " + cloud.apiUrl().map(URI::getPath).orElse("none"));
        List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
        if (!finished.isEmpty()) {
            for (UploadJob job : finished) {
                // a defensive copy of the headers: a read of them (CLD-01 exercised), lookups on the copy unseen
                job.responseHeaderFields().ifPresent(headers -> context.log().info("copied headers name www-authenticate: "
                        + new java.util.HashMap<>(headers).containsKey("www-authenticate")));
            }
            try {
                library.performChanges(changes -> finished.forEach(changes::acknowledge));
            } catch (PhotosException e) {
                context.log().warn("acknowledge rejected: " + e.code());
            }
            return ProcessingResult.COMPLETED;
        }
        List<Asset> assets = library.fetchAssets();
        if (context.storage().readString("probe/done").isPresent() || assets.isEmpty()) {
            return ProcessingResult.COMPLETED;
        }
        AssetResource first = assets.get(0).resources().get(0);
        Optional<AssetResource> again = library.fetchResource(first.key());
        context.log().info("fetchResource(stored key): " + (again.equals(Optional.of(first)) ? "the same resource" : "different: " + again));
        context.log().info("fetchResource(key of no asset): " + library.fetchResource("NO-SUCH-ASSET/L0/001#PHOTO")
                .map(r -> "found").orElse("empty"));
        try {
            library.fetchResource("not a key");
            context.log().info("fetchResource(malformed): accepted");
        } catch (IllegalArgumentException e) {
            context.log().info("fetchResource(malformed): refused");
        }
        List<AssetResource> three = new ArrayList<>();
        for (Asset asset : assets) {
            three.addAll(asset.resources());
        }
        three = three.subList(0, Math.min(3, three.size()));
        try {
            create(context, three);
            context.log().info("three creates: committed");
        } catch (PhotosException.LimitExceeded e) {
            context.log().info("three creates: rejected as LimitExceeded (" + e.code() + ")");
        } catch (PhotosException e) {
            context.log().info("three creates: rejected as another PhotosException (" + e.code() + ")");
        }
        try {
            create(context, three.subList(0, Math.min(2, three.size())));
            context.log().info("two creates: committed");
        } catch (PhotosException e) {
            context.log().info("two creates: rejected (" + e.code() + ")");
        }
        context.storage().writeString("probe/done", "yes");
        return ProcessingResult.PROCESSING;
    }

    private static void create(ExtensionContext context, List<AssetResource> resources) throws PhotosException {
        context.library().performChanges(changes -> {
            for (AssetResource resource : resources) {
                changes.createJob(resource, UploadRequest.put(URI.create(context.uploadUrlBase() + "files/"
                        + resource.key().replace('#', '-').replace('/', '-'))).withHeader("Authorization", "Bearer none"));
            }
        });
    }

    @Override
    public void willTerminate() {
    }
}
