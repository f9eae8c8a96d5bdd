package org.upcert.harness.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.sim.SimRandom;

/**
 * The Google Photos Library API's two-phase upload: bytes first, then a commit that makes them a
 * media item.
 *
 * <h2>Endpoints (base path {@value #BASE})</h2>
 * <ul>
 *   <li>{@code POST /gphotos/oauth2/token}, form {@code grant_type=client_credentials&client_id=…&client_secret=…}:
 *       200 {@code {"access_token":"…","token_type":"Bearer","expires_in":3600}}; wrong credentials
 *       401 {@code {"error":"invalid_client"}}. (Google uses an installed-app OAuth flow with a
 *       refresh token; client credentials stand in for it, as in {@link GenericPutDialect}.)
 *   <li>{@code POST /gphotos/v1/uploads} with {@code Authorization: Bearer …},
 *       {@code X-Goog-Upload-Protocol: raw}, {@code X-Goog-Upload-Content-Type: <mime>} and the
 *       bytes as body: 200, body the upload token as raw text. The bytes are kept as an
 *       <em>uncommitted</em> upload: nothing is in the library yet. Upload tokens live
 *       {@value #UPLOAD_TOKEN_LIFETIME_MS} ms of virtual time (Google: one day).
 *   <li>{@code POST /gphotos/v1/mediaItems:batchCreate} with a bearer token and JSON
 *       {@code {"newMediaItems":[{"simpleMediaItem":{"uploadToken":"…","fileName":"…"}}]}}:
 *       200 {@code {"newMediaItemResults":[{"uploadToken":"…","status":{"message":"Success"},
 *       "mediaItem":{"id":"…","filename":"…","mimeType":"…"}}]}}, one result per item, in order
 *       (partial success: a token that is unknown, expired or already committed gets an error
 *       {@code status} with a gRPC {@code code} inside the 200 and no {@code mediaItem}).
 *       No items, more than {@value #MAX_BATCH} items or an unreadable body: 400
 *       {@code {"error":{"code":400,"status":"INVALID_ARGUMENT"}}}.
 * </ul>
 * Missing, unknown or expired bearer tokens answer 401 with {@code WWW-Authenticate: Bearer}.
 *
 * <h2>Inventory</h2>
 * Stored objects are the <em>committed</em> media items, keyed by media item id, with the
 * SHA-256 of the uploaded bytes and the declared size of the upload; every upload token is in
 * {@link CloudInventory#commitsByUpload()} with its commit count (0 until committed), so
 * "every succeeded upload committed exactly once" (CLD-01) can be asserted. A second commit of
 * a token is refused inside the 200 and recorded as a refusal ({@code already committed}), as
 * are unknown and expired tokens.
 *
 * <h2>Header modes</h2>
 * The real API returns the upload token only in the response body, and a PhotoKit upload
 * extension never sees the body of the system's upload (only {@code responseHeaderFields}).
 * <ul>
 *   <li><b>strict</b> (the default): the token is in the body only, as Google sends it. No
 *       extension can commit, so the stub judges the protocol's shape only
 *       ({@link CloudDialects#protocolShapeOnly}): an upload it accepts is stored at once under
 *       its token (the inventory's object), and no two-phase upload is recorded (CLD-01 has no
 *       commit to judge).
 *   <li><b>lenient</b> ({@code --assume body-in-headers}): the token is also in the
 *       {@value #UPLOAD_TOKEN_HEADER} response header, as a proxy in front of Google would add;
 *       the bytes wait uncommitted for {@code batchCreate}, exactly once (CLD-01).
 * </ul>
 *
 * <h2>Where the stub departs from the real service</h2>
 * <ul>
 *   <li>Lenient mode's {@code X-Goog-Upload-Token} header (see above); strict mode's "accepted is
 *       stored".
 *   <li>Only {@code raw} uploads; resumable uploads ({@code X-Goog-Upload-Protocol: resumable})
 *       answer 400. Album, description and the 200 MB / 20 GB limits are not modelled.
 *   <li>Committing a token twice is refused (Google's behaviour for a reused token is not
 *       documented; refusing makes a double commit visible).
 *   <li>Tokens and media item ids are derived from the run's seed.
 * </ul>
 */
public final class GooglePhotosDialect implements CloudDialect {
    public static final String NAME = "google-photos";
    static final String BASE = "/gphotos/";
    static final String TOKEN_PATH = "/gphotos/oauth2/token";
    static final String UPLOADS_PATH = "/gphotos/v1/uploads";
    static final String BATCH_CREATE_PATH = "/gphotos/v1/mediaItems:batchCreate";
    static final String CLIENT_ID = OAuthClientCredentials.CLIENT_ID;
    static final String CLIENT_SECRET = OAuthClientCredentials.CLIENT_SECRET;
    /** The header carrying the upload token, in addition to the body (see the class comment). */
    public static final String UPLOAD_TOKEN_HEADER = "X-Goog-Upload-Token";
    static final int MAX_BATCH = 50;
    static final long UPLOAD_TOKEN_LIFETIME_MS = 86_400_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An upload's bytes, waiting for (or after) their commit. */
    private record Upload(String sha256, long declaredSize, String mimeType, long expiresAt, String mediaItemId) {
    }

    private final CloudInventory inventory = new CloudInventory();
    private final TreeMap<String, Upload> uploads = new TreeMap<>();
    private final LongSupplier virtualNow;
    private final OAuthClientCredentials tokens;
    private final long seed;
    private long uploadCount;
    private long mediaItems;
    private boolean bodyInHeaders;

    /**
     * @param seed the run's seed (tokens and ids are derived from it)
     * @param virtualNow the simulator's clock, in milliseconds
     * @param accessTokenLifetimeMs how long an access token is valid, in virtual milliseconds
     */
    public GooglePhotosDialect(long seed, LongSupplier virtualNow, long accessTokenLifetimeMs) {
        this.seed = seed;
        this.virtualNow = virtualNow;
        this.tokens = new OAuthClientCredentials(seed, "ya29.", virtualNow, accessTokenLifetimeMs);
    }

    /** Lenient ({@code true}: the token also in {@value #UPLOAD_TOKEN_HEADER}, commits judged) or strict; returns this. */
    public GooglePhotosDialect bodyInHeaders(boolean lenient) {
        this.bodyInHeaders = lenient;
        return this;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String basePath() {
        return BASE;
    }

    @Override
    public CloudInventory inventory() {
        return inventory;
    }

    @Override
    public synchronized void changeCredentials(String clientSecret) {
        tokens.changeSecret(clientSecret);
    }

    @Override
    public SortedMap<String, String> extensionConfiguration(URI uploadUrlBase, URI serviceBase) {
        TreeMap<String, String> config = new TreeMap<>();
        config.put("cloud.dialect", NAME);
        config.put("cloud.clientId", CLIENT_ID);
        config.put("cloud.clientSecret", CLIENT_SECRET);
        config.put("cloud.tokenUrl", serviceBase.resolve("oauth2/token").toString());
        config.put("cloud.apiUrl", uploadUrlBase.resolve("v1/").toString());
        return config;
    }

    /**
     * The Library API ({@code /gphotos/v1/…}: uploads and batchCreate, on one host as on
     * {@code photoslibrary.googleapis.com}); sign-in ({@code oauth2/token}) is on the service host.
     */
    @Override
    public boolean onUploadHost(String path) {
        return path.startsWith("/gphotos/v1/");
    }

    @Override
    public synchronized CloudResponse handle(CloudRequest request) {
        String path = request.path();
        boolean post = request.method().equals("POST");
        if (path.equals(TOKEN_PATH) && post) {
            return issueToken(request);
        }
        if (path.equals(UPLOADS_PATH) && post) {
            return upload(request);
        }
        if (path.equals(BATCH_CREATE_PATH) && post) {
            return batchCreate(request);
        }
        if (path.equals(TOKEN_PATH) || path.equals(UPLOADS_PATH) || path.equals(BATCH_CREATE_PATH)) {
            return error(request, 405, "METHOD_NOT_ALLOWED", "method not allowed");
        }
        return error(request, 404, "NOT_FOUND", "no such endpoint");
    }

    private CloudResponse issueToken(CloudRequest request) {
        String token = tokens.issue(request.body());
        if (token == null) {
            inventory.refuse(request.method(), request.path(), 401, "invalid client credentials");
            return CloudResponse.json(401, "{\"error\":\"invalid_client\"}");
        }
        return CloudResponse.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                + tokens.lifetimeSeconds() + "}");
    }

    private CloudResponse upload(CloudRequest request) {
        CloudResponse unauthorized = authenticate(request);
        if (unauthorized != null) {
            return unauthorized;
        }
        String protocol = request.header("x-goog-upload-protocol").orElse("");
        if (!protocol.equals("raw")) {
            return error(request, 400, "INVALID_ARGUMENT", protocol.isEmpty()
                    ? "X-Goog-Upload-Protocol missing" : "X-Goog-Upload-Protocol '" + protocol + "' not supported by the stub");
        }
        byte[] body = request.body();
        if (body.length == 0) {
            return error(request, 400, "INVALID_ARGUMENT", "no bytes uploaded");
        }
        long declared = request.header(DECLARED_LENGTH_HEADER).map(Long::parseLong).orElse((long) body.length);
        String mime = request.header("x-goog-upload-content-type").orElse("application/octet-stream");
        uploadCount++;
        String token = String.format(java.util.Locale.ROOT, "UT%06d-%016x", uploadCount,
                SimRandom.mix64(seed ^ 0x7570_6C6F_6164L ^ (uploadCount * 0xBF58476D1CE4E5B9L)));
        String sha = Payloads.sha256(body);
        if (!bodyInHeaders) {
            // Strict: the token never reaches an extension, so nothing can be committed; protocol
            // shape only: the accepted bytes are the resource stored (CloudDialects.protocolShapeOnly).
            uploads.put(token, new Upload(sha, declared, mime, virtualNow.getAsLong() + UPLOAD_TOKEN_LIFETIME_MS, token));
            inventory.store(token, declared, sha, token);
            return CloudResponse.of(200).withHeader("Content-Type", "text/plain").withBody(token);
        }
        uploads.put(token, new Upload(sha, declared, mime, virtualNow.getAsLong() + UPLOAD_TOKEN_LIFETIME_MS, null));
        inventory.uploadReceived(token);
        return CloudResponse.of(200).withHeader("Content-Type", "text/plain").withHeader(UPLOAD_TOKEN_HEADER, token)
                .withBody(token);
    }

    private CloudResponse batchCreate(CloudRequest request) {
        CloudResponse unauthorized = authenticate(request);
        if (unauthorized != null) {
            return unauthorized;
        }
        JsonNode items;
        try {
            items = JSON.readTree(request.body()).path("newMediaItems");
        } catch (java.io.IOException | RuntimeException e) {
            return error(request, 400, "INVALID_ARGUMENT", "unreadable request body");
        }
        if (!items.isArray() || items.isEmpty()) {
            return error(request, 400, "INVALID_ARGUMENT", "newMediaItems missing or empty");
        }
        if (items.size() > MAX_BATCH) {
            return error(request, 400, "INVALID_ARGUMENT", "more than " + MAX_BATCH + " newMediaItems (" + items.size() + ")");
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray("newMediaItemResults");
        long now = virtualNow.getAsLong();
        for (JsonNode item : items) {
            JsonNode simple = item.path("simpleMediaItem");
            String token = simple.path("uploadToken").asText("");
            String fileName = simple.path("fileName").asText("");
            ObjectNode result = results.addObject();
            result.put("uploadToken", token);
            Upload upload = uploads.get(token);
            String failure = null;
            int code = 0;
            if (upload == null) {
                failure = "unknown upload token";
                code = 3; // INVALID_ARGUMENT
            } else if (upload.mediaItemId() != null) {
                failure = "already committed";
                code = 6; // ALREADY_EXISTS
            } else if (now >= upload.expiresAt()) {
                failure = "upload token expired";
                code = 3;
            }
            if (upload != null) {
                inventory.commitAttempt(token, now, failure);
            }
            if (failure != null) {
                inventory.refuse(request.method(), request.path(), 200, failure + ": " + token);
                result.putObject("status").put("code", code).put("message", "Failed: " + failure);
                continue;
            }
            mediaItems++;
            String id = String.format(java.util.Locale.ROOT, "MI%06d-%016x", mediaItems,
                    SimRandom.mix64(seed ^ 0x6D65_6469_61L ^ (mediaItems * 0x94D049BB133111EBL)));
            uploads.put(token, new Upload(upload.sha256(), upload.declaredSize(), upload.mimeType(), upload.expiresAt(), id));
            inventory.store(id, upload.declaredSize(), upload.sha256(), id);
            inventory.committed(token);
            result.putObject("status").put("message", "Success");
            ObjectNode media = result.putObject("mediaItem");
            media.put("id", id);
            media.put("filename", fileName);
            media.put("mimeType", upload.mimeType());
        }
        try {
            return CloudResponse.json(200, JSON.writeValueAsString(answer));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Null when the bearer token is valid now; else the 401 answer (recorded as a refusal). */
    private CloudResponse authenticate(CloudRequest request) {
        String reason = switch (tokens.check(request.header("authorization").orElse(null))) {
            case VALID -> null;
            case MISSING, MALFORMED -> "missing bearer token";
            case UNKNOWN -> "unknown token";
            case EXPIRED -> "token expired";
        };
        if (reason == null) {
            return null;
        }
        inventory.refuse(request.method(), request.path(), 401, reason);
        return CloudResponse.json(401, "{\"error\":{\"code\":401,\"message\":\"" + reason + "\",\"status\":\"UNAUTHENTICATED\"}}")
                .withHeader("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
    }

    /** Google's error shape for a fault the engine injected ({@code {"error":{"code":…,"status":…}}}). */
    @Override
    public CloudResponse injectedError(int status) {
        String code = switch (status) {
            case 429 -> "RESOURCE_EXHAUSTED";
            case 401 -> "UNAUTHENTICATED";
            case 403 -> "PERMISSION_DENIED";
            case 500 -> "INTERNAL";
            case 503 -> "UNAVAILABLE";
            default -> "UNKNOWN";
        };
        return CloudResponse.json(status, "{\"error\":{\"code\":" + status + ",\"message\":\"injected " + status
                + "\",\"status\":\"" + code + "\"}}");
    }

    private CloudResponse error(CloudRequest request, int status, String code, String message) {
        inventory.refuse(request.method(), request.path(), status, message);
        return CloudResponse.json(status, "{\"error\":{\"code\":" + status + ",\"message\":\"" + message
                + "\",\"status\":\"" + code + "\"}}");
    }
}
