package org.upcert.sample;

import java.net.URI;
import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The {@code dropbox} cloud: Dropbox API v2 {@code files/upload}, one request per resource.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Sign in: client credentials at {@code cloud.tokenUrl} (default
 *       {@code uploadUrlBase + "oauth2/token"}), see {@link BearerTokens}. (A real Dropbox app
 *       would exchange a stored refresh token; the flow and its caching are the same.)
 *   <li>The job's destination: {@code POST <uploadUrlBase>files/upload} with
 *       {@code Authorization: Bearer <token>}, {@code Content-Type: application/octet-stream}
 *       and {@code Dropbox-API-Arg: {"path":"/Photos/<enc(asset)>/<TYPE>/<enc(filename)>",
 *       "mode":"overwrite","autorename":false,"mute":true}} (JSON made header-safe: every
 *       non-ASCII character as {@code \\uXXXX}, as Dropbox requires). {@code overwrite}: the
 *       path is a function of the resource, so re-uploading after a lost answer replaces the
 *       same file instead of failing with {@code path/conflict} (DUP-02's safety net, and
 *       idempotent retries).
 *   <li>The server id: {@code id} in the {@code dropbox-api-result} response header when a
 *       proxy adds it (upcert's lenient stub; the upload endpoint returns its metadata in the
 *       body, which the extension never sees), else asked by path over {@code context.http()}
 *       ({@code files/get_metadata}, {@link #lookUpServerId}).
 * </ul>
 *
 * <h2>Failures (the shared table of {@link FailureClassifier} fits as is)</h2>
 * <ul>
 *   <li>401 ({@code expired_access_token}, {@code invalid_access_token}): forget the token,
 *       retry with a fresh one ({@link #freshDestination}).
 *   <li>409: every Dropbox endpoint error. With {@code overwrite} the ones left are
 *       {@code path/conflict/folder} (a folder where the file goes), {@code path/insufficient_space},
 *       {@code path/disallowed_name} and {@code payload_too_large} (over 150 MB, which one
 *       request cannot carry): none gets better by sending the same request again, so 409 is
 *       permanent (RTY-02). The retryable conflict, namespace lock contention, comes as 429
 *       {@code too_many_write_operations}.
 *   <li>429 with {@code Retry-After}: transient, honoured by {@link RetryPolicy}; 5xx transient.
 *   <li>400 (malformed argument): permanent.
 * </ul>
 */
final class DropboxDialect implements CloudDialect {

    static final String NAME = "dropbox";
    static final String TOKEN_FILE = "cloud/dropbox/access-token.txt";
    static final String API_ARG_HEADER = "Dropbox-API-Arg";

    private final BearerTokens tokens;
    private final Optional<URI> apiUrl;

    DropboxDialect(String clientId, String clientSecret, Optional<URI> tokenUrl) {
        this(clientId, clientSecret, tokenUrl, Optional.empty());
    }

    /** {@code apiUrl}: the API host's base ({@code cloud.apiUrl}, Dropbox's api host); empty: {@code uploadUrlBase}. */
    DropboxDialect(String clientId, String clientSecret, Optional<URI> tokenUrl, Optional<URI> apiUrl) {
        this.tokens = new BearerTokens(clientId, clientSecret, tokenUrl, "oauth2/token", TOKEN_FILE);
        this.apiUrl = apiUrl;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UploadRequest destinationFor(AssetResource resource, ExtensionContext context) throws CloudUnavailableException {
        String path = "/Photos/" + PathSegments.encode(resource.assetLocalIdentifier()) + "/" + resource.type().name() + "/"
                + PathSegments.encode(resource.originalFilename());
        UploadRequest destination = UploadRequest.post(URI.create(BearerTokens.withSlash(context.uploadUrlBase()) + "files/upload"))
                .withHeader("Authorization", tokens.valid(context).authorizationHeader())
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader(API_ARG_HEADER, apiArg(path));
        return JobIdentity.stamp(destination, resource);
    }

    @Override
    public Optional<UploadRequest> destinationForRetry(UploadRequest original, ExtensionContext context) {
        AccessToken cached = tokens.cached(context);
        if (cached == null || !cached.usableAt(context.clock().instant())
                || original.header("Authorization").equals(Optional.of(cached.authorizationHeader()))) {
            return Optional.empty();
        }
        // The job's token has been replaced since: retrying with it would only earn a 401.
        return Optional.of(original.withHeader("Authorization", cached.authorizationHeader()));
    }

    @Override
    public UploadRequest freshDestination(UploadRequest failed, ExtensionContext context) throws CloudUnavailableException {
        return failed.withHeader("Authorization", tokens.valid(context).authorizationHeader());
    }

    @Override
    public void credentialsRejected(UploadRequest destination) {
        tokens.rejected(destination.header("Authorization").orElse(null));
    }

    @Override
    public Optional<String> resourceKeyFromUrl(URI url, URI uploadUrlBase) {
        return Optional.empty(); // one URL for every upload; the resource key header identifies the job
    }

    @Override
    public Optional<String> serverId(SortedMap<String, String> responseHeaders) {
        String result = responseHeaders.get("dropbox-api-result");
        if (result == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JsonFields.parse(result).get("id")).filter(id -> !id.isBlank());
        } catch (IllegalArgumentException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * The file a succeeded upload stored, asked by its path ({@code files/get_metadata}, our own
     * call): Dropbox answers {@code files/upload} with the metadata in its body, which a job never shows.
     */
    @Override
    public Optional<String> lookUpServerId(UploadJob job, ExtensionContext context) {
        try {
            String path = JsonFields.parse(job.destination().header(API_ARG_HEADER).orElse("")).get("path");
            if (path == null || path.isEmpty()) {
                return Optional.empty();
            }
            String api = apiUrl.map(URI::toString).orElseGet(() -> BearerTokens.withSlash(context.uploadUrlBase()));
            UploadRequest request = UploadRequest.post(URI.create(api + "files/get_metadata"))
                    .withHeader("Authorization", tokens.valid(context).authorizationHeader())
                    .withHeader("Content-Type", "application/json");
            ExtensionHttp.Response response = context.http().send(request, "{\"path\":" + headerSafeJson(path) + "}");
            if (response.status() == 401) {
                tokens.rejected(request.header("Authorization").orElse(null));
            }
            if (response.status() != 200) {
                return Optional.empty();
            }
            return Optional.ofNullable(JsonFields.parse(response.bodyText()).get("id")).filter(id -> !id.isBlank());
        } catch (CloudUnavailableException | ExtensionHttp.TransportException | IllegalArgumentException e) {
            return Optional.empty(); // cannot tell now: stored without its id
        }
    }

    /** The {@code Dropbox-API-Arg} of an overwriting upload to {@code path}, header-safe. */
    static String apiArg(String path) {
        return "{\"path\":" + headerSafeJson(path) + ",\"mode\":\"overwrite\",\"autorename\":false,\"mute\":true}";
    }

    /** {@code text} as a JSON string with everything outside printable ASCII escaped. */
    static String headerSafeJson(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
