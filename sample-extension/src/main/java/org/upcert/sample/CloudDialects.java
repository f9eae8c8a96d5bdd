package org.upcert.sample;

import java.net.URI;
import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.UploadRequest;

/**
 * Builds the {@link CloudDialect} the host app configured. Keys (read from
 * {@code ExtensionContext.configuration()}, written by the host app into the shared container):
 * <ul>
 *   <li>{@code cloud.dialect}: {@value GenericPutDialect#NAME}, {@value OneDriveDialect#NAME},
 *       {@value DropboxDialect#NAME}, {@value S3PresignedDialect#NAME} or
 *       {@value GooglePhotosDialect#NAME};
 *   <li>{@code cloud.clientId}, {@code cloud.clientSecret}: OAuth client credentials;
 *   <li>{@code cloud.tokenUrl} (optional): the token endpoint, default
 *       {@code uploadUrlBase + "auth/token"} (generic-put), {@code "oauth2/v2.0/token"}
 *       (onedrive), {@code "oauth2/token"} (dropbox, google-photos);
 *   <li>{@code cloud.presignUrl} (optional, s3-presigned): the app backend's presign endpoint,
 *       default {@code uploadUrlBase + "backend/presign"}; {@code cloud.presignExpiresSeconds}
 *       (optional): the expiry to ask for; {@code cloud.clientId}/{@code cloud.clientSecret}
 *       authenticate to that backend (HTTP Basic);
 *   <li>{@code cloud.apiUrl} (optional): google-photos: the Library API base, default
 *       {@code uploadUrlBase + "v1/"}; onedrive, dropbox: the service host's API base (Graph's
 *       {@code createUploadSession} and items, Dropbox's {@code files/get_metadata}; real services
 *       keep it on another host than the uploads), default {@code uploadUrlBase}.
 * </ul>
 * A missing or unknown setting gives a dialect that refuses every destination permanently: the
 * extension still acknowledges what the system presents (ACK-02) and answers FAILURE while it
 * has something to upload, instead of crashing.
 */
final class CloudDialects {

    static final String DIALECT = "cloud.dialect";
    static final String CLIENT_ID = "cloud.clientId";
    static final String CLIENT_SECRET = "cloud.clientSecret";
    static final String TOKEN_URL = "cloud.tokenUrl";
    /** The dialects this sample speaks. */
    static final java.util.SortedSet<String> KNOWN = java.util.Collections.unmodifiableSortedSet(
            new java.util.TreeSet<>(java.util.List.of(GenericPutDialect.NAME, OneDriveDialect.NAME, DropboxDialect.NAME,
                    S3PresignedDialect.NAME, GooglePhotosDialect.NAME)));

    private CloudDialects() {
    }

    /** The dialect {@code configuration} selects. */
    static CloudDialect fromConfiguration(SortedMap<String, String> configuration) {
        String dialect = configuration.getOrDefault(DIALECT, "");
        if (!KNOWN.contains(dialect)) {
            return new Unconfigured(dialect.isEmpty() ? "no " + DIALECT + " configured"
                    : "unknown " + DIALECT + " '" + dialect + "' (this sample speaks " + String.join(", ", KNOWN) + ")");
        }
        String clientId = configuration.getOrDefault(CLIENT_ID, "");
        String clientSecret = configuration.getOrDefault(CLIENT_SECRET, "");
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            return new Unconfigured(CLIENT_ID + " and " + CLIENT_SECRET + " are required for " + dialect);
        }
        Optional<URI> tokenUrl;
        try {
            String text = configuration.get(TOKEN_URL);
            tokenUrl = text == null || text.isBlank() ? Optional.empty() : Optional.of(URI.create(text));
        } catch (IllegalArgumentException e) {
            return new Unconfigured(TOKEN_URL + " is not a URI: " + configuration.get(TOKEN_URL));
        }
        if (tokenUrl.isPresent() && !tokenUrl.get().isAbsolute()) {
            return new Unconfigured(TOKEN_URL + " is not absolute: " + tokenUrl.get());
        }
        return switch (dialect) {
            case OneDriveDialect.NAME, DropboxDialect.NAME -> withApi(configuration, dialect, clientId, clientSecret, tokenUrl);
            case S3PresignedDialect.NAME -> s3Presigned(configuration, clientId, clientSecret);
            case GooglePhotosDialect.NAME -> googlePhotos(configuration, clientId, clientSecret, tokenUrl);
            default -> new GenericPutDialect(clientId, clientSecret, tokenUrl);
        };
    }

    /** {@code s3-presigned}: {@code cloud.presignUrl}, {@code cloud.presignExpiresSeconds} (both optional). */
    private static CloudDialect s3Presigned(SortedMap<String, String> configuration, String clientId, String clientSecret) {
        Optional<URI> presignUrl;
        long expires;
        try {
            presignUrl = absoluteUrl(configuration, S3PresignedDialect.PRESIGN_URL);
            expires = Long.parseLong(configuration.getOrDefault(S3PresignedDialect.EXPIRES, "0").strip());
        } catch (IllegalArgumentException e) {
            return new Unconfigured(S3PresignedDialect.PRESIGN_URL + " or " + S3PresignedDialect.EXPIRES + " is malformed: "
                    + e.getMessage());
        }
        return new S3PresignedDialect(clientId, clientSecret, presignUrl, Math.max(0, expires));
    }

    /** {@code onedrive}, {@code dropbox}: {@code cloud.apiUrl} (optional), the service host's API base. */
    private static CloudDialect withApi(SortedMap<String, String> configuration, String dialect, String clientId,
            String clientSecret, Optional<URI> tokenUrl) {
        Optional<URI> apiUrl;
        try {
            apiUrl = absoluteUrl(configuration, GooglePhotosDialect.API_URL)
                    .map(url -> url.toString().endsWith("/") ? url : URI.create(url + "/"));
        } catch (IllegalArgumentException e) {
            return new Unconfigured(GooglePhotosDialect.API_URL + " is malformed: " + e.getMessage());
        }
        return dialect.equals(OneDriveDialect.NAME) ? new OneDriveDialect(clientId, clientSecret, tokenUrl, apiUrl)
                : new DropboxDialect(clientId, clientSecret, tokenUrl, apiUrl);
    }

    /** {@code google-photos}: {@code cloud.apiUrl} (optional). */
    private static CloudDialect googlePhotos(SortedMap<String, String> configuration, String clientId, String clientSecret,
            Optional<URI> tokenUrl) {
        Optional<URI> apiUrl;
        try {
            apiUrl = absoluteUrl(configuration, GooglePhotosDialect.API_URL)
                    .map(url -> url.toString().endsWith("/") ? url : URI.create(url + "/"));
        } catch (IllegalArgumentException e) {
            return new Unconfigured(GooglePhotosDialect.API_URL + " is malformed: " + e.getMessage());
        }
        return new GooglePhotosDialect(clientId, clientSecret, tokenUrl, apiUrl);
    }

    /** The setting {@code key} as an absolute URL, if set. */
    private static Optional<URI> absoluteUrl(SortedMap<String, String> configuration, String key) {
        Optional<URI> url = Optional.ofNullable(configuration.get(key)).filter(text -> !text.isBlank()).map(URI::create);
        if (url.isPresent() && !url.get().isAbsolute()) {
            throw new IllegalArgumentException("not absolute: " + url.get());
        }
        return url;
    }

    /** A configuration problem, held until a destination is needed. */
    static final class Unconfigured implements CloudDialect {
        private final String problem;

        Unconfigured(String problem) {
            this.problem = problem;
        }

        @Override
        public String name() {
            return "unconfigured";
        }

        @Override
        public UploadRequest destinationFor(AssetResource resource,
                ExtensionContext context) throws CloudUnavailableException {
            throw CloudUnavailableException.permanently(problem);
        }

        @Override
        public Optional<UploadRequest> destinationForRetry(UploadRequest original,
                ExtensionContext context) {
            return Optional.empty();
        }

        @Override
        public UploadRequest freshDestination(UploadRequest failed,
                ExtensionContext context) throws CloudUnavailableException {
            throw CloudUnavailableException.permanently(problem);
        }

        @Override
        public void credentialsRejected(UploadRequest destination) {
        }

        @Override
        public Optional<String> resourceKeyFromUrl(URI url, URI uploadUrlBase) {
            return Optional.empty();
        }

        @Override
        public Optional<String> serverId(SortedMap<String, String> responseHeaders) {
            return Optional.empty();
        }
    }
}
