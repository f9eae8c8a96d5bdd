package org.upcert.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A photo library asset ({@code PHAsset}) with its resources
 * ({@code PHAssetResource.assetResources(for:)}).
 *
 * @param localIdentifier the asset's identifier, e.g. {@code 5E1B…C3/L0/001}
 * @param mediaType image or video
 * @param creationDate when the photo or video was taken
 * @param resources its resources: one photo; a photo and a paired video (Live Photo); a JPEG and
 *     a RAW alternate; or one video
 */
@API(status = API.Status.STABLE, since = "0.1")
public record Asset(String localIdentifier, MediaType mediaType, Instant creationDate, List<AssetResource> resources) {

    public Asset {
        Objects.requireNonNull(localIdentifier, "localIdentifier");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(creationDate, "creationDate");
        resources = List.copyOf(resources);
    }

    /** {@code PHAssetMediaType}. */
    @API(status = API.Status.STABLE, since = "0.1")
    public enum MediaType {
        /** A still photo, including Live Photos and RAW+JPEG pairs. */
        IMAGE,
        /** A video. */
        VIDEO
    }
}
