package org.upcert.sample;

import java.net.URI;
import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.UploadRequest;

/**
 * The {@code generic-put} cloud: a WebDAV/Nextcloud-style server that stores the body of a PUT
 * under the request path, authenticated by an OAuth client-credentials bearer token.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Sign in: {@code POST <cloud.tokenUrl, default uploadUrlBase + "auth/token">} with
 *       {@code Content-Type: application/x-www-form-urlencoded} and body
 *       {@code grant_type=client_credentials&client_id=<cloud.clientId>&client_secret=<cloud.clientSecret>}
 *       (values form-encoded). 2xx: {@code {"access_token":"…","token_type":"Bearer","expires_in":3600}}.
 *       400, 401 or 403: the client credentials are wrong (permanent). Anything else, no
 *       response or an unreadable body: try again later.
 *   <li>Upload (the destination of every job):
 *       {@code PUT <uploadUrlBase>files/<enc(assetLocalIdentifier)>/<TYPE>/<enc(originalFilename)>}
 *       where {@code enc} is {@link PathSegments#encode} (so the {@code /} of an asset id is
 *       {@code %2F}) and {@code TYPE} the {@code ResourceType} name; headers
 *       {@code Authorization: Bearer <token>}, {@code Content-Type: <from the UTI>},
 *       {@value JobIdentity#RESOURCE_KEY_HEADER}{@code : <AssetResource.key()>}. The server
 *       answers 201 (created) or 204 (overwritten) with {@code etag} and {@code x-object-id};
 *       401 when the token is missing, unknown or expired.
 * </ul>
 * The object path is a function of the resource alone, so uploading a resource twice
 * overwrites one object rather than making two (a safety net under DUP-02).
 *
 * <h2>Token</h2>
 * Cached in memory and in {@value #TOKEN_FILE} ({@link AccessToken#toStorageLine()}), so a
 * relaunched process reuses it. Refreshed when it expires within 10 minutes (or half its life)
 * on the simulated clock, or after a 401 ({@link #credentialsRejected}).
 */
final class GenericPutDialect implements CloudDialect {

    static final String NAME = "generic-put";
    static final String TOKEN_FILE = "cloud/generic-put/access-token.txt";

    private final BearerTokens tokens;

    /**
     * @param clientId {@code cloud.clientId}
     * @param clientSecret {@code cloud.clientSecret}
     * @param tokenUrl {@code cloud.tokenUrl}; empty for {@code uploadUrlBase + "auth/token"}
     */
    GenericPutDialect(String clientId, String clientSecret, Optional<URI> tokenUrl) {
        this.tokens = new BearerTokens(clientId, clientSecret, tokenUrl, "auth/token", TOKEN_FILE);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UploadRequest destinationFor(AssetResource resource, ExtensionContext context) throws CloudUnavailableException {
        AccessToken valid = validToken(context);
        UploadRequest destination = UploadRequest.put(fileUrl(context.uploadUrlBase(), resource))
                .withHeader("Authorization", valid.authorizationHeader())
                .withHeader("Content-Type", contentType(resource.uniformTypeIdentifier()));
        return JobIdentity.stamp(destination, resource);
    }

    @Override
    public Optional<UploadRequest> destinationForRetry(UploadRequest original, ExtensionContext context) {
        AccessToken cached = cachedToken(context);
        if (cached == null || !cached.usableAt(context.clock().instant())
                || original.header("Authorization").equals(Optional.of(cached.authorizationHeader()))) {
            return Optional.empty();
        }
        // The job was created with a token that has been replaced since (refreshed, or rejected
        // by another job): retrying with it would only earn a 401.
        return Optional.of(original.withHeader("Authorization", cached.authorizationHeader()));
    }

    @Override
    public UploadRequest freshDestination(UploadRequest failed, ExtensionContext context) throws CloudUnavailableException {
        // The URL names the object and stays; only the credentials are renewed. Other headers,
        // the resource key among them, are kept.
        return failed.withHeader("Authorization", validToken(context).authorizationHeader());
    }

    @Override
    public void credentialsRejected(UploadRequest destination) {
        destination.header("Authorization").ifPresent(tokens::rejected);
    }

    @Override
    public Optional<String> resourceKeyFromUrl(URI url, URI uploadUrlBase) {
        String prefix = PathSegments.withTrailingSlash(uploadUrlBase.getRawPath()) + "files/";
        String path = url.getRawPath();
        if (path == null || !path.startsWith(prefix)) {
            return Optional.empty();
        }
        String[] segments = path.substring(prefix.length()).split("/", -1);
        if (segments.length != 3) {
            return Optional.empty();
        }
        try {
            String asset = PathSegments.decode(segments[0]);
            AssetResource.ResourceType type = AssetResource.ResourceType.valueOf(segments[1]);
            return asset.isEmpty() ? Optional.empty() : Optional.of(asset + "#" + type.name());
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> serverId(SortedMap<String, String> responseHeaders) {
        String objectId = responseHeaders.get("x-object-id");
        if (objectId != null && !objectId.isBlank()) {
            return Optional.of(objectId.strip());
        }
        String etag = responseHeaders.get("etag");
        return etag == null || etag.strip().isEmpty() ? Optional.empty() : Optional.of(etag.strip());
    }

    /** The object URL of {@code resource} under {@code uploadUrlBase}. */
    static URI fileUrl(URI uploadUrlBase, AssetResource resource) {
        return URI.create(PathSegments.withTrailingSlash(uploadUrlBase.toString()) + "files/"
                + PathSegments.encode(resource.assetLocalIdentifier()) + "/" + resource.type().name() + "/"
                + PathSegments.encode(resource.originalFilename()));
    }

    /** The MIME type of a uniform type identifier, for the server's benefit only. */
    static String contentType(String uniformTypeIdentifier) {
        return switch (uniformTypeIdentifier) {
            case "public.heic" -> "image/heic";
            case "public.heif" -> "image/heif";
            case "public.jpeg" -> "image/jpeg";
            case "public.png" -> "image/png";
            case "com.adobe.raw-image" -> "image/x-adobe-dng";
            case "com.apple.quicktime-movie" -> "video/quicktime";
            case "public.mpeg-4" -> "video/mp4";
            default -> "application/octet-stream";
        };
    }

    private AccessToken validToken(ExtensionContext context) throws CloudUnavailableException {
        return tokens.valid(context);
    }

    private AccessToken cachedToken(ExtensionContext context) {
        return tokens.cached(context);
    }
}
