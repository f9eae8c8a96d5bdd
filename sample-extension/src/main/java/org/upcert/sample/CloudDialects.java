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
 *   <li>{@code cloud.dialect}: {@value GenericPutDialect#NAME} (the only one so far;
 *       {@code s3-presigned}, {@code google-photos}, {@code onedrive}, {@code dropbox} would
 *       be added here);
 *   <li>{@code cloud.clientId}, {@code cloud.clientSecret}: OAuth client credentials;
 *   <li>{@code cloud.tokenUrl} (optional): the token endpoint, default
 *       {@code uploadUrlBase + "auth/token"}.
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

    private CloudDialects() {
    }

    /** The dialect {@code configuration} selects. */
    static CloudDialect fromConfiguration(SortedMap<String, String> configuration) {
        String dialect = configuration.getOrDefault(DIALECT, "");
        if (!dialect.equals(GenericPutDialect.NAME)) {
            return new Unconfigured(dialect.isEmpty() ? "no " + DIALECT + " configured"
                    : "unknown " + DIALECT + " '" + dialect + "' (this sample speaks " + GenericPutDialect.NAME + ")");
        }
        String clientId = configuration.getOrDefault(CLIENT_ID, "");
        String clientSecret = configuration.getOrDefault(CLIENT_SECRET, "");
        if (clientId.isEmpty() || clientSecret.isEmpty()) {
            return new Unconfigured(CLIENT_ID + " and " + CLIENT_SECRET + " are required for " + dialect);
        }
        Optional<URI> tokenUrl;
        try {
            tokenUrl = Optional.ofNullable(configuration.get(TOKEN_URL)).filter(text -> !text.isBlank()).map(URI::create);
        } catch (IllegalArgumentException e) {
            return new Unconfigured(TOKEN_URL + " is not a URI: " + configuration.get(TOKEN_URL));
        }
        if (tokenUrl.isPresent() && !tokenUrl.get().isAbsolute()) {
            return new Unconfigured(TOKEN_URL + " is not absolute: " + tokenUrl.get());
        }
        return new GenericPutDialect(clientId, clientSecret, tokenUrl);
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
