package org.upcert.api;

import java.util.Objects;

/**
 * One file of an asset ({@code PHAssetResource}): the thing an upload job uploads. An asset has
 * at most one resource of each {@link ResourceType}, so (asset identifier, type) identifies it;
 * {@link #key()} is that pair as one string.
 *
 * @param assetLocalIdentifier the owning asset
 * @param type which file of the asset this is
 * @param originalFilename e.g. {@code IMG_0042.HEIC}
 * @param uniformTypeIdentifier e.g. {@code public.heic}
 * @param fileSize size in bytes (declared; the simulated system sends a compact payload by
 *     default, see the harness documentation)
 */
@API(status = API.Status.STABLE, since = "0.1")
public record AssetResource(String assetLocalIdentifier, ResourceType type, String originalFilename,
        String uniformTypeIdentifier, long fileSize) {

    public AssetResource {
        Objects.requireNonNull(assetLocalIdentifier, "assetLocalIdentifier");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(originalFilename, "originalFilename");
        Objects.requireNonNull(uniformTypeIdentifier, "uniformTypeIdentifier");
        if (fileSize < 0) {
            throw new IllegalArgumentException("fileSize < 0");
        }
    }

    /** {@code assetLocalIdentifier + "#" + type}: unique within a library. */
    public String key() {
        return assetLocalIdentifier + "#" + type.name();
    }

    /**
     * A {@link #key()} read back: the asset's identifier and the resource type. An extension that
     * stores keys can find the resource again with {@link PhotoLibrary#fetchResource(String)}.
     *
     * @param assetLocalIdentifier the owning asset
     * @param type which file of the asset
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public record Key(String assetLocalIdentifier, ResourceType type) {
        public Key {
            Objects.requireNonNull(assetLocalIdentifier, "assetLocalIdentifier");
            Objects.requireNonNull(type, "type");
        }

        /**
         * Parses {@code assetLocalIdentifier#TYPE}.
         *
         * @throws IllegalArgumentException if it is not such a key
         */
        public static Key parse(String key) {
            Objects.requireNonNull(key, "key");
            int hash = key.lastIndexOf('#');
            if (hash <= 0 || hash == key.length() - 1) {
                throw new IllegalArgumentException("not a resource key (assetLocalIdentifier#TYPE): " + key);
            }
            try {
                return new Key(key.substring(0, hash), ResourceType.valueOf(key.substring(hash + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a resource key, unknown type " + key.substring(hash + 1) + ": " + key, e);
            }
        }

        /** The key as {@link AssetResource#key()} writes it. */
        @Override
        public String toString() {
            return assetLocalIdentifier + "#" + type.name();
        }
    }

    /** {@code PHAssetResourceType}, the cases this feature meets. */
    @API(status = API.Status.STABLE, since = "0.1")
    public enum ResourceType {
        /** The photo (HEIC or JPEG). */
        PHOTO,
        /** The video of a video asset. */
        VIDEO,
        /** The motion part of a Live Photo. */
        PAIRED_VIDEO,
        /** The RAW file of a RAW+JPEG pair. */
        ALTERNATE_PHOTO
    }
}
