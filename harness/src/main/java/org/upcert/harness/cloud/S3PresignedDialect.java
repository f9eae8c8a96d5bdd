package org.upcert.harness.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.sim.VirtualClock;

/**
 * An S3 bucket written through presigned PUT URLs, plus the small backend an app would run to
 * hand them out (S3 itself has no presign endpoint: the app's server signs with its own AWS
 * credentials, which never reach the device).
 *
 * <h2>Endpoints (base path {@value #BASE})</h2>
 * <ul>
 *   <li>The app's backend: {@code POST /s3/backend/presign} with {@code Authorization: Basic
 *       base64(clientId:clientSecret)} and a JSON body {@code {"key":"photos/…","expiresIn":900}}
 *       ({@code expiresIn} optional, default the dialect's, 1 to 604,800 s as S3 allows) answers
 *       200 {@code {"url":"…","method":"PUT","expiresIn":900}}. Wrong or missing client
 *       credentials: 401 {@code {"error":"invalid_client"}}; no key or a bad {@code expiresIn}:
 *       400 {@code {"error":"invalid_request"}}.
 *   <li>The bucket: {@code PUT /s3/photos-bucket/<key>?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…
 *       &X-Amz-Date=<yyyyMMdd'T'HHmmss'Z'>&X-Amz-Expires=<s>&X-Amz-SignedHeaders=host&X-Amz-Signature=<hex>}
 *       stores the body under {@code <key>} (overwriting: a PUT to an existing key replaces it and
 *       counts as another write) and answers 200 with {@code ETag: "<md5-like id>"} (here the
 *       body's SHA-256, quoted) and {@code x-amz-version-id}.
 * </ul>
 *
 * <h2>Errors, as S3 answers them (XML {@code <Error><Code>…</Code><Message>…</Message></Error>})</h2>
 * <ul>
 *   <li>a required {@code X-Amz-*} parameter missing, an algorithm other than
 *       {@code AWS4-HMAC-SHA256} or an {@code X-Amz-Expires} outside 1…604,800: 400
 *       {@code AuthorizationQueryParametersError};
 *   <li>a signature that does not match (tampered URL, other key, other method): 403
 *       {@code SignatureDoesNotMatch};
 *   <li>a valid URL used after {@code X-Amz-Date + X-Amz-Expires} on the <em>virtual</em> clock:
 *       403 {@code AccessDenied}, "Request has expired" (RTY-03: the client must presign again).
 * </ul>
 * Every refusal is recorded in the {@link CloudInventory} with its S3 error code.
 *
 * <h2>Where the stub simplifies</h2>
 * The signature is HMAC-SHA256, keyed by a secret derived from the run's seed, over
 * {@code METHOD \n path \n sorted query without X-Amz-Signature \n host:127.0.0.1}: the shape of
 * SigV4 (canonical request, signed {@code host} header) without its key-derivation chain and
 * string-to-sign. The host is signed without its port, which is chosen per run, so that URLs
 * (and traces) stay identical from run to run. Clock skew ({@code RequestTimeTooSkewed}),
 * multipart uploads and temporary-role expiry are not played. The response's {@code ETag} is
 * the SHA-256 rather than S3's MD5.
 */
public final class S3PresignedDialect implements CloudDialect {
    public static final String NAME = "s3-presigned";
    static final String BASE = "/s3/";
    static final String PRESIGN_PATH = "/s3/backend/presign";
    static final String BUCKET_PATH = "/s3/photos-bucket/";
    static final String CLIENT_ID = "upcert-sample";
    static final String CLIENT_SECRET = "s3cret";
    static final String REGION = "us-east-1";
    static final long MAX_EXPIRES_SECONDS = 604_800;
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final List<String> REQUIRED = List.of("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
            "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CloudInventory inventory = new CloudInventory();
    private final LongSupplier virtualNow;
    private final long defaultExpiresSeconds;
    private final String accessKeyId;
    private final byte[] signingKey;
    private String origin = CloudStub.DIRECT_ORIGIN;
    private long versions;

    /**
     * @param seed the run's seed (the access key id and signing secret are derived from it)
     * @param virtualNow the simulator's clock, in milliseconds
     * @param defaultExpiresSeconds {@code X-Amz-Expires} when the presign request names none (S3's
     *     console default is 900 s)
     */
    public S3PresignedDialect(long seed, LongSupplier virtualNow, long defaultExpiresSeconds) {
        if (defaultExpiresSeconds < 1 || defaultExpiresSeconds > MAX_EXPIRES_SECONDS) {
            throw new IllegalArgumentException("X-Amz-Expires must be 1..604800 s");
        }
        this.virtualNow = virtualNow;
        this.defaultExpiresSeconds = defaultExpiresSeconds;
        this.accessKeyId = String.format(java.util.Locale.ROOT, "AKIA%016X", SimRandom.mix64(seed ^ 0x5333_5052_4553_4947L)).substring(0, 20);
        this.signingKey = String.format(java.util.Locale.ROOT, "%016x%016x", SimRandom.mix64(seed ^ 0x7365_6372_6574_0001L),
                SimRandom.mix64(seed ^ 0x7365_6372_6574_0002L)).getBytes(StandardCharsets.US_ASCII);
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

    /** Also tells the backend the origin its presigned URLs point at. */
    /** The client secret the presign endpoint accepts now ({@code ""}: none, signed out). */
    private String secret = CLIENT_SECRET;

    @Override
    public synchronized void changeCredentials(String clientSecret) {
        secret = clientSecret; // presigned URLs already handed out stay valid: the bucket's key signed them
    }

    @Override
    public synchronized SortedMap<String, String> extensionConfiguration(URI uploadUrlBase, URI serviceBase) {
        String base = uploadUrlBase.toString();
        origin = base.substring(0, base.length() - BASE.length());
        String service = serviceBase.toString();
        TreeMap<String, String> config = new TreeMap<>();
        config.put("cloud.dialect", NAME);
        config.put("cloud.clientId", CLIENT_ID);
        config.put("cloud.clientSecret", CLIENT_SECRET);
        config.put("cloud.presignUrl", service.substring(0, service.length() - BASE.length()) + PRESIGN_PATH);
        return config;
    }

    /** The bucket; the presign endpoint is the app's backend, on the service host. */
    @Override
    public boolean onUploadHost(String path) {
        return path.startsWith(BUCKET_PATH);
    }

    @Override
    public synchronized CloudResponse handle(CloudRequest request) {
        String path = request.path();
        if (path.equals(PRESIGN_PATH)) {
            return request.method().equals("POST") ? presign(request) : json(request, 405, "method not allowed");
        }
        if (path.startsWith(BUCKET_PATH) && path.length() > BUCKET_PATH.length()) {
            return request.method().equals("PUT") ? put(request)
                    : s3Error(request, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        }
        return json(request, 404, "no such endpoint");
    }

    /** The app backend's presign endpoint. */
    private CloudResponse presign(CloudRequest request) {
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (CLIENT_ID + ":" + secret).getBytes(StandardCharsets.UTF_8));
        if (secret.isEmpty() || !request.header("authorization").map(expected::equals).orElse(false)) {
            inventory.refuse(request.method(), request.path(), 401, "invalid client credentials");
            return CloudResponse.json(401, "{\"error\":\"invalid_client\"}");
        }
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (java.io.IOException e) {
            body = null;
        }
        String key = body == null ? "" : body.path("key").asText("");
        long expires = body == null || !body.has("expiresIn") ? defaultExpiresSeconds : body.path("expiresIn").asLong(-1);
        if (key.isEmpty() || key.startsWith("/") || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
            return json(request, 400, "invalid_request");
        }
        String url = origin + presignedPathAndQuery("PUT", key, virtualNow.getAsLong(), expires);
        return CloudResponse.json(200, "{\"url\":\"" + url + "\",\"method\":\"PUT\",\"expiresIn\":" + expires + "}");
    }

    /** The path and query of a presigned {@code method} on {@code key}, signed at virtual time {@code now}. */
    String presignedPathAndQuery(String method, String key, long now, long expiresSeconds) {
        String amzDate = AMZ_DATE.format(VirtualClock.instantAt(now));
        TreeMap<String, String> params = new TreeMap<>();
        params.put("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
        params.put("X-Amz-Credential", accessKeyId + "/" + amzDate.substring(0, 8) + "/" + REGION + "/s3/aws4_request");
        params.put("X-Amz-Date", amzDate);
        params.put("X-Amz-Expires", Long.toString(expiresSeconds));
        params.put("X-Amz-SignedHeaders", "host");
        String path = BUCKET_PATH + encodeKey(key);
        // Signature last, as AWS SDKs write it.
        return path + "?" + canonicalQuery(params, true) + "&X-Amz-Signature=" + signature(method, path, params);
    }

    private CloudResponse put(CloudRequest request) {
        TreeMap<String, String> params = query(request.query());
        for (String name : REQUIRED) {
            if (!params.containsKey(name) || params.get(name).isEmpty()) {
                return s3Error(request, 400, "AuthorizationQueryParametersError",
                        "Query-string authentication version 4 requires the " + String.join(", ", REQUIRED) + " parameters.");
            }
        }
        if (!params.get("X-Amz-Algorithm").equals("AWS4-HMAC-SHA256")) {
            return s3Error(request, 400, "AuthorizationQueryParametersError",
                    "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        long expires;
        long signedAt;
        try {
            expires = Long.parseLong(params.get("X-Amz-Expires"));
            signedAt = java.time.Instant.from(AMZ_DATE.parse(params.get("X-Amz-Date"))).toEpochMilli()
                    - VirtualClock.EPOCH.toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            return s3Error(request, 400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed.");
        }
        if (expires < 1 || expires > MAX_EXPIRES_SECONDS) {
            return s3Error(request, 400, "AuthorizationQueryParametersError",
                    "X-Amz-Expires must be less than a week (in seconds) that is 604800");
        }
        if (!params.get("X-Amz-Signature").equals(signature(request.method(), request.path(), params))) {
            return s3Error(request, 403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        }
        if (virtualNow.getAsLong() > signedAt + expires * 1000) {
            return s3Error(request, 403, "AccessDenied", "Request has expired");
        }
        String key = URLDecoder.decode(request.path().substring(BUCKET_PATH.length()), StandardCharsets.UTF_8);
        byte[] body = request.body();
        long declared = request.header(DECLARED_LENGTH_HEADER).map(Long::parseLong).orElse((long) body.length);
        String sha = Payloads.sha256(body);
        String version = String.format(java.util.Locale.ROOT, "v%08d", ++versions);
        inventory.store(key, declared, sha, key);
        return CloudResponse.of(200).withHeader("ETag", "\"" + sha + "\"").withHeader("x-amz-version-id", version);
    }

    private String signature(String method, String path, SortedMap<String, String> params) {
        TreeMap<String, String> signed = new TreeMap<>(params);
        signed.remove("X-Amz-Signature");
        String canonical = method + "\n" + path + "\n" + canonicalQuery(signed, false) + "\nhost:127.0.0.1";
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** {@code name=value&…} sorted by name, values percent-encoded (RFC 3986, as SigV4 does). */
    private static String canonicalQuery(SortedMap<String, String> params, boolean encode) {
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, String> param : params.entrySet()) {
            if (query.length() > 0) {
                query.append('&');
            }
            query.append(param.getKey()).append('=').append(encode ? rfc3986(param.getValue()) : param.getValue());
        }
        return query.toString();
    }

    private static String rfc3986(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~");
    }

    /** A key as a URL path: each {@code /}-separated segment percent-encoded. */
    static String encodeKey(String key) {
        StringBuilder out = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(rfc3986(segment));
        }
        return out.toString();
    }

    private static TreeMap<String, String> query(String raw) {
        TreeMap<String, String> params = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    /** S3's error shape for a fault the engine injected: 503 {@code SlowDown}, 500 {@code InternalError}. */
    @Override
    public CloudResponse injectedError(int status) {
        String code = switch (status) {
            case 503 -> "SlowDown";
            case 500 -> "InternalError";
            case 403 -> "AccessDenied";
            default -> "ServiceUnavailable";
        };
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>injected "
                + status + "</Message><RequestId>upcert</RequestId></Error>";
        return CloudResponse.of(status).withHeader("Content-Type", "application/xml").withBody(xml);
    }

    private CloudResponse s3Error(CloudRequest request, int status, String code, String message) {
        inventory.refuse(request.method(), request.path(), status, code + ": " + message);
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><Key>" + request.path() + "</Key><RequestId>upcert</RequestId></Error>";
        return CloudResponse.of(status).withHeader("Content-Type", "application/xml").withBody(xml);
    }

    private CloudResponse json(CloudRequest request, int status, String error) {
        inventory.refuse(request.method(), request.path(), status, error);
        return CloudResponse.json(status, "{\"error\":\"" + error + "\"}");
    }
}
