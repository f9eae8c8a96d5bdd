package org.upcert.sample;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The {@code google-photos} cloud (Library API): two phases, upload then commit.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Sign in: {@link BearerTokens} (OAuth client credentials) against {@code cloud.tokenUrl} (default
 *       {@code uploadUrlBase + "oauth2/token"}).
 *   <li>Upload (the destination of every job): {@code POST <cloud.apiUrl>uploads} with
 *       {@code Authorization: Bearer …}, {@code Content-Type: application/octet-stream},
 *       {@code X-Goog-Upload-Content-Type: <mime>}, {@code X-Goog-Upload-Protocol: raw},
 *       {@code X-Goog-Upload-File-Name} (kept in the job's destination, so the commit can name
 *       the item even when the job no longer has its resource) and
 *       {@value JobIdentity#RESOURCE_KEY_HEADER}. 200 answers an <em>upload token</em>; the bytes
 *       are not in the user's library yet.
 *   <li>Commit: {@code POST <cloud.apiUrl>mediaItems:batchCreate} through {@code context.http()}
 *       with {@code {"newMediaItems":[{"simpleMediaItem":{"uploadToken":"…","fileName":"…"}}]}},
 *       at most {@value #MAX_BATCH} items, one call at a time (Google: batchCreate serially per
 *       user). 200 with one {@code newMediaItemResults[]} entry per item: {@code mediaItem.id}
 *       when it worked, an error {@code status} when not (partial success).
 * </ul>
 *
 * <h2>The token and exactly-once commit (CLD-01)</h2>
 * The extension never sees the body of the system's upload, only its lowercased response
 * headers, so it reads the token from {@code x-goog-upload-token} (a proxy's addition, upcert's
 * lenient stub; see below). The ledger carries the commit state in the entry's server id, so it is as
 * durable as the outcome itself and needs no second file:
 * <ul>
 *   <li>{@code pending:<token>:<fileName>}: uploaded, not committed. Written by the acknowledge
 *       step with the outcome, before the job is acknowledged (ACK-03).
 *   <li>{@code media:<id>:<token>}: committed; written right after the batchCreate answer, before
 *       anything else. Never committed again: a succeeded job with that token seen again (its
 *       acknowledgement was cut short by a notice or a kill) leaves the entry as it is.
 * </ul>
 * {@link #commitUploads} commits every pending entry, including those a killed process left:
 * a token stored but not committed is committed on the next call. A kill between the answer and
 * its ledger line means that batch is sent again; the server refuses those tokens as already
 * committed, which is recorded as committed ({@code committed:<token>}), not uploaded twice.
 * A token the server does not know or has let expire (uploads must be committed within a day)
 * sends the resource back to be uploaded again.
 *
 * <h2>When no token shows</h2>
 * Google sends the token in the upload's response body only; the extension gets it solely where a
 * proxy in front of Google repeats it in {@code x-goog-upload-token} (upcert's lenient stub,
 * {@code --assume body-in-headers}). With the real service (upcert's default, strict stub) a
 * succeeded upload shows no token: it is recorded as uploaded with no server id and never sent
 * again, since another upload would bring no token either (upcert judges that pairing as
 * "protocol shape only", docs/cloud.md).
 */
final class GooglePhotosDialect implements CloudDialect {

    static final String NAME = "google-photos";
    static final String API_URL = "cloud.apiUrl";
    static final String TOKEN_FILE = "cloud/google-photos/access-token.txt";
    static final String TOKEN_HEADER = "x-goog-upload-token";
    static final String FILE_NAME_HEADER = "X-Goog-Upload-File-Name";
    static final String PENDING = "pending:";
    static final String COMMITTED = "media:";
    static final String COMMITTED_UNKNOWN_ID = "committed:";
    static final int MAX_BATCH = 50;

    private final String clientId;
    private final String clientSecret;
    private final Optional<URI> tokenUrl;
    private final Optional<URI> apiUrl;
    private BearerTokens oauth;

    GooglePhotosDialect(String clientId, String clientSecret, Optional<URI> tokenUrl, Optional<URI> apiUrl) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.tokenUrl = tokenUrl;
        this.apiUrl = apiUrl;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public UploadRequest destinationFor(AssetResource resource, ExtensionContext context) throws CloudUnavailableException {
        UploadRequest destination = UploadRequest.post(URI.create(api(context) + "uploads"))
                .withHeader("Authorization", oauth(context).valid(context).authorizationHeader())
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader("X-Goog-Upload-Content-Type", GenericPutDialect.contentType(resource.uniformTypeIdentifier()))
                .withHeader("X-Goog-Upload-Protocol", "raw")
                .withHeader(FILE_NAME_HEADER, resource.originalFilename());
        return JobIdentity.stamp(destination, resource);
    }

    @Override
    public Optional<UploadRequest> destinationForRetry(UploadRequest original, ExtensionContext context) {
        AccessToken cached = oauth(context).cached(context);
        if (cached == null || !cached.usableAt(context.clock().instant())
                || original.header("Authorization").equals(Optional.of(cached.authorizationHeader()))) {
            return Optional.empty();
        }
        // Created with a token replaced since: retrying with it would only earn a 401.
        return Optional.of(original.withHeader("Authorization", cached.authorizationHeader()));
    }

    @Override
    public UploadRequest freshDestination(UploadRequest failed, ExtensionContext context) throws CloudUnavailableException {
        return failed.withHeader("Authorization", oauth(context).valid(context).authorizationHeader());
    }

    @Override
    public void credentialsRejected(UploadRequest destination) {
        if (oauth != null) {
            oauth.rejected(destination.header("Authorization").orElse(null));
        }
    }

    @Override
    public Optional<String> resourceKeyFromUrl(URI url, URI uploadUrlBase) {
        return Optional.empty(); // every upload goes to the same URL; the key is in the header
    }

    @Override
    public Optional<String> serverId(SortedMap<String, String> responseHeaders) {
        return Optional.ofNullable(responseHeaders.get(TOKEN_HEADER)).map(String::strip).filter(t -> !t.isEmpty())
                .map(token -> PENDING + token + ":");
    }

    /** The upload token (lowercase header, CLD-01) with the file name the destination carries. */
    @Override
    public Optional<String> serverIdOf(UploadJob job) {
        String fileName = job.destination().header(FILE_NAME_HEADER)
                .or(() -> job.resource().map(AssetResource::originalFilename)).orElse("");
        return job.responseHeaderFields().flatMap(this::serverId).map(pending -> pending + fileName);
    }

    @Override
    public int uncommittedUploads(Ledger ledger) {
        int count = 0;
        for (LedgerEntry entry : ledger.all()) {
            if (entry.status() == ResourceStatus.UPLOADED && entry.serverId().startsWith(PENDING)) {
                count++; // a token to commit; an upload that brought none has nothing to commit
            }
        }
        return count;
    }

    /**
     * Commits every uploaded, uncommitted resource in the ledger, oldest first, in batches of at
     * most {@value #MAX_BATCH}, one batchCreate at a time; each answer is recorded in the ledger
     * before the next call. Stops (leaving the rest for the next call) when the server cannot be
     * reached, answers an error, or termination is requested.
     */
    @Override
    public void commitUploads(Ledger ledger, ExtensionContext context, AtomicBoolean cancelled) {
        List<LedgerEntry> pending = new ArrayList<>();
        for (LedgerEntry entry : ledger.all()) {
            // Only a token can be committed. An upload the service accepted without showing one
            // (the real service sends it in the body, which the extension never sees) is left as
            // it is: uploading it again would bring no token either, only a duplicate.
            if (entry.status() == ResourceStatus.UPLOADED && entry.serverId().startsWith(PENDING)) {
                pending.add(entry);
            }
        }
        pending.sort(java.util.Comparator.comparingLong(LedgerEntry::order).thenComparing(LedgerEntry::key));
        int committed = 0;
        int again = 0;
        for (int from = 0; from < pending.size(); from += MAX_BATCH) {
            if (cancelled.get()) {
                break;
            }
            List<LedgerEntry> batch = pending.subList(from, Math.min(pending.size(), from + MAX_BATCH));
            Optional<List<LedgerEntry>> answered = batchCreate(batch, context);
            if (answered.isEmpty()) {
                break;
            }
            // Durable right after the answer: a committed token must never be committed again.
            ledger.record(answered.get(), context.storage());
            for (LedgerEntry entry : answered.get()) {
                if (entry.status() == ResourceStatus.UPLOADED) {
                    committed++;
                } else {
                    again++;
                }
            }
        }
        if (committed + again > 0) {
            context.log().info("batchCreate: committed " + committed + (again > 0 ? ", " + again + " to upload again" : "")
                    + " of " + pending.size() + " pending");
        }
    }

    /** The entries of {@code batch} after one batchCreate; empty if there was no usable answer. */
    private Optional<List<LedgerEntry>> batchCreate(List<LedgerEntry> batch, ExtensionContext context) {
        StringBuilder body = new StringBuilder("{\"newMediaItems\":[");
        TreeMap<String, LedgerEntry> byToken = new TreeMap<>();
        for (LedgerEntry entry : batch) {
            String[] pending = parsePending(entry.serverId());
            byToken.put(pending[0], entry);
            if (body.charAt(body.length() - 1) != '[') {
                body.append(',');
            }
            body.append("{\"simpleMediaItem\":{\"uploadToken\":\"").append(JsonFields.escape(pending[0]))
                    .append("\",\"fileName\":\"").append(JsonFields.escape(pending[1])).append("\"}}");
        }
        body.append("]}");
        UploadRequest request;
        try {
            request = UploadRequest.post(URI.create(api(context) + "mediaItems:batchCreate"))
                    .withHeader("Authorization", oauth(context).valid(context).authorizationHeader())
                    .withHeader("Content-Type", "application/json");
        } catch (CloudUnavailableException e) {
            context.log().warn("batchCreate postponed: " + e.getMessage());
            return Optional.empty();
        }
        ExtensionHttp.Response response;
        try {
            response = context.http().send(request, body.toString());
        } catch (ExtensionHttp.TransportException e) {
            context.log().warn("batchCreate got no response: " + e.error());
            return Optional.empty();
        }
        if (response.status() == 401) {
            oauth(context).rejected(request.header("Authorization").orElse(null));
        }
        if (!response.isSuccessful()) {
            context.log().warn("batchCreate failed with HTTP " + response.status() + "; retried next call");
            return Optional.empty();
        }
        List<Object> results;
        try {
            results = JsonTree.array(JsonTree.object(JsonTree.parse(response.bodyText())).get("newMediaItemResults"));
        } catch (IllegalArgumentException e) {
            context.log().warn("batchCreate answer unreadable: " + e.getMessage());
            return Optional.empty();
        }
        List<LedgerEntry> updated = new ArrayList<>();
        for (Object result : results) {
            Map<String, Object> fields = JsonTree.object(result);
            LedgerEntry entry = byToken.remove(JsonTree.text(fields.get("uploadToken")));
            if (entry == null) {
                continue;
            }
            String mediaItemId = JsonTree.text(JsonTree.object(fields.get("mediaItem")).get("id"));
            Map<String, Object> status = JsonTree.object(fields.get("status"));
            String code = status.get("code") instanceof String c ? c : "0";
            if (!mediaItemId.isEmpty()) {
                updated.add(entry.uploaded(COMMITTED + mediaItemId + ":" + parsePending(entry.serverId())[0]));
            } else if (code.equals("6")) {
                // ALREADY_EXISTS: our earlier commit went through but its answer was never recorded.
                updated.add(entry.uploaded(COMMITTED_UNKNOWN_ID + parsePending(entry.serverId())[0]));
            } else if (!code.equals("0")) {
                context.log().warn("batchCreate refused " + entry.key() + ": " + JsonTree.text(status.get("message")));
                updated.add(uploadAgain(entry));
            }
            // no id and no error: unreadable item, left pending for the next call
        }
        return Optional.of(updated);
    }

    /** A {@code pending:<token>:…} server id whose token {@code current} records as committed already. */
    @Override
    public boolean alreadyRecorded(LedgerEntry current, String serverId) {
        if (!serverId.startsWith(PENDING) || !isCommitted(current)) {
            return false;
        }
        String token = parsePending(serverId)[0];
        String recorded = current.serverId();
        return !token.isEmpty() && (recorded.equals(COMMITTED_UNKNOWN_ID + token) || recorded.endsWith(":" + token));
    }

    private static boolean isCommitted(LedgerEntry entry) {
        return entry.serverId().startsWith(COMMITTED) || entry.serverId().startsWith(COMMITTED_UNKNOWN_ID);
    }

    /** The resource, back to be uploaded with a new job (its upload cannot be committed). */
    private static LedgerEntry uploadAgain(LedgerEntry entry) {
        return new LedgerEntry(entry.key(), ResourceStatus.NEEDS_UPLOAD, entry.attempts(), "", entry.order(), 0);
    }

    /** {token, fileName} of a {@code pending:<token>:<fileName>} server id. */
    static String[] parsePending(String serverId) {
        String rest = serverId.substring(PENDING.length());
        int colon = rest.indexOf(':');
        return colon < 0 ? new String[] {rest, ""} : new String[] {rest.substring(0, colon), rest.substring(colon + 1)};
    }

    private URI api(ExtensionContext context) {
        return apiUrl.orElseGet(() -> URI.create(PathSegments.withTrailingSlash(context.uploadUrlBase().toString()) + "v1/"));
    }

    private BearerTokens oauth(ExtensionContext context) {
        if (oauth == null) {
            oauth = new BearerTokens(clientId, clientSecret, tokenUrl, "oauth2/token", TOKEN_FILE);
        }
        return oauth;
    }
}
