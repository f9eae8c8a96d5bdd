package org.upcert.sample;

import java.net.URI;
import java.util.Optional;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The {@code onedrive} cloud: Microsoft Graph upload sessions.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Sign in: client credentials at {@code cloud.tokenUrl} (default
 *       {@code uploadUrlBase + "oauth2/v2.0/token"}), see {@link BearerTokens}.
 *   <li>Before each job, over {@code context.http()}:
 *       {@code POST <cloud.apiUrl>me/drive/items/root:/Photos/<enc(asset)>/<TYPE>/<enc(filename)>:/createUploadSession}
 *       with {@code Authorization: Bearer} and
 *       {@code {"item":{"@microsoft.graph.conflictBehavior":"replace","fileSize":N}}} → 200
 *       {@code {"uploadUrl":…}}. {@code replace}: the item path is a function of the resource,
 *       so uploading a resource again overwrites one item instead of failing with 409
 *       {@code nameAlreadyExists} or making "IMG 1.HEIC" (DUP-02's safety net).
 *   <li>The job's destination: {@code PUT <uploadUrl>} with
 *       {@code Content-Range: bytes 0-(N-1)/N} (N = {@code AssetResource.fileSize()}: the system
 *       sends the whole resource as one fragment) and <em>no</em> {@code Authorization} header
 *       (the upload URL is pre-authenticated; Graph may reject the header). Also
 *       {@value #ITEM_PATH_HEADER} (the item path, so a fresh session can be made for the job
 *       from its destination alone) and {@value JobIdentity#RESOURCE_KEY_HEADER}.
 *       201/200 when committed, the driveItem in the body, which a job never shows: the item id is
 *       the last segment of {@code location} where a proxy adds it (upcert's lenient stub), else
 *       asked by path over {@code context.http()} ({@code GET me/drive/root:/<path>},
 *       {@link #lookUpServerId}).
 * </ul>
 *
 * <h2>Failures</h2>
 * <ul>
 *   <li>404: the session expired or is gone → a refusal; the next job creates a new session
 *       for the same item; Graph says to restart the whole upload.
 *   <li>416 ("fragment already received"): this dialect sends every resource as a single
 *       fragment starting at byte 0, and Graph does not keep a partial fragment, so a 416
 *       means the session already received the whole file — the upload was committed and
 *       the answer lost (a lost acknowledgement) and the system sent it again. A device shows
 *       neither the 416 nor the body, only a refusal; so for every refused job the dialect asks
 *       the session's status ({@link #storedDespiteRefusal}, our own {@code GET uploadUrl}) and
 *       records the resource as stored when nothing is left to receive.
 *   <li>409 cannot happen with {@code replace}; if it does, it is permanent (default table).
 *   <li>413: a resource of 60 MiB or more cannot go in one request: a refusal, given up once
 *       it persists ({@link RetryPolicy#givesUp}).
 *   <li>429/503 with {@code Retry-After}: transient, honoured by {@link RetryPolicy}.
 * </ul>
 * Zero-byte resources cannot be uploaded through a session (no valid {@code Content-Range});
 * the photo library does not have them.
 */
final class OneDriveDialect implements CloudDialect {

    static final String NAME = "onedrive";
    static final String TOKEN_FILE = "cloud/onedrive/access-token.txt";
    /** The item path (relative to the drive root, percent-encoded) on every destination. */
    static final String ITEM_PATH_HEADER = "X-Item-Path";
    private static final Pattern TOTAL = Pattern.compile("bytes \\d+-\\d+/(\\d+)");
    /** A session status whose {@code nextExpectedRanges} is empty: the whole file was received. */
    private static final Pattern COMPLETE_SESSION = Pattern.compile("\"nextExpectedRanges\"\\s*:\\s*\\[\\s*\\]");

    private final BearerTokens tokens;
    private final Optional<URI> apiUrl;

    OneDriveDialect(String clientId, String clientSecret, Optional<URI> tokenUrl) {
        this(clientId, clientSecret, tokenUrl, Optional.empty());
    }

    /** {@code apiUrl}: Graph's base on the service host ({@code cloud.apiUrl}); empty: {@code uploadUrlBase}. */
    OneDriveDialect(String clientId, String clientSecret, Optional<URI> tokenUrl, Optional<URI> apiUrl) {
        this.tokens = new BearerTokens(clientId, clientSecret, tokenUrl, "oauth2/v2.0/token", TOKEN_FILE);
        this.apiUrl = apiUrl;
    }

    /** Graph's base for our own calls: {@code cloud.apiUrl}, else {@code uploadUrlBase}. */
    private String api(ExtensionContext context) {
        return apiUrl.map(URI::toString).orElseGet(() -> BearerTokens.withSlash(context.uploadUrlBase()));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UploadRequest destinationFor(AssetResource resource, ExtensionContext context) throws CloudUnavailableException {
        String itemPath = "Photos/" + PathSegments.encode(resource.assetLocalIdentifier()) + "/" + resource.type().name() + "/"
                + PathSegments.encode(resource.originalFilename());
        UploadRequest destination = sessionDestination(itemPath, resource.fileSize(), context)
                .withHeader("Content-Type", GenericPutDialect.contentType(resource.uniformTypeIdentifier()));
        return JobIdentity.stamp(destination, resource);
    }

    @Override
    public Optional<UploadRequest> destinationForRetry(UploadRequest original, ExtensionContext context) {
        return Optional.empty(); // the session URL carries no credentials; a live session takes the retry
    }

    @Override
    public UploadRequest freshDestination(UploadRequest failed, ExtensionContext context) throws CloudUnavailableException {
        Optional<String> itemPath = failed.header(ITEM_PATH_HEADER);
        Matcher total = TOTAL.matcher(failed.header("Content-Range").orElse(""));
        if (itemPath.isEmpty() || !total.matches()) {
            throw CloudUnavailableException.temporarily("destination names no item: " + failed.url());
        }
        UploadRequest session = sessionDestination(itemPath.get(), Long.parseLong(total.group(1)), context);
        // Same item, same size, same resource key: only the session URL is new.
        UploadRequest fresh = new UploadRequest(session.url(), failed.method(), failed.headers());
        return fresh;
    }

    @Override
    public void credentialsRejected(UploadRequest destination) {
        // Destinations carry no credentials; a 401 on createUploadSession is handled there.
    }

    @Override
    public Optional<String> resourceKeyFromUrl(URI url, URI uploadUrlBase) {
        return Optional.empty(); // an opaque session URL; the resource key header identifies the job
    }

    @Override
    public Optional<String> serverId(SortedMap<String, String> responseHeaders) {
        String location = responseHeaders.get("location");
        if (location != null && !location.isBlank()) {
            String trimmed = location.strip();
            return Optional.of(trimmed.substring(trimmed.lastIndexOf('/') + 1)).filter(id -> !id.isEmpty());
        }
        return Optional.ofNullable(responseHeaders.get("etag")).map(String::strip).filter(etag -> !etag.isEmpty());
    }

    /**
     * The item a succeeded upload made, asked by its path ({@code GET me/drive/root:/<path>}, our
     * own call): Graph answers the committing PUT with the item in its body, which a job never shows.
     */
    @Override
    public Optional<String> lookUpServerId(UploadJob job, ExtensionContext context) {
        Optional<String> itemPath = job.destination().header(ITEM_PATH_HEADER);
        if (itemPath.isEmpty()) {
            return Optional.empty();
        }
        try {
            UploadRequest request = UploadRequest.get(URI.create(api(context) + "me/drive/root:/" + itemPath.get())).withHeader("Authorization", tokens.valid(context).authorizationHeader());
            ExtensionHttp.Response response = context.http().send(request, new byte[0]);
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

    /**
     * Asks the session ({@code GET uploadUrl}, our own call: it sees the status and body) whether
     * it already holds the whole file: a 200 with no {@code nextExpectedRanges} left. That is the
     * lost-acknowledgement case — the upload was committed, the answer lost, and the system's
     * resend was refused (Graph answers 416 "fragment already received").
     */
    @Override
    public boolean storedDespiteRefusal(UploadJob job, ExtensionContext context) {
        ExtensionHttp.Response response;
        try {
            response = context.http().send(UploadRequest.get(job.destination().url()), new byte[0]);
        } catch (ExtensionHttp.TransportException e) {
            return false; // cannot tell now: upload again later
        }
        if (response.status() != 200) {
            return false; // 404: the session is gone (expired): a new one later
        }
        return COMPLETE_SESSION.matcher(response.bodyText()).find();
    }

    /** A PUT to a new upload session for {@code itemPath}, with its Content-Range. */
    private UploadRequest sessionDestination(String itemPath, long size, ExtensionContext context)
            throws CloudUnavailableException {
        if (size <= 0) {
            throw CloudUnavailableException.temporarily("cannot upload an empty file through an upload session: " + itemPath);
        }
        URI create = URI.create(api(context) + "me/drive/items/root:/" + itemPath
                + ":/createUploadSession");
        String body = "{\"item\":{\"@microsoft.graph.conflictBehavior\":\"replace\",\"fileSize\":" + size + "}}";
        ExtensionHttp.Response response = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            AccessToken token = tokens.valid(context);
            UploadRequest request = UploadRequest.post(create)
                    .withHeader("Authorization", token.authorizationHeader())
                    .withHeader("Content-Type", "application/json");
            try {
                response = context.http().send(request, body);
            } catch (ExtensionHttp.TransportException e) {
                throw CloudUnavailableException.temporarily("createUploadSession got no response: " + e.error());
            }
            if (response.status() != 401) {
                break;
            }
            tokens.rejected(token.authorizationHeader()); // expired early or revoked: sign in once more
        }
        if (!response.isSuccessful()) {
            throw CloudUnavailableException.temporarily("createUploadSession failed with HTTP " + response.status());
        }
        URI uploadUrl;
        try {
            String text = JsonFields.parse(response.bodyText()).get("uploadUrl");
            uploadUrl = text == null ? null : URI.create(text);
        } catch (IllegalArgumentException e) {
            uploadUrl = null;
        }
        if (uploadUrl == null || !uploadUrl.isAbsolute()) {
            throw CloudUnavailableException.temporarily("createUploadSession answer has no usable uploadUrl");
        }
        return UploadRequest.put(uploadUrl)
                .withHeader("Content-Range", "bytes 0-" + (size - 1) + "/" + size)
                .withHeader(ITEM_PATH_HEADER, itemPath);
    }
}
