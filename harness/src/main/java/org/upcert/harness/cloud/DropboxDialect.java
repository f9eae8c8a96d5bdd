package org.upcert.harness.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.sim.SimRandom;

/**
 * The {@code dropbox} cloud: Dropbox API v2 {@code files/upload}, served under {@code /dropbox/2/}.
 *
 * <ul>
 *   <li>{@code POST oauth2/token}, form {@code grant_type=client_credentials&client_id=…&client_secret=…}
 *       → 200 {@code {"access_token","token_type":"bearer","expires_in"}}; wrong credentials 400
 *       {@code invalid_client}. (Real Dropbox: {@code api.dropboxapi.com/oauth2/token} with a
 *       {@code refresh_token} grant and the app key/secret; the stub takes client credentials
 *       so that every dialect signs in the same way.) Tokens expire on the virtual clock.
 *   <li>{@code POST files/upload} (real: on {@code content.dropboxapi.com}) with
 *       {@code Authorization: Bearer}, {@code Content-Type: application/octet-stream} and
 *       {@code Dropbox-API-Arg: {"path":"/…","mode":"add"|"overwrite","autorename":false}}
 *       ({@code mode} also as {@code {".tag":"add"}}): 200 with the file metadata JSON
 *       ({@code id}, {@code name}, {@code path_display}, {@code rev}, {@code size},
 *       {@code content_hash}). In the <b>lenient</b> header mode ({@code --assume body-in-headers})
 *       the same JSON is also sent in a {@code Dropbox-API-Result} header: <em>the real upload
 *       endpoint returns it in the body only</em> (the header is what Dropbox uses on download
 *       endpoints), which a background-upload extension never sees; the <b>strict</b> mode (the
 *       default) sends it in the body only, as Dropbox does.
 *   <li>{@code POST files/get_metadata} (real: on {@code api.dropboxapi.com}) with
 *       {@code Authorization: Bearer} and JSON {@code {"path":"/…"}}: 200 the file's metadata
 *       ({@code ".tag":"file"} and the fields above); nothing there: 409
 *       {@code path/not_found/..}. How an extension learns what a system upload stored. {@code content_hash} here
 *       is the plain SHA-256 of the bytes received (real: Dropbox's 4 MiB block hash).
 *       Sizes come from {@value CloudDialect#DECLARED_LENGTH_HEADER} when present.
 *   <li>Errors: missing or undecodable {@code Dropbox-API-Arg}, a bad path or mode, a wrong
 *       {@code Content-Type}, or a missing/malformed {@code Authorization} header: 400
 *       plain text {@code Error in call to API function "files/upload": …}. Unknown token: 401
 *       {@code {"error_summary":"invalid_access_token/..."}}; expired: 401
 *       {@code expired_access_token/...}. Conflict in {@code add} mode without autorename: 409
 *       {@code path/conflict/file/..} (Dropbox reports no conflict when the bytes are the same:
 *       the stub then answers 200 with the existing metadata and records no write); with
 *       autorename the file is stored as {@code name (1).ext}. A request above 150 MiB: 409
 *       {@code payload_too_large/..} (an endpoint error, hence 409 like every Dropbox endpoint
 *       error; the system sends a resource in one request, so such a resource cannot be
 *       uploaded to Dropbox at all). Injected 429 carry
 *       {@code {"error_summary":"too_many_requests/...","error":{"reason":{".tag":"too_many_requests"}}}}.
 * </ul>
 *
 * <p>Not modelled: upload sessions ({@code upload_session/start|append_v2|finish}), which the
 * system's single-request uploads cannot use for one resource anyway; case-insensitive paths
 * (the stub compares paths exactly); {@code update} mode and {@code strict_conflict}.
 */
public final class DropboxDialect implements CloudDialect {
    public static final String NAME = "dropbox";
    static final String BASE = "/dropbox/2/";
    /** Dropbox: at most 150 MB in one request. */
    public static final long MAX_REQUEST_BYTES = 150L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CloudInventory inventory = new CloudInventory();
    private final OAuthClientCredentials tokens;
    private final LongSupplier virtualNow;
    private final long maxRequestBytes;
    private final long seed;
    private long fileCount;
    private boolean bodyInHeaders;

    /**
     * @param seed the run's seed (tokens, ids and revisions derive from it)
     * @param virtualNow the simulator's clock, in milliseconds
     * @param tokenLifetimeMs access-token lifetime (Dropbox: 4 hours), virtual milliseconds
     * @param maxRequestBytes the largest upload accepted in one request (Dropbox: 150 MB)
     */
    public DropboxDialect(long seed, LongSupplier virtualNow, long tokenLifetimeMs, long maxRequestBytes) {
        this.seed = seed;
        this.virtualNow = virtualNow;
        this.tokens = new OAuthClientCredentials(seed, "sl.", virtualNow, tokenLifetimeMs);
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Lenient ({@code true}: the upload's metadata also in {@code Dropbox-API-Result}) or strict; returns this. */
    public DropboxDialect bodyInHeaders(boolean lenient) {
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
        config.put("cloud.clientId", OAuthClientCredentials.CLIENT_ID);
        config.put("cloud.clientSecret", OAuthClientCredentials.CLIENT_SECRET);
        config.put("cloud.tokenUrl", serviceBase.resolve("oauth2/token").toString());
        config.put("cloud.apiUrl", serviceBase.toString());
        return config;
    }

    /** {@code files/upload} (Dropbox's content host); sign-in and {@code files/get_metadata} are on the service (api) host. */
    @Override
    public boolean onUploadHost(String path) {
        return path.equals(BASE + "files/upload");
    }

    @Override
    public CloudResponse injectedError(int status) {
        if (status == 429) {
            // Dropbox's rate limit answer carries Retry-After (seconds) beside the body's retry_after
            // (developers.dropbox.com/error-handling-guide); a profile's retryAfter replaces it.
            return CloudResponse.json(429, "{\"error_summary\":\"too_many_requests/..\",\"error\":{\"reason\":"
                    + "{\".tag\":\"too_many_requests\"},\"retry_after\":1}}").withHeader("Retry-After", "1");
        }
        if (status >= 500) {
            return CloudResponse.of(status).withHeader("Content-Type", "text/plain; charset=utf-8")
                    .withBody("Internal Server Error");
        }
        return plain(status, "injected HTTP " + status);
    }

    @Override
    public synchronized CloudResponse handle(CloudRequest request) {
        String path = request.path();
        if (path.equals(BASE + "oauth2/token") && request.method().equals("POST")) {
            String token = tokens.issue(request.body());
            if (token == null) {
                inventory.refuse(request.method(), path, 400, "invalid client credentials");
                return CloudResponse.json(400, "{\"error\":\"invalid_client\",\"error_description\":\"Invalid client_id or client_secret\"}");
            }
            return CloudResponse.json(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":"
                    + tokens.lifetimeSeconds() + "}");
        }
        if (path.equals(BASE + "files/upload")) {
            if (!request.method().equals("POST")) {
                return refusePlain(request, 405, "method not allowed");
            }
            return upload(request);
        }
        if (path.equals(BASE + "files/get_metadata")) {
            if (!request.method().equals("POST")) {
                return refusePlain(request, 405, "method not allowed");
            }
            return getMetadata(request);
        }
        return refusePlain(request, 404, "Unknown API function");
    }

    /** Dropbox's answer to a request of {@code endpoint} without a valid bearer token; empty if it has one. */
    private Optional<CloudResponse> refuseUnauthorized(CloudRequest request, String endpoint) {
        return switch (tokens.check(request.header("authorization").orElse(null))) {
            case MISSING, MALFORMED -> Optional.of(refusePlain(request, 400, "Error in call to API function \"" + endpoint + "\": "
                    + "Must provide HTTP header \"Authorization\" or URL parameter \"authorization\"."));
            case UNKNOWN -> Optional.of(refuseJson(request, 401, "invalid_access_token/..", "{\".tag\":\"invalid_access_token\"}"));
            case EXPIRED -> Optional.of(refuseJson(request, 401, "expired_access_token/..", "{\".tag\":\"expired_access_token\"}"));
            case VALID -> Optional.empty();
        };
    }

    /** {@code files/get_metadata}: the file at {@code path}, or 409 {@code path/not_found}. */
    private CloudResponse getMetadata(CloudRequest request) {
        Optional<CloudResponse> refused = refuseUnauthorized(request, "files/get_metadata");
        if (refused.isPresent()) {
            return refused.get();
        }
        JsonNode args;
        try {
            args = JSON.readTree(request.body());
        } catch (java.io.IOException e) {
            args = null;
        }
        String dropboxPath = args == null ? "" : args.path("path").asText("");
        if (!dropboxPath.startsWith("/") || dropboxPath.length() < 2) {
            return refusePlain(request, 400, "Error in call to API function \"files/get_metadata\": "
                    + "request body: path: '" + dropboxPath + "' did not match pattern '(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/.*)?)'");
        }
        String key = dropboxPath.substring(1);
        var stored = inventory.object(key);
        if (stored.isEmpty()) {
            return refuseJson(request, 409, "path/not_found/..", "{\".tag\":\"path\",\"path\":{\".tag\":\"not_found\"}}");
        }
        CloudInventory.StoredObject object = stored.get();
        String rev = String.format(java.util.Locale.ROOT, "%016x", SimRandom.mix64(seed ^ object.sha256().hashCode() ^ ((long) object.writes() << 32)) >>> 4);
        return CloudResponse.json(200, "{\".tag\":\"file\"," + metadataJson(key, object.objectId(), object.declaredSize(),
                object.sha256(), rev).substring(1));
    }

    private CloudResponse upload(CloudRequest request) {
        Optional<CloudResponse> refused = refuseUnauthorized(request, "files/upload");
        if (refused.isPresent()) {
            return refused.get();
        }
        String contentType = request.header("content-type").orElse("");
        if (!contentType.startsWith("application/octet-stream")) {
            return refusePlain(request, 400, "Error in call to API function \"files/upload\": Bad HTTP \"Content-Type\" header: \""
                    + contentType + "\".  Expecting one of \"application/octet-stream\", \"text/plain; charset=dropbox-cors-hack\".");
        }
        String arg = request.header("dropbox-api-arg").orElse(null);
        if (arg == null) {
            return refusePlain(request, 400, "Error in call to API function \"files/upload\": "
                    + "Must provide HTTP header \"Dropbox-API-Arg\" or URL parameter \"arg\".");
        }
        JsonNode args;
        try {
            args = JSON.readTree(arg);
        } catch (java.io.IOException e) {
            args = null;
        }
        if (args == null || !args.isObject()) {
            return refusePlain(request, 400, "Error in call to API function \"files/upload\": "
                    + "HTTP header \"Dropbox-API-Arg\": could not decode input as JSON");
        }
        String dropboxPath = args.path("path").asText("");
        if (!dropboxPath.startsWith("/") || dropboxPath.endsWith("/") || dropboxPath.length() < 2) {
            return refusePlain(request, 400, "Error in call to API function \"files/upload\": "
                    + "HTTP header \"Dropbox-API-Arg\": path: '" + dropboxPath + "' did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)|(id:.*)'");
        }
        JsonNode modeNode = args.path("mode");
        String mode = modeNode.isMissingNode() ? "add" : modeNode.isTextual() ? modeNode.asText() : modeNode.path(".tag").asText("");
        if (!mode.equals("add") && !mode.equals("overwrite")) {
            return refusePlain(request, 400, "Error in call to API function \"files/upload\": "
                    + "HTTP header \"Dropbox-API-Arg\": mode: unknown or unsupported tag '" + mode + "'");
        }
        boolean autorename = args.path("autorename").asBoolean(false);
        byte[] body = request.body();
        long size = request.header(DECLARED_LENGTH_HEADER).map(Long::parseLong).orElse((long) body.length);
        if (size > maxRequestBytes) {
            return refuseJson(request, 409, "payload_too_large/...", "{\".tag\":\"payload_too_large\"}");
        }
        String key = dropboxPath.substring(1);
        String sha = Payloads.sha256(body);
        var existing = inventory.object(key);
        if (existing.isPresent() && mode.equals("add")) {
            if (existing.get().sha256().equals(sha)) {
                return metadata(key, existing.get().objectId(), size, sha, 200);
            }
            if (!autorename) {
                return refuseJson(request, 409, "path/conflict/file/..", "{\".tag\":\"path\",\"reason\":{\".tag\":\"conflict\","
                        + "\"conflict\":{\".tag\":\"file\"}},\"upload_session_id\":\"pid_upload_session:upcert\"}");
            }
            key = renamed(key);
        }
        String id = String.format(java.util.Locale.ROOT, "id:%016x", SimRandom.mix64(seed ^ 0xDB0_0000L ^ (++fileCount * 0x9E3779B97F4A7C15L)));
        inventory.store(key, size, sha, id);
        String storedId = inventory.object(key).map(CloudInventory.StoredObject::objectId).orElse(id);
        return metadata(key, storedId, size, sha, 200);
    }

    private CloudResponse metadata(String key, String id, long size, String sha, int status) {
        String rev = String.format(java.util.Locale.ROOT, "%016x", SimRandom.mix64(seed ^ (++fileCount * 31)) >>> 4);
        String json = metadataJson(key, id, size, sha, rev);
        CloudResponse answer = CloudResponse.json(status, json);
        return bodyInHeaders ? answer.withHeader("Dropbox-API-Result", json) : answer;
    }

    private String metadataJson(String key, String id, long size, String sha, String rev) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        String modified = Instant.ofEpochMilli(virtualNow.getAsLong()).toString().replaceAll("\\.\\d+Z$", "Z");
        return "{\"name\":" + OAuthClientCredentials.jsonString(name)
                + ",\"path_lower\":" + OAuthClientCredentials.jsonString("/" + key.toLowerCase(java.util.Locale.ROOT))
                + ",\"path_display\":" + OAuthClientCredentials.jsonString("/" + key)
                + ",\"id\":\"" + id + "\",\"client_modified\":\"" + modified + "\",\"server_modified\":\"" + modified
                + "\",\"rev\":\"" + rev + "\",\"size\":" + size + ",\"is_downloadable\":true,\"content_hash\":\"" + sha + "\"}";
    }

    private String renamed(String key) {
        int slash = key.lastIndexOf('/');
        int dot = key.lastIndexOf('.');
        String stem = dot > slash ? key.substring(0, dot) : key;
        String extension = dot > slash ? key.substring(dot) : "";
        for (int n = 1; ; n++) {
            String candidate = stem + " (" + n + ")" + extension;
            if (inventory.object(candidate).isEmpty()) {
                return candidate;
            }
        }
    }

    private CloudResponse refuseJson(CloudRequest request, int status, String summary, String error) {
        inventory.refuse(request.method(), request.path(), status, summary);
        return CloudResponse.json(status, "{\"error_summary\":\"" + summary + "\",\"error\":" + error + "}");
    }

    private CloudResponse refusePlain(CloudRequest request, int status, String text) {
        inventory.refuse(request.method(), request.path(), status, text);
        return plain(status, text);
    }

    private static CloudResponse plain(int status, String text) {
        return CloudResponse.of(status).withHeader("Content-Type", "text/plain; charset=utf-8").withBody(text);
    }

    @Override
    public boolean accepts(long declaredSize) {
        return declaredSize <= maxRequestBytes;
    }
}
