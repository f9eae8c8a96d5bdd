package org.upcert.sample;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadRequest;

/**
 * The {@code s3-presigned} cloud: every job's destination is a presigned S3 PUT URL, handed out
 * by the app's backend (the AWS credentials stay on the server).
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Presign: {@code POST <cloud.presignUrl>} with {@code Authorization: Basic
 *       base64(cloud.clientId:cloud.clientSecret)}, {@code Content-Type: application/json} and
 *       {@code {"key":"<object key>"}} (plus {@code "expiresIn":<cloud.presignExpiresSeconds>}
 *       when configured). 2xx: {@code {"url":"…","method":"PUT","expiresIn":900}}. 400/401/403:
 *       configuration problem (permanent); anything else, no response or an unreadable body:
 *       try again later.
 *   <li>Upload (the destination): {@code PUT <url>} as presigned (the SigV4 query parameters
 *       carry the authorization; no {@code Authorization} header), {@code Content-Type} from the
 *       UTI, {@value JobIdentity#RESOURCE_KEY_HEADER}. S3 answers 200 with {@code etag}; 403
 *       {@code AccessDenied} "Request has expired" once {@code X-Amz-Date + X-Amz-Expires} has
 *       passed. A device shows that only as a refusal with headers; {@link #destinationExpired}
 *       reads the expiry off the URL we asked for, and {@link FailureClassifier} then calls the
 *       refusal an expired destination.
 * </ul>
 * The object key is {@code photos/<enc(assetLocalIdentifier)>/<TYPE>/<enc(originalFilename)>}
 * ({@link PathSegments#encode}): a function of the resource alone, so an upload done twice
 * overwrites one object (S3 PUT semantics) rather than making two.
 *
 * <h2>Expiry (RTY-03)</h2>
 * A presigned URL is only valid for {@code X-Amz-Expires} seconds, and a job may wait in the
 * system's queue, or crawl over a slow network, for longer. So: every new job presigns afresh;
 * {@link #freshDestination} (after a refusal of an expired URL) presigns again, never reusing the stale URL; and
 * {@link #destinationForRetry} presigns again when the URL it would reuse expires within a
 * minute (a retry with it could only earn a 403).
 */
final class S3PresignedDialect implements CloudDialect {

    static final String NAME = "s3-presigned";
    static final String PRESIGN_URL = "cloud.presignUrl";
    static final String EXPIRES = "cloud.presignExpiresSeconds";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final long STALE_MARGIN_SECONDS = 60;

    private final String basicAuthorization;
    private final Optional<URI> presignUrl;
    private final long expiresSeconds;
    /**
     * A lifetime learnt from URLs that expired before the system sent them (0: none yet). The
     * system queues uploads behind each other; over a slow uplink a job waits longer than a
     * 15-minute URL lives, and its fresh URL would wait as long again. Each URL that expired
     * unsent doubles the lifetime asked for next (up to S3's 7 days), so the backup converges.
     */
    private long learntSeconds;
    static final long MAX_EXPIRES_SECONDS = 604_800;

    /**
     * @param presignUrl {@code cloud.presignUrl}; empty for {@code uploadUrlBase + "backend/presign"}
     * @param expiresSeconds the expiry to ask for; 0 for the backend's default
     */
    S3PresignedDialect(String clientId, String clientSecret, Optional<URI> presignUrl, long expiresSeconds) {
        this.basicAuthorization = "Basic " + Base64.getEncoder().encodeToString(
                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        this.presignUrl = presignUrl;
        this.expiresSeconds = expiresSeconds;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UploadRequest destinationFor(AssetResource resource, ExtensionContext context) throws CloudUnavailableException {
        UploadRequest destination = presign(objectKey(resource), context)
                .withHeader("Content-Type", GenericPutDialect.contentType(resource.uniformTypeIdentifier()));
        return JobIdentity.stamp(destination, resource);
    }

    @Override
    public Optional<UploadRequest> destinationForRetry(UploadRequest original, ExtensionContext context) {
        Optional<Instant> expiry = expiryOf(original.url());
        if (expiry.isPresent() && expiry.get().isAfter(context.clock().instant().plusSeconds(STALE_MARGIN_SECONDS))) {
            return Optional.empty(); // still good: retry(destination: nil)
        }
        try {
            return Optional.of(freshDestination(original, context));
        } catch (CloudUnavailableException e) {
            return Optional.empty(); // the backend is unreachable now; a 403 later gets a fresh one
        }
    }

    /**
     * Whether the presigned URL had expired by {@code now}: we asked for it, so its
     * {@code X-Amz-Date + X-Amz-Expires} is ours to read. A refusal of an expired URL is S3's 403
     * "Request has expired" — which a device shows only as a refusal with headers.
     */
    @Override
    public boolean destinationExpired(UploadRequest destination, Instant now) {
        return expiryOf(destination.url()).map(expiry -> !expiry.isAfter(now)).orElse(false);
    }

    @Override
    public UploadRequest freshDestination(UploadRequest failed, ExtensionContext context) throws CloudUnavailableException {
        Optional<String> key = objectKeyFromUrl(failed.url());
        if (key.isEmpty()) {
            throw CloudUnavailableException.permanently("not a presigned URL of ours: " + failed.url().getRawPath());
        }
        learnFrom(failed.url());
        UploadRequest fresh = presign(key.get(), context);
        UploadRequest replacement = UploadRequest.put(fresh.url());
        for (var header : failed.headers().entrySet()) {
            replacement = replacement.withHeader(header.getKey(), header.getValue());
        }
        return replacement;
    }

    @Override
    public void credentialsRejected(UploadRequest destination) {
        // Presigned URLs carry no credentials of ours to forget; the next URL is signed afresh.
    }

    @Override
    public Optional<String> resourceKeyFromUrl(URI url, URI uploadUrlBase) {
        return objectKeyFromUrl(url).flatMap(key -> {
            String[] parts = key.split("/", -1);
            try {
                String asset = PathSegments.decode(parts[1]);
                AssetResource.ResourceType type = AssetResource.ResourceType.valueOf(parts[2]);
                return asset.isEmpty() ? Optional.empty() : Optional.of(asset + "#" + type.name());
            } catch (IllegalArgumentException notOurs) {
                return Optional.empty();
            }
        });
    }

    @Override
    public Optional<String> serverId(SortedMap<String, String> responseHeaders) {
        return Optional.ofNullable(responseHeaders.get("etag")).map(String::strip).filter(etag -> !etag.isEmpty());
    }

    /** The object key of {@code resource}. */
    static String objectKey(AssetResource resource) {
        return "photos/" + PathSegments.encode(resource.assetLocalIdentifier()) + "/" + resource.type().name() + "/"
                + PathSegments.encode(resource.originalFilename());
    }

    /**
     * The object key a presigned URL names: its last four path segments, decoded once (the
     * backend percent-encoded the key's segments), if they have the shape of {@link #objectKey}.
     */
    static Optional<String> objectKeyFromUrl(URI url) {
        String path = url.getRawPath();
        if (path == null) {
            return Optional.empty();
        }
        String[] segments = path.split("/", -1);
        if (segments.length < 5) {
            return Optional.empty();
        }
        try {
            String[] key = new String[4];
            for (int i = 0; i < 4; i++) {
                key[i] = PathSegments.decode(segments[segments.length - 4 + i]);
            }
            if (!key[0].equals("photos") || key[1].isEmpty() || key[3].isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(String.join("/", key));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }

    /** {@code url} expired before it was used: ask for twice its lifetime from now on. */
    private void learnFrom(URI url) {
        String query = url.getRawQuery();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            if (pair.startsWith("X-Amz-Expires=")) {
                try {
                    long lived = Long.parseLong(pair.substring("X-Amz-Expires=".length()));
                    learntSeconds = Math.min(MAX_EXPIRES_SECONDS, Math.max(learntSeconds, 2 * lived));
                } catch (NumberFormatException notOurs) {
                    // keep what was learnt
                }
            }
        }
    }

    /** When a presigned URL stops working: {@code X-Amz-Date + X-Amz-Expires}; empty if it does not say. */
    static Optional<Instant> expiryOf(URI url) {
        String query = url.getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        String date = null;
        String expires = null;
        for (String pair : query.split("&")) {
            if (pair.startsWith("X-Amz-Date=")) {
                date = pair.substring("X-Amz-Date=".length());
            } else if (pair.startsWith("X-Amz-Expires=")) {
                expires = pair.substring("X-Amz-Expires=".length());
            }
        }
        if (date == null || expires == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(AMZ_DATE.parse(date)).plusSeconds(Long.parseLong(expires)));
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Asks the backend for a presigned PUT of {@code key}. */
    private UploadRequest presign(String key, ExtensionContext context) throws CloudUnavailableException {
        URI url = presignUrl.orElseGet(() -> URI.create(PathSegments.withTrailingSlash(context.uploadUrlBase().toString()) + "backend/presign"));
        long asked = Math.max(expiresSeconds, learntSeconds);
        String body = "{\"key\":\"" + JsonFields.escape(key) + "\"" + (asked > 0 ? ",\"expiresIn\":" + asked : "") + "}";
        ExtensionHttp.Response response;
        try {
            response = context.http().send(UploadRequest.post(url).withHeader("Authorization", basicAuthorization)
                    .withHeader("Content-Type", "application/json"), body);
        } catch (ExtensionHttp.TransportException e) {
            throw CloudUnavailableException.temporarily("presign got no response: " + e.error());
        }
        int status = response.status();
        if (response.isSuccessful()) {
            String presigned;
            try {
                presigned = JsonFields.parse(response.bodyText()).getOrDefault("url", "");
            } catch (IllegalArgumentException e) {
                throw CloudUnavailableException.temporarily("presign answer unreadable: " + e.getMessage());
            }
            URI presignedUrl;
            try {
                presignedUrl = URI.create(presigned);
            } catch (IllegalArgumentException e) {
                throw CloudUnavailableException.temporarily("presign answered a bad URL: " + presigned);
            }
            if (!presignedUrl.isAbsolute()) {
                throw CloudUnavailableException.temporarily("presign answered no absolute URL");
            }
            return UploadRequest.put(presignedUrl);
        }
        if (status == 400 || status == 401 || status == 403) {
            throw CloudUnavailableException.permanently("presign refused with HTTP " + status
                    + ": check cloud.clientId, cloud.clientSecret and cloud.presignExpiresSeconds");
        }
        throw CloudUnavailableException.temporarily("presign failed with HTTP " + status);
    }
}
