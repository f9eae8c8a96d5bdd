package org.upcert.sample;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadRequest;

/**
 * OAuth client-credentials sign-in and the cached bearer token, for the session dialects
 * ({@link OneDriveDialect}, {@link DropboxDialect}); the same flow as {@link GenericPutDialect}'s,
 * with the token endpoint and the storage file as parameters ({@link GenericPutDialect} uses it too).
 *
 * <p>Sign in: {@code POST <tokenUrl>} with a form body
 * {@code grant_type=client_credentials&client_id=…&client_secret=…}; 2xx is a token response
 * ({@link AccessToken#fromTokenResponse}); 400/401/403 mean the credentials are wrong
 * (permanent); anything else, or no response, is temporary. The token is cached in memory and
 * in {@code storageFile}, refreshed when {@link AccessToken#usableAt} says so or after
 * {@link #rejected}.
 */
final class BearerTokens {

    private final String clientId;
    private final String clientSecret;
    private final Optional<URI> tokenUrl;
    private final String defaultTokenPath;
    private final String storageFile;
    private AccessToken token;
    private boolean loaded;
    private String rejectedToken = "";

    /**
     * @param tokenUrl {@code cloud.tokenUrl}; empty for {@code uploadUrlBase + defaultTokenPath}
     * @param defaultTokenPath the token endpoint relative to the upload URL base
     * @param storageFile where the token is kept in the app group
     */
    BearerTokens(String clientId, String clientSecret, Optional<URI> tokenUrl, String defaultTokenPath, String storageFile) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.tokenUrl = tokenUrl;
        this.defaultTokenPath = defaultTokenPath;
        this.storageFile = storageFile;
    }

    /** A token good for now: the cached one, or a new one from signing in. */
    AccessToken valid(ExtensionContext context) throws CloudUnavailableException {
        AccessToken cached = cached(context);
        if (cached != null && cached.usableAt(context.clock().instant())) {
            return cached;
        }
        return signIn(context);
    }

    /** The token in memory, loaded from storage once per process; null if none. */
    AccessToken cached(ExtensionContext context) {
        if (!loaded) {
            Optional<String> line = context.storage().readString(storageFile);
            Optional<AccessToken> stored = line.isPresent() ? AccessToken.fromStorageLine(line.get()) : Optional.empty();
            token = stored.isPresent() && !stored.get().value().equals(rejectedToken) ? stored.get() : null;
            loaded = true;
        }
        return token;
    }

    /** The server refused {@code authorization} (a full {@code Bearer …} header value): forget it. */
    void rejected(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return;
        }
        String value = authorization.substring("Bearer ".length()).strip();
        rejectedToken = value; // also keeps a not-yet-loaded stored copy from being used
        if (token != null && token.value().equals(value)) {
            token = null;
        }
    }

    private AccessToken signIn(ExtensionContext context) throws CloudUnavailableException {
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
        Instant requestedAt = context.clock().instant();
        ExtensionHttp.Response response;
        try {
            // an if, not orElseGet(() -> …): a lambda is linked again in every relaunched process (see Ledger)
            URI url = tokenUrl.isPresent() ? tokenUrl.get() : URI.create(withSlash(context.uploadUrlBase()) + defaultTokenPath);
            response = context.http().send(
                    UploadRequest.post(url).withHeader("Content-Type", "application/x-www-form-urlencoded"), form);
        } catch (ExtensionHttp.TransportException e) {
            throw CloudUnavailableException.temporarily("sign-in got no response: " + e.error());
        }
        int status = response.status();
        if (response.isSuccessful()) {
            AccessToken fresh;
            try {
                fresh = AccessToken.fromTokenResponse(response.bodyText(), requestedAt);
            } catch (IllegalArgumentException e) {
                throw CloudUnavailableException.temporarily("sign-in answer unreadable: " + e.getMessage());
            }
            context.storage().writeString(storageFile, fresh.toStorageLine());
            token = fresh;
            loaded = true;
            return fresh;
        }
        if (status == 400 || status == 401 || status == 403) {
            throw CloudUnavailableException.permanently("sign-in refused with HTTP " + status
                    + ": check cloud.clientId and cloud.clientSecret");
        }
        throw CloudUnavailableException.temporarily("sign-in failed with HTTP " + status);
    }

    /** {@code base} as text ending with {@code /}. */
    static String withSlash(URI base) {
        return PathSegments.withTrailingSlash(base.toString());
    }
}
