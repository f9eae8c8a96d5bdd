package org.upcert.harness.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.sim.VirtualClock;

/**
 * The {@code onedrive} cloud: Microsoft Graph upload sessions (driveItem: createUploadSession).
 * Everything is served under {@code /graph/v1.0/}.
 *
 * <ul>
 *   <li>{@code POST oauth2/v2.0/token}, form {@code grant_type=client_credentials&client_id=…&client_secret=…}
 *       → 200 {@code {"access_token","token_type":"Bearer","expires_in"}}; wrong credentials 401
 *       {@code invalid_client}. (Real: {@code login.microsoftonline.com/{tenant}/oauth2/v2.0/token}
 *       with a {@code scope}; the stub serves it under the Graph base and ignores the scope.)
 *       Tokens expire on the virtual clock.
 *   <li>{@code POST me/drive/items/root:/{path}:/createUploadSession} with {@code Authorization: Bearer}
 *       and an optional JSON body {@code {"item":{"@microsoft.graph.conflictBehavior":"fail|replace|rename",
 *       "fileSize":N}}} (default {@code fail}; {@code fileSize} also accepted at top level)
 *       → 200 {@code {"uploadUrl","expirationDateTime","nextExpectedRanges":["0-"]}}. Missing,
 *       unknown or expired token: 401 {@code InvalidAuthenticationToken}.
 *   <li>{@code PUT uploadUrl} ({@code up/<session>}) with {@code Content-Range: bytes s-e/total}:
 *       sizes are judged by {@value CloudDialect#DECLARED_LENGTH_HEADER} when present (the body
 *       may be a compact stand-in), content by the SHA-256 of the bytes received. The fragment
 *       must start at the next expected offset; the last one commits the file: 201 (new) or 200
 *       (replaced) with the driveItem JSON plus {@code Location} (the item's URL, last segment
 *       its id) and {@code ETag} headers in the lenient mode only; a middle one answers 202 with {@code nextExpectedRanges}.
 *       Each accepted fragment extends the session's expiry. Errors: unknown or expired session
 *       404 {@code itemNotFound}; fragment starting before the next expected byte (e.g. a PUT
 *       repeated after the file was committed) 416 {@code invalidRange}; a request carrying an
 *       {@code Authorization} header 401 (the upload URL is pre-authenticated and Graph documents
 *       that sending the header may fail the upload: the stub always fails it, so an extension
 *       that adds it is caught); missing or inconsistent {@code Content-Range} 400; a fragment of
 *       60 MiB or more 413 {@code requestTooLarge} (Graph: "each request less than 60 MiB" —
 *       since the system sends the whole resource in one request, a larger resource cannot be
 *       uploaded through a session at all); name clash at commit with {@code fail} 409
 *       {@code nameAlreadyExists} (the session is kept until it expires, as Graph does).
 *   <li>{@code GET uploadUrl} → 200 {@code {"expirationDateTime","nextExpectedRanges"}};
 *       {@code DELETE uploadUrl} → 204 (the session is gone).
 *   <li>{@code GET me/drive/root:/{path}} (Graph's "get item by path"; a trailing {@code :} is
 *       allowed) with {@code Authorization: Bearer} → 200 the driveItem JSON ({@code id},
 *       {@code name}, {@code size}, {@code eTag}, {@code file.hashes.sha256Hash}); no such item
 *       404 {@code itemNotFound}. How an extension learns the item a system upload made: it never
 *       sees that upload's body.
 * </ul>
 *
 * <p>Header modes: <b>strict</b> (the default) answers the committing PUT with the driveItem in
 * the body only, as Graph does; <b>lenient</b> ({@code --assume body-in-headers}) adds
 * {@code Location} (the item's URL, last segment its id) and {@code ETag} headers, the stub's
 * invention (docs/cloud.md).
 *
 * <p>Simplifications: fragments need not be multiples of 320 KiB (the system sends one fragment);
 * a completed session stays answerable (416) until it expires, where Graph may forget it sooner
 * (404), both of which an extension must handle; {@code deferCommit}, quotas (507) and
 * {@code if-match} (412) are not modelled; the uploadUrl is on the upload host (the origin of
 * {@code uploadUrlBase}), everything else on the service host ({@link #onUploadHost}), as Graph
 * keeps upload sessions on another host than its API. Injected 429/503 errors carry
 * Graph's error shape ({@link #injectedError}).
 */
public final class OneDriveDialect implements CloudDialect {
    public static final String NAME = "onedrive";
    static final String BASE = "/graph/v1.0/";
    static final String CREATE_PREFIX = BASE + "me/drive/items/root:/";
    static final String CREATE_SUFFIX = ":/createUploadSession";
    static final String UPLOAD_PREFIX = BASE + "up/";
    /** Get an item by its path: {@code GET me/drive/root:/{path}}. */
    static final String ITEM_BY_PATH_PREFIX = BASE + "me/drive/root:/";
    /** Graph: each fragment request must be smaller than 60 MiB. */
    public static final long MAX_FRAGMENT_BYTES = 60L * 1024 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final class Session {
        final String path;
        final String conflictBehavior;
        final long fileSize; // -1 when not given
        long expiresAt;
        long nextExpected;
        long total = -1;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        boolean committed;

        Session(String path, String conflictBehavior, long fileSize, long expiresAt) {
            this.path = path;
            this.conflictBehavior = conflictBehavior;
            this.fileSize = fileSize;
            this.expiresAt = expiresAt;
        }
    }

    private final CloudInventory inventory = new CloudInventory();
    private final TreeMap<String, Session> sessions = new TreeMap<>();
    private final OAuthClientCredentials tokens;
    private final LongSupplier virtualNow;
    private final long sessionLifetimeMs;
    private final long maxFragmentBytes;
    private final long seed;
    private long sessionCount;
    private long itemCount;
    private String origin = "";
    private boolean bodyInHeaders;

    /**
     * @param seed the run's seed (tokens, session and item ids derive from it)
     * @param virtualNow the simulator's clock, in milliseconds
     * @param tokenLifetimeMs access-token lifetime, virtual milliseconds
     * @param sessionLifetimeMs upload-session lifetime from creation or the last accepted fragment
     * @param maxFragmentBytes the largest fragment accepted (Graph: under 60 MiB)
     */
    public OneDriveDialect(long seed, LongSupplier virtualNow, long tokenLifetimeMs, long sessionLifetimeMs,
            long maxFragmentBytes) {
        this.seed = seed;
        this.virtualNow = virtualNow;
        this.tokens = new OAuthClientCredentials(seed, "EwB", virtualNow, tokenLifetimeMs);
        this.sessionLifetimeMs = sessionLifetimeMs;
        this.maxFragmentBytes = maxFragmentBytes;
    }

    /** Lenient ({@code true}: the committed item also in {@code Location}/{@code ETag}) or strict; returns this. */
    public OneDriveDialect bodyInHeaders(boolean lenient) {
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
    public synchronized SortedMap<String, String> extensionConfiguration(URI uploadUrlBase, URI serviceBase) {
        origin = uploadUrlBase.getScheme() + "://" + uploadUrlBase.getRawAuthority();
        TreeMap<String, String> config = new TreeMap<>();
        config.put("cloud.dialect", NAME);
        config.put("cloud.clientId", OAuthClientCredentials.CLIENT_ID);
        config.put("cloud.clientSecret", OAuthClientCredentials.CLIENT_SECRET);
        config.put("cloud.tokenUrl", serviceBase.resolve("oauth2/v2.0/token").toString());
        config.put("cloud.apiUrl", serviceBase.toString());
        return config;
    }

    /** The upload sessions' URLs ({@code up/…}); sign-in, createUploadSession and items are on the service host. */
    @Override
    public boolean onUploadHost(String path) {
        return path.startsWith(UPLOAD_PREFIX);
    }

    @Override
    public CloudResponse injectedError(int status) {
        String code = switch (status) {
            case 429 -> "activityLimitReached";
            case 503 -> "serviceNotAvailable";
            case 504 -> "gatewayTimeout";
            default -> status >= 500 ? "generalException" : "invalidRequest";
        };
        CloudResponse answer = graphError(status, code, "injected HTTP " + status);
        // Graph throttling: a 429 always says when to come back (learn.microsoft.com/graph/throttling:
        // "Retry-After"); the value is the service's choice, a profile's retryAfter replaces it.
        return status == 429 ? answer.withHeader("Retry-After", Long.toString(THROTTLE_RETRY_AFTER_SECONDS)) : answer;
    }

    /** The Retry-After of an injected 429 when the profile names none: Graph sends one, of its own choosing. */
    static final long THROTTLE_RETRY_AFTER_SECONDS = 10;

    @Override
    public synchronized CloudResponse handle(CloudRequest request) {
        String path = request.path();
        String method = request.method();
        if (path.equals(BASE + "oauth2/v2.0/token") && method.equals("POST")) {
            String token = tokens.issue(request.body());
            if (token == null) {
                inventory.refuse(method, path, 401, "invalid client credentials");
                return CloudResponse.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided.\"}");
            }
            return CloudResponse.json(200, "{\"token_type\":\"Bearer\",\"expires_in\":" + tokens.lifetimeSeconds()
                    + ",\"access_token\":\"" + token + "\"}");
        }
        if (path.startsWith(CREATE_PREFIX) && path.endsWith(CREATE_SUFFIX) && method.equals("POST")
                && path.length() > CREATE_PREFIX.length() + CREATE_SUFFIX.length()) {
            String itemPath = URLDecoder.decode(path.substring(CREATE_PREFIX.length(), path.length() - CREATE_SUFFIX.length()),
                    StandardCharsets.UTF_8);
            return createSession(request, itemPath);
        }
        if (path.startsWith(ITEM_BY_PATH_PREFIX) && path.length() > ITEM_BY_PATH_PREFIX.length() && !path.endsWith(CREATE_SUFFIX)) {
            if (!method.equals("GET")) {
                return refuse(request, 405, "methodNotAllowed", "method not allowed");
            }
            String itemPath = path.substring(ITEM_BY_PATH_PREFIX.length());
            itemPath = itemPath.endsWith(":") ? itemPath.substring(0, itemPath.length() - 1) : itemPath;
            return itemByPath(request, URLDecoder.decode(itemPath, StandardCharsets.UTF_8));
        }
        if (path.startsWith(UPLOAD_PREFIX) && path.length() > UPLOAD_PREFIX.length()) {
            String id = path.substring(UPLOAD_PREFIX.length());
            return switch (method) {
                case "PUT" -> fragment(request, id);
                case "GET" -> status(request, id);
                case "DELETE" -> cancel(request, id);
                default -> refuse(request, 405, "methodNotAllowed", "method not allowed");
            };
        }
        return refuse(request, 400, "invalidRequest", "no such endpoint");
    }

    private CloudResponse createSession(CloudRequest request, String itemPath) {
        CloudResponse unauthorized = authenticate(request);
        if (unauthorized != null) {
            return unauthorized;
        }
        String behavior = "fail";
        long fileSize = -1;
        if (request.body().length > 0) {
            JsonNode body;
            try {
                body = JSON.readTree(request.body());
            } catch (java.io.IOException e) {
                return refuse(request, 400, "invalidRequest", "request body is not JSON");
            }
            JsonNode item = body.path("item");
            behavior = item.path("@microsoft.graph.conflictBehavior").asText("fail");
            JsonNode size = item.has("fileSize") ? item.get("fileSize") : body.get("fileSize");
            if (size != null) {
                if (!size.canConvertToLong() || size.asLong() < 0) {
                    return refuse(request, 400, "invalidRequest", "fileSize is not a size");
                }
                fileSize = size.asLong();
            }
            if (!behavior.equals("fail") && !behavior.equals("replace") && !behavior.equals("rename")) {
                return refuse(request, 400, "invalidRequest", "unknown conflictBehavior " + behavior);
            }
        }
        sessionCount++;
        String id = String.format(java.util.Locale.ROOT, "%016x%04d", SimRandom.mix64(seed ^ 0x0D1D_0000L ^ (sessionCount * 0x9E3779B97F4A7C15L)),
                sessionCount);
        Session session = new Session(itemPath, behavior, fileSize, virtualNow.getAsLong() + sessionLifetimeMs);
        sessions.put(id, session);
        String url = uploadOrigin(request) + UPLOAD_PREFIX + id;
        return CloudResponse.json(200, "{\"uploadUrl\":\"" + url + "\",\"expirationDateTime\":\""
                + VirtualClock.instantAt(session.expiresAt) + "\",\"nextExpectedRanges\":[\"0-\"]}");
    }

    private CloudResponse fragment(CloudRequest request, String id) {
        if (request.header("authorization").isPresent()) {
            return refuse(request, 401, "unauthenticated", "Authorization header sent to a pre-authenticated upload URL");
        }
        Session session = liveSession(id);
        if (session == null) {
            return refuse(request, 404, "itemNotFound", sessions.containsKey(id) ? "upload session expired" : "unknown upload session");
        }
        Matcher range = CONTENT_RANGE.matcher(request.header("content-range").orElse("").trim());
        if (!range.matches()) {
            return refuse(request, 400, "invalidRequest", "missing or malformed Content-Range");
        }
        long start = Long.parseLong(range.group(1));
        long end = Long.parseLong(range.group(2));
        long total = Long.parseLong(range.group(3));
        byte[] body = request.body();
        long length = request.header(DECLARED_LENGTH_HEADER).map(Long::parseLong).orElse((long) body.length);
        if (end < start || end >= total || end - start + 1 != length) {
            return refuse(request, 400, "invalidRange", "Content-Range " + start + "-" + end + "/" + total
                    + " does not match the " + length + " bytes sent");
        }
        if ((session.fileSize >= 0 && total != session.fileSize) || (session.total >= 0 && total != session.total)) {
            return refuse(request, 400, "invalidRange", "Content-Range total " + total + " differs from the declared file size");
        }
        if (length >= maxFragmentBytes) {
            return refuse(request, 413, "requestTooLarge", "fragment of " + length + " bytes (must be under "
                    + maxFragmentBytes + ")");
        }
        if (start < session.nextExpected || session.committed) {
            return refuse(request, 416, "invalidRange", "fragment already received (next expected "
                    + (session.committed ? "none: upload complete" : session.nextExpected + "-") + ")");
        }
        if (start > session.nextExpected) {
            return refuse(request, 416, "invalidRange", "fragment starts at " + start + ", next expected " + session.nextExpected);
        }
        long now = virtualNow.getAsLong();
        if (end + 1 < total) {
            session.total = total;
            session.nextExpected = end + 1;
            session.received.writeBytes(body);
            session.expiresAt = now + sessionLifetimeMs;
            return CloudResponse.json(202, "{\"expirationDateTime\":\"" + VirtualClock.instantAt(session.expiresAt)
                    + "\",\"nextExpectedRanges\":[\"" + session.nextExpected + "-\"]}");
        }
        // The last fragment commits the file.
        String key = session.path;
        boolean exists = inventory.object(key).isPresent();
        if (exists && session.conflictBehavior.equals("fail")) {
            // The fragment is not kept: Graph keeps the session so the client can recommit.
            return refuse(request, 409, "nameAlreadyExists", "name already exists: " + key);
        }
        if (exists && session.conflictBehavior.equals("rename")) {
            key = renamed(key);
            exists = false;
        }
        session.received.writeBytes(body);
        session.total = total;
        session.nextExpected = total;
        session.committed = true;
        session.expiresAt = now + sessionLifetimeMs;
        String sha = Payloads.sha256(session.received.toByteArray());
        String itemId = String.format(java.util.Locale.ROOT, "01%014X", SimRandom.mix64(seed ^ 0x17E3_0000L ^ (++itemCount * 0x9E3779B97F4A7C15L)) >>> 8);
        inventory.store(key, total, sha, itemId);
        String storedId = inventory.object(key).map(CloudInventory.StoredObject::objectId).orElse(itemId);
        CloudResponse answer = CloudResponse.json(exists ? 200 : 201, driveItem(key, storedId, total, sha));
        if (!bodyInHeaders) {
            return answer; // strict: Graph answers the item in the body only
        }
        return answer.withHeader("Location", uploadOrigin(request) + BASE + "me/drive/items/" + storedId)
                .withHeader("ETag", "\"{" + storedId + "},1\"");
    }

    private static String driveItem(String key, String id, long size, String sha) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        return "{\"id\":\"" + id + "\",\"name\":" + OAuthClientCredentials.jsonString(name) + ",\"size\":" + size
                + ",\"eTag\":\"\\\"{" + id + "},1\\\"\",\"file\":{\"hashes\":{\"sha256Hash\":\"" + sha.toUpperCase(java.util.Locale.ROOT)
                + "\"}}}";
    }

    /** {@code GET me/drive/root:/{path}}: the item stored at {@code itemPath}, or 404. */
    private CloudResponse itemByPath(CloudRequest request, String itemPath) {
        CloudResponse unauthorized = authenticate(request);
        if (unauthorized != null) {
            return unauthorized;
        }
        var stored = inventory.object(itemPath);
        if (stored.isEmpty()) {
            return refuse(request, 404, "itemNotFound", "The resource could not be found: " + itemPath);
        }
        CloudInventory.StoredObject object = stored.get();
        return CloudResponse.json(200, driveItem(itemPath, object.objectId(), object.declaredSize(), object.sha256()));
    }

    private String renamed(String key) {
        int slash = key.lastIndexOf('/');
        int dot = key.lastIndexOf('.');
        String stem = dot > slash ? key.substring(0, dot) : key;
        String extension = dot > slash ? key.substring(dot) : "";
        for (int n = 1; ; n++) {
            String candidate = stem + " " + n + extension;
            if (inventory.object(candidate).isEmpty()) {
                return candidate;
            }
        }
    }

    private CloudResponse status(CloudRequest request, String id) {
        Session session = liveSession(id);
        if (session == null) {
            return refuse(request, 404, "itemNotFound", sessions.containsKey(id) ? "upload session expired" : "unknown upload session");
        }
        String ranges = session.committed ? "" : "\"" + session.nextExpected + "-\"";
        return CloudResponse.json(200, "{\"expirationDateTime\":\"" + VirtualClock.instantAt(session.expiresAt)
                + "\",\"nextExpectedRanges\":[" + ranges + "]}");
    }

    private CloudResponse cancel(CloudRequest request, String id) {
        if (liveSession(id) == null) {
            return refuse(request, 404, "itemNotFound", "unknown upload session");
        }
        sessions.remove(id);
        return CloudResponse.of(204);
    }

    /** The session, if it exists and has not expired on the virtual clock. */
    private Session liveSession(String id) {
        Session session = sessions.get(id);
        return session == null || virtualNow.getAsLong() >= session.expiresAt ? null : session;
    }

    private String uploadOrigin(CloudRequest request) {
        if (!origin.isEmpty()) {
            return origin;
        }
        return request.header("host").map(host -> "http://" + host).orElse("");
    }

    /** Null when the bearer token is valid now; else the 401 answer (recorded as a refusal). */
    private CloudResponse authenticate(CloudRequest request) {
        OAuthClientCredentials.Check check = tokens.check(request.header("authorization").orElse(null));
        if (check == OAuthClientCredentials.Check.VALID) {
            return null;
        }
        String reason = switch (check) {
            case MISSING -> "missing bearer token";
            case MALFORMED -> "malformed Authorization header";
            case UNKNOWN -> "unknown token";
            default -> "token expired";
        };
        return refuse(request, 401, "InvalidAuthenticationToken", reason)
                .withHeader("WWW-Authenticate", "Bearer realm=\"\", error=\"invalid_token\"");
    }

    private CloudResponse refuse(CloudRequest request, int status, String code, String reason) {
        inventory.refuse(request.method(), request.path(), status, code + ": " + reason);
        return graphError(status, code, reason);
    }

    private static CloudResponse graphError(int status, String code, String message) {
        return CloudResponse.json(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":"
                + OAuthClientCredentials.jsonString(message) + ",\"innerError\":{\"request-id\":\"upcert\"}}}");
    }

    @Override
    public boolean accepts(long declaredSize) {
        return declaredSize < maxFragmentBytes;
    }
}
