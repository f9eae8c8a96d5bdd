package org.upcert.harness.cloud;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.upcert.harness.library.Payloads;

/**
 * The "generic PUT" cloud: a WebDAV/Nextcloud-style server.
 *
 * <ul>
 *   <li>{@code POST /dav/auth/token} with a form body {@code grant_type=client_credentials&client_id=…&client_secret=…}
 *       answers 200 {@code {"access_token":"…","token_type":"Bearer","expires_in":3600}}; wrong
 *       credentials answer 401 {@code {"error":"invalid_client"}}.
 *   <li>{@code PUT /dav/files/<path>} with {@code Authorization: Bearer <token>} stores the body
 *       under {@code <path>}: 201 Created when new, 204 No Content when it overwrote, with
 *       {@code ETag: "<sha256>"} and {@code X-Object-Id}. A missing, unknown or expired token
 *       answers 401 with {@code WWW-Authenticate: Bearer error="invalid_token"}.
 *   <li>{@code HEAD /dav/files/<path>} answers 200 with the object's {@code ETag} or 404.
 *   <li>{@code OPTIONS} (the system's resumable-upload preflight, reference §3): 501 by default
 *       (resumable uploads not supported: the system sends plain uploads); in the resumable mode
 *       ({@code --cloud generic-put-resumable}, {@link #RESUMABLE_NAME}) 200 with
 *       {@code Upload-Limit: max-size=}{@value #MAX_RESUMABLE_BYTES}, and a PUT that carries
 *       {@code Upload-Incomplete: ?0} is taken as one whose 104 (Upload Resumption Supported,
 *       {@code Location}) the system received: an interrupted transfer then resumes
 *       ({@link org.upcert.harness.upload.Uploader}; docs/cloud.md).
 * </ul>
 *
 * <p>Tokens are issued and expire on the <em>virtual</em> clock, so token expiry is a real
 * failure mode in a simulated day; their text is drawn from the run's seed, so traces stay
 * identical.
 */
public final class GenericPutDialect implements CloudDialect {
    public static final String NAME = "generic-put";
    /** The same server, answering the resumable-upload preflight with 200: {@code --cloud generic-put-resumable}. */
    public static final String RESUMABLE_NAME = "generic-put-resumable";
    /** The {@code Upload-Limit} {@code max-size} of the resumable mode: 100 GiB. */
    static final long MAX_RESUMABLE_BYTES = 100L * 1024 * 1024 * 1024;
    static final String CLIENT_ID = OAuthClientCredentials.CLIENT_ID;
    static final String CLIENT_SECRET = OAuthClientCredentials.CLIENT_SECRET;

    private final CloudInventory inventory = new CloudInventory();
    private final OAuthClientCredentials tokens;
    private long objectIds;
    private boolean resumable;

    /**
     * @param seed the run's seed (token texts are derived from it)
     * @param virtualNow the simulator's clock, in milliseconds
     * @param tokenLifetimeMs how long an access token is valid, in virtual milliseconds
     */
    public GenericPutDialect(long seed, LongSupplier virtualNow, long tokenLifetimeMs) {
        this.tokens = new OAuthClientCredentials(seed, "gp-", virtualNow, tokenLifetimeMs);
    }

    /** Resumable mode ({@code true}: OPTIONS → 200 with {@code Upload-Limit}) or not (501); returns this. */
    public GenericPutDialect resumable(boolean on) {
        this.resumable = on;
        return this;
    }

    @Override
    public String name() {
        return resumable ? RESUMABLE_NAME : NAME;
    }

    @Override
    public CloudResponse options(CloudRequest request) {
        if (!resumable) {
            return CloudResponse.of(501);
        }
        return CloudResponse.of(200).withHeader("Upload-Limit", "max-size=" + MAX_RESUMABLE_BYTES);
    }

    @Override
    public String basePath() {
        return "/dav/";
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
        config.put("cloud.tokenUrl", serviceBase.resolve("auth/token").toString());
        return config;
    }

    /** The files ({@code /dav/files/…}); sign-in is on the service host. */
    @Override
    public boolean onUploadHost(String path) {
        return path.startsWith("/dav/files/");
    }

    @Override
    public synchronized CloudResponse handle(CloudRequest request) {
        String path = request.path();
        if (path.equals("/dav/auth/token") && request.method().equals("POST")) {
            return issueToken(request);
        }
        if (path.startsWith("/dav/files/") && path.length() > "/dav/files/".length()) {
            String key = URLDecoder.decode(path.substring("/dav/files/".length()), StandardCharsets.UTF_8);
            return switch (request.method()) {
                case "PUT" -> put(request, key);
                case "HEAD", "GET" -> head(request, key);
                default -> refuse(request, 405, "method not allowed");
            };
        }
        return refuse(request, 404, "no such endpoint");
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

    private CloudResponse put(CloudRequest request, String key) {
        CloudResponse unauthorized = authenticate(request);
        if (unauthorized != null) {
            return unauthorized;
        }
        byte[] body = request.body();
        long declared = request.header(DECLARED_LENGTH_HEADER).map(Long::parseLong).orElse((long) body.length);
        String sha = Payloads.sha256(body);
        String objectId = String.format(java.util.Locale.ROOT, "obj-%08d", ++objectIds);
        boolean overwrote = inventory.store(key, declared, sha, objectId);
        String storedId = inventory.object(key).map(CloudInventory.StoredObject::objectId).orElse(objectId);
        return CloudResponse.of(overwrote ? 204 : 201)
                .withHeader("ETag", "\"" + sha + "\"")
                .withHeader("X-Object-Id", storedId);
    }

    private CloudResponse head(CloudRequest request, String key) {
        CloudResponse unauthorized = authenticate(request);
        if (unauthorized != null) {
            return unauthorized;
        }
        return inventory.object(key)
                .map(o -> CloudResponse.of(200).withHeader("ETag", "\"" + o.sha256() + "\"").withHeader("X-Object-Id", o.objectId()))
                .orElseGet(() -> CloudResponse.of(404));
    }

    /** Null when the bearer token is valid now; else the 401 answer (recorded as a refusal). */
    private CloudResponse authenticate(CloudRequest request) {
        return switch (tokens.check(request.header("authorization").orElse(null))) {
            case VALID -> null;
            case MISSING, MALFORMED -> unauthorized(request, "missing bearer token", "Bearer realm=\"upcert\"");
            case UNKNOWN -> unauthorized(request, "unknown token", "Bearer error=\"invalid_token\"");
            case EXPIRED -> unauthorized(request, "token expired", "Bearer error=\"invalid_token\", error_description=\"expired\"");
        };
    }

    private CloudResponse unauthorized(CloudRequest request, String reason, String challenge) {
        inventory.refuse(request.method(), request.path(), 401, reason);
        return CloudResponse.json(401, "{\"error\":\"" + reason + "\"}").withHeader("WWW-Authenticate", challenge);
    }

    private CloudResponse refuse(CloudRequest request, int status, String reason) {
        inventory.refuse(request.method(), request.path(), status, reason);
        return CloudResponse.json(status, "{\"error\":\"" + reason + "\"}");
    }
}
