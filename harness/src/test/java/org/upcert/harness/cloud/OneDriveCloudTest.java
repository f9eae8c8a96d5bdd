package org.upcert.harness.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.library.Payloads;

/** The OneDrive (Graph upload session) cloud over real loopback HTTP. */
class OneDriveCloudTest {
    private static final long SESSION_MS = 15 * 60_000;
    private final AtomicLong virtualNow = new AtomicLong(1_000_000);
    private final HttpClient http = HttpClient.newHttpClient();
    private CloudStub stub;

    @BeforeEach
    void start() {
        stub = newStub();
    }

    private CloudStub newStub() {
        return newStub(true);
    }

    /** {@code lenient}: the committed item also in Location/ETag (--assume body-in-headers); else strict. */
    private CloudStub newStub(boolean lenient) {
        CloudStub created = new CloudStub(new OneDriveDialect(7, virtualNow::get, 3_600_000, SESSION_MS,
                OneDriveDialect.MAX_FRAGMENT_BYTES).bodyInHeaders(lenient));
        created.extensionConfiguration();
        return created;
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(stub.resolve("oauth2/v2.0/token"))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret")));
        assertEquals(200, response.statusCode());
        return field(response.body(), "access_token");
    }

    private static String field(String json, String name) {
        int start = json.indexOf("\"" + name + "\":\"") + name.length() + 4;
        return json.substring(start, json.indexOf('"', start));
    }

    private HttpResponse<String> createSession(String token, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(stub.resolve("me/drive/items/root:/" + path + ":/createUploadSession"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private String sessionUrl(String token, String path, String behavior) throws Exception {
        HttpResponse<String> response = createSession(token, path,
                "{\"item\":{\"@microsoft.graph.conflictBehavior\":\"" + behavior + "\"}}");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"nextExpectedRanges\":[\"0-\"]"), response.body());
        assertTrue(response.body().contains("\"expirationDateTime\":\""), response.body());
        return field(response.body(), "uploadUrl");
    }

    /** The system's upload: a compact body standing for {@code declared} bytes. */
    private HttpResponse<String> put(String url, byte[] body, long declared) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Range", "bytes 0-" + (declared - 1) + "/" + declared)
                .header(CloudDialect.DECLARED_LENGTH_HEADER, Long.toString(declared))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private List<String> reasons() {
        return stub.inventory().refusals().stream().map(CloudInventory.Refusal::reason).toList();
    }

    @Test
    @DisplayName("session URL under the loopback upload base; one whole-file PUT commits: 201 + Location, inventory has it")
    void happyPath() throws Exception {
        String url = sessionUrl(token(), "Photos/a/IMG_1.HEIC", "fail");
        assertTrue(url.startsWith(stub.uploadUrlBase().toString()) && url.startsWith("http://127.0.0.1:"), url);
        byte[] body = "compact".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> done = put(url, body, 2_400_000);
        assertEquals(201, done.statusCode(), done.body());
        String location = done.headers().firstValue("location").orElseThrow();
        var object = stub.inventory().object("Photos/a/IMG_1.HEIC").orElseThrow();
        assertTrue(location.endsWith("/me/drive/items/" + object.objectId()), location);
        assertTrue(done.body().contains("\"size\":2400000"), done.body());
        assertEquals(2_400_000, object.declaredSize());
        assertEquals(Payloads.sha256(body), object.sha256());
        assertTrue(stub.inventory().refusals().isEmpty());
        HttpResponse<String> status = send(HttpRequest.newBuilder(URI.create(url)).GET());
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"nextExpectedRanges\":[]"), status.body());
    }

    @Test
    @DisplayName("fragments: 202 with nextExpectedRanges, then 201; a fragment out of order is 416")
    void fragments() throws Exception {
        String url = sessionUrl(token(), "v.MOV", "fail");
        HttpResponse<String> first = send(HttpRequest.newBuilder(URI.create(url)).header("Content-Range", "bytes 0-3/10")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[4])));
        assertEquals(202, first.statusCode());
        assertTrue(first.body().contains("\"nextExpectedRanges\":[\"4-\"]"), first.body());
        HttpResponse<String> skip = send(HttpRequest.newBuilder(URI.create(url)).header("Content-Range", "bytes 8-9/10")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[2])));
        assertEquals(416, skip.statusCode());
        HttpResponse<String> last = send(HttpRequest.newBuilder(URI.create(url)).header("Content-Range", "bytes 4-9/10")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[6])));
        assertEquals(201, last.statusCode());
        assertEquals(Payloads.sha256(new byte[10]), stub.inventory().object("v.MOV").orElseThrow().sha256());
    }

    @Test
    @DisplayName("a repeated PUT after the commit is 416 invalidRange; nothing is written twice")
    void repeatAfterSuccess() throws Exception {
        String url = sessionUrl(token(), "a.HEIC", "replace");
        assertEquals(201, put(url, new byte[3], 300_000).statusCode());
        HttpResponse<String> again = put(url, new byte[3], 300_000);
        assertEquals(416, again.statusCode());
        assertTrue(again.body().contains("\"code\":\"invalidRange\""), again.body());
        assertEquals(1, stub.inventory().writes().size());
        assertTrue(reasons().get(0).startsWith("invalidRange: fragment already received"), reasons().toString());
    }

    @Test
    @DisplayName("an expired or unknown session is 404 itemNotFound; each fragment extends the expiry")
    void expiredSession() throws Exception {
        String token = token();
        String url = sessionUrl(token, "a.HEIC", "fail");
        virtualNow.addAndGet(SESSION_MS);
        HttpResponse<String> late = put(url, new byte[3], 300_000);
        assertEquals(404, late.statusCode());
        assertTrue(late.body().contains("\"code\":\"itemNotFound\""), late.body());
        assertEquals(404, put(stub.uploadUrlBase() + "up/nosuchsession", new byte[3], 300_000).statusCode());
        String other = sessionUrl(token, "b.HEIC", "fail");
        virtualNow.addAndGet(SESSION_MS - 1);
        assertEquals(202, send(HttpRequest.newBuilder(URI.create(other)).header("Content-Range", "bytes 0-0/2")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1]))).statusCode());
        virtualNow.addAndGet(SESSION_MS - 1);
        assertEquals(201, send(HttpRequest.newBuilder(URI.create(other)).header("Content-Range", "bytes 1-1/2")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1]))).statusCode());
        assertEquals(List.of("b.HEIC"), stub.inventory().objects().stream().map(CloudInventory.StoredObject::key).toList());
        assertEquals(List.of("itemNotFound: upload session expired", "itemNotFound: unknown upload session"), reasons());
    }

    @Test
    @DisplayName("name clash with conflictBehavior fail is 409 nameAlreadyExists; replace overwrites (200); rename keeps both")
    void conflicts() throws Exception {
        String token = token();
        assertEquals(201, put(sessionUrl(token, "dir/a.HEIC", "fail"), new byte[] {1}, 100).statusCode());
        HttpResponse<String> clash = put(sessionUrl(token, "dir/a.HEIC", "fail"), new byte[] {2}, 100);
        assertEquals(409, clash.statusCode());
        assertTrue(clash.body().contains("\"code\":\"nameAlreadyExists\""), clash.body());
        assertEquals(Payloads.sha256(new byte[] {1}), stub.inventory().object("dir/a.HEIC").orElseThrow().sha256());
        assertEquals(200, put(sessionUrl(token, "dir/a.HEIC", "replace"), new byte[] {3}, 100).statusCode());
        assertEquals(Payloads.sha256(new byte[] {3}), stub.inventory().object("dir/a.HEIC").orElseThrow().sha256());
        assertEquals(201, put(sessionUrl(token, "dir/a.HEIC", "rename"), new byte[] {4}, 100).statusCode());
        assertEquals(Payloads.sha256(new byte[] {4}), stub.inventory().object("dir/a 1.HEIC").orElseThrow().sha256());
        assertEquals(List.of("nameAlreadyExists: name already exists: dir/a.HEIC"), reasons());
    }

    @Test
    @DisplayName("createUploadSession needs a valid, unexpired bearer token (401 InvalidAuthenticationToken)")
    void tokens() throws Exception {
        String token = token();
        assertEquals(401, createSession("forged", "a.HEIC", "").statusCode());
        virtualNow.addAndGet(3_600_000);
        HttpResponse<String> expired = createSession(token, "a.HEIC", "");
        assertEquals(401, expired.statusCode());
        assertTrue(expired.body().contains("\"code\":\"InvalidAuthenticationToken\""), expired.body());
        assertEquals(List.of("InvalidAuthenticationToken: unknown token", "InvalidAuthenticationToken: token expired"), reasons());
        HttpResponse<String> bad = send(HttpRequest.newBuilder(stub.resolve("oauth2/v2.0/token"))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=upcert-sample&client_secret=no")));
        assertEquals(401, bad.statusCode());
    }

    @Test
    @DisplayName("the upload PUT refuses an Authorization header (401), a bad Content-Range (400) and 60 MiB fragments (413)")
    void uploadRefusals() throws Exception {
        String token = token();
        String url = sessionUrl(token, "a.MOV", "fail");
        assertEquals(401, send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Range", "bytes 0-2/3").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[3]))).statusCode());
        assertEquals(400, send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[3]))).statusCode());
        assertEquals(400, send(HttpRequest.newBuilder(URI.create(url)).header("Content-Range", "bytes 0-9/10")
                .header(CloudDialect.DECLARED_LENGTH_HEADER, "11").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[3]))).statusCode());
        HttpResponse<String> large = put(url, new byte[3], OneDriveDialect.MAX_FRAGMENT_BYTES);
        assertEquals(413, large.statusCode());
        assertTrue(large.body().contains("requestTooLarge"), large.body());
        assertEquals(201, put(url, new byte[3], OneDriveDialect.MAX_FRAGMENT_BYTES - 1).statusCode());
        List<String> reasons = reasons();
        assertEquals(4, reasons.size());
        assertTrue(reasons.get(0).startsWith("unauthenticated: Authorization header"), reasons.get(0));
        assertTrue(reasons.get(1).startsWith("invalidRequest: missing or malformed Content-Range"), reasons.get(1));
        assertTrue(reasons.get(2).startsWith("invalidRange: Content-Range"), reasons.get(2));
        assertTrue(reasons.get(3).startsWith("requestTooLarge"), reasons.get(3));
    }

    @Test
    @DisplayName("fileSize declared at creation must match the Content-Range total")
    void fileSizeChecked() throws Exception {
        String token = token();
        HttpResponse<String> created = createSession(token, "a.HEIC", "{\"item\":{\"fileSize\":100}}");
        String url = field(created.body(), "uploadUrl");
        assertEquals(400, put(url, new byte[1], 99).statusCode());
        assertEquals(201, put(url, new byte[1], 100).statusCode());
    }

    @Test
    @DisplayName("GET reports the session, DELETE cancels it (204), then it is 404")
    void statusAndCancel() throws Exception {
        String url = sessionUrl(token(), "a.HEIC", "fail");
        HttpResponse<String> status = send(HttpRequest.newBuilder(URI.create(url)).GET());
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"nextExpectedRanges\":[\"0-\"]"), status.body());
        assertEquals(204, send(HttpRequest.newBuilder(URI.create(url)).DELETE()).statusCode());
        assertEquals(404, put(url, new byte[1], 1).statusCode());
    }

    @Test
    @DisplayName("injected 429/503 get Graph's error shape and Retry-After")
    void injectedThrottling() throws Exception {
        HttpResponse<String> throttled = send(HttpRequest.newBuilder(stub.resolve("up/x"))
                .header("x-upcert-inject", "status=429;retry-after=30").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1])));
        assertEquals(429, throttled.statusCode());
        assertEquals("30", throttled.headers().firstValue("retry-after").orElseThrow());
        assertTrue(throttled.body().contains("\"code\":\"activityLimitReached\""), throttled.body());
        HttpResponse<String> unavailable = send(HttpRequest.newBuilder(stub.resolve("up/x"))
                .header("x-upcert-inject", "status=503;retry-after=5").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1])));
        assertTrue(unavailable.body().contains("\"code\":\"serviceNotAvailable\""), unavailable.body());
        assertEquals(List.of("injected: HTTP 429", "injected: HTTP 503"), reasons());
        HttpResponse<String> unnamed = send(HttpRequest.newBuilder(stub.resolve("up/x"))
                .header("x-upcert-inject", "status=429").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1])));
        assertEquals(String.valueOf(OneDriveDialect.THROTTLE_RETRY_AFTER_SECONDS), unnamed.headers().firstValue("retry-after").orElseThrow(),
                "Graph's 429 always carries Retry-After");
        HttpResponse<String> plain503 = send(HttpRequest.newBuilder(stub.resolve("up/x"))
                .header("x-upcert-inject", "status=503").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1])));
        assertTrue(plain503.headers().firstValue("retry-after").isEmpty(), "a 503 may or may not: the profile says");
    }

    @Test
    @DisplayName("tokens, session URLs and item ids derive from the seed")
    void deterministic() throws Exception {
        String token = token();
        String url = sessionUrl(token, "a.HEIC", "fail");
        String location = put(url, new byte[1], 1).headers().firstValue("location").orElseThrow();
        String base = stub.uploadUrlBase().toString();
        stub.close();
        stub = newStub();
        String newBase = stub.uploadUrlBase().toString();
        assertEquals(token, token());
        String again = sessionUrl(token, "a.HEIC", "fail");
        assertEquals(url.substring(base.length()), again.substring(newBase.length()));
        assertEquals(location.substring(base.length()),
                put(again, new byte[1], 1).headers().firstValue("location").orElseThrow().substring(newBase.length()));
    }

    @Test
    @DisplayName("strict headers: the committing PUT names the item in its body only; GET me/drive/root:/<path> gives it, 404 for none")
    void strictHeadersItemByPath() throws Exception {
        stub.close();
        stub = newStub(false);
        String token = token();
        HttpResponse<String> done = put(sessionUrl(token, "Photos/a/IMG%201.HEIC", "fail"), new byte[] {1, 2}, 2_400_000);
        assertEquals(201, done.statusCode(), done.body());
        assertTrue(done.headers().firstValue("location").isEmpty(), done.headers().map().toString());
        assertTrue(done.headers().firstValue("etag").isEmpty(), done.headers().map().toString());
        var object = stub.inventory().object("Photos/a/IMG 1.HEIC").orElseThrow();
        assertTrue(done.body().contains("\"id\":\"" + object.objectId() + "\""), done.body());

        HttpResponse<String> item = send(HttpRequest.newBuilder(stub.resolve("me/drive/root:/Photos/a/IMG%201.HEIC"))
                .header("Authorization", "Bearer " + token).GET());
        assertEquals(200, item.statusCode(), item.body());
        assertEquals(object.objectId(), field(item.body(), "id"));
        assertTrue(item.body().contains("\"size\":2400000"), item.body());
        HttpResponse<String> colon = send(HttpRequest.newBuilder(stub.resolve("me/drive/root:/Photos/a/IMG%201.HEIC:"))
                .header("Authorization", "Bearer " + token).GET());
        assertEquals(200, colon.statusCode(), colon.body());

        HttpResponse<String> missing = send(HttpRequest.newBuilder(stub.resolve("me/drive/root:/Photos/none.HEIC"))
                .header("Authorization", "Bearer " + token).GET());
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("itemNotFound"), missing.body());
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(stub.resolve("me/drive/root:/Photos/a/IMG%201.HEIC"))
                .GET());
        assertEquals(401, anonymous.statusCode());
    }

    @Test
    @DisplayName("expirationDateTime is on the run's calendar (epoch 2026-01-05T08:00:00Z + virtual time), as the session status says")
    void expirationDateTimeIsTheVirtualInstant() throws Exception {
        String url = sessionUrl(token(), "Photos/a/IMG_9.HEIC", "fail");
        java.time.Instant expected = org.upcert.harness.sim.VirtualClock.instantAt(virtualNow.get() + SESSION_MS);
        HttpResponse<String> created = createSession(token(), "Photos/a/IMG_10.HEIC", "{}");
        assertEquals(expected.toString(), field(created.body(), "expirationDateTime"), created.body());
        HttpResponse<String> status = send(HttpRequest.newBuilder(URI.create(url)).GET());
        assertEquals(200, status.statusCode(), status.body());
        assertEquals(expected.toString(), field(status.body(), "expirationDateTime"), status.body());
    }
}
