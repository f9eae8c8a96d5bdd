package org.upcert.harness.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.library.Payloads;

/** The Google Photos cloud over real loopback HTTP: upload tokens, batchCreate commits, per-item errors, refusals. */
class GooglePhotosCloudTest {
    private final AtomicLong virtualNow = new AtomicLong();
    private final HttpClient http = HttpClient.newHttpClient();
    private CloudStub stub;

    @BeforeEach
    void start() {
        stub = new CloudStub(new GooglePhotosDialect(7, virtualNow::get, 3_600_000).bodyInHeaders(true));
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private HttpResponse<String> post(String path, String authorization, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(stub.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String bearer() throws Exception {
        HttpResponse<String> response = post("oauth2/token", null,
                "grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode());
        String body = response.body();
        int start = body.indexOf("\"access_token\":\"") + 16;
        return "Bearer " + body.substring(start, body.indexOf('"', start));
    }

    private HttpResponse<String> upload(String bearer, byte[] bytes) throws Exception {
        return post("v1/uploads", bearer, bytes, "Content-Type", "application/octet-stream",
                "X-Goog-Upload-Content-Type", "image/heic", "X-Goog-Upload-Protocol", "raw");
    }

    private static String item(String token, String fileName) {
        return "{\"simpleMediaItem\":{\"uploadToken\":\"" + token + "\",\"fileName\":\"" + fileName + "\"}}";
    }

    private HttpResponse<String> batchCreate(String bearer, String... items) throws Exception {
        return post("v1/mediaItems:batchCreate", bearer,
                ("{\"newMediaItems\":[" + String.join(",", items) + "]}").getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json");
    }

    private List<String> reasons() {
        return stub.inventory().refusals().stream().map(r -> r.status() + " " + r.reason()).toList();
    }

    @Test
    @DisplayName("binds to 127.0.0.1 only")
    void loopbackOnly() {
        assertEquals("127.0.0.1", stub.uploadUrlBase().getHost());
    }

    @Test
    @DisplayName("an upload answers its token in the body and in X-Goog-Upload-Token; nothing is stored until batchCreate")
    void uploadThenCommit() throws Exception {
        String bearer = bearer();
        byte[] bytes = "photo".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> uploaded = upload(bearer, bytes);
        assertEquals(200, uploaded.statusCode(), uploaded.body());
        String token = uploaded.body();
        assertEquals(token, uploaded.headers().firstValue("x-goog-upload-token").orElseThrow());
        assertTrue(stub.inventory().objects().isEmpty(), "uncommitted: not in the library");
        assertEquals(Map.of(token, 0), stub.inventory().commitsByUpload());

        HttpResponse<String> created = batchCreate(bearer, item(token, "IMG_1.HEIC"));
        assertEquals(200, created.statusCode(), created.body());
        assertTrue(created.body().contains("\"uploadToken\":\"" + token + "\""), created.body());
        assertTrue(created.body().contains("\"status\":{\"message\":\"Success\"}"), created.body());
        assertTrue(created.body().contains("\"filename\":\"IMG_1.HEIC\""), created.body());
        var objects = stub.inventory().objects();
        assertEquals(1, objects.size());
        assertTrue(created.body().contains("\"id\":\"" + objects.get(0).key() + "\""), created.body());
        assertEquals(Payloads.sha256(bytes), objects.get(0).sha256());
        assertEquals(Map.of(token, 1), stub.inventory().commitsByUpload());
        assertTrue(stub.inventory().refusals().isEmpty());
    }

    @Test
    @DisplayName("the declared-length header sets the stored size of the committed item")
    void declaredLength() throws Exception {
        String bearer = bearer();
        HttpResponse<String> uploaded = post("v1/uploads", bearer, new byte[10], "X-Goog-Upload-Protocol", "raw",
                CloudDialect.DECLARED_LENGTH_HEADER, "123456789");
        assertEquals(200, batchCreate(bearer, item(uploaded.body(), "v.MOV")).statusCode());
        assertEquals(123_456_789L, stub.inventory().objects().get(0).declaredSize());
    }

    @Test
    @DisplayName("unknown, expired and already-committed tokens get a per-item error inside the 200 (partial success)")
    void perItemErrors() throws Exception {
        String bearer = bearer();
        String committed = upload(bearer, new byte[] {1}).body();
        assertEquals(200, batchCreate(bearer, item(committed, "a")).statusCode());
        String fresh = upload(bearer, new byte[] {2}).body();
        HttpResponse<String> mixed = batchCreate(bearer, item("forged", "x"), item(committed, "a"), item(fresh, "b"));
        assertEquals(200, mixed.statusCode());
        String body = mixed.body();
        assertTrue(body.contains("{\"uploadToken\":\"forged\",\"status\":{\"code\":3,\"message\":\"Failed: unknown upload token\"}}"), body);
        assertTrue(body.contains("{\"uploadToken\":\"" + committed + "\",\"status\":{\"code\":6,\"message\":\"Failed: already committed\"}}"), body);
        assertTrue(body.contains("{\"uploadToken\":\"" + fresh + "\",\"status\":{\"message\":\"Success\"}"), body);

        String stale = upload(bearer(), new byte[] {3}).body();
        virtualNow.set(GooglePhotosDialect.UPLOAD_TOKEN_LIFETIME_MS);
        HttpResponse<String> late = batchCreate(bearer(), item(stale, "c"));
        assertTrue(late.body().contains("Failed: upload token expired"), late.body());

        assertEquals(2, stub.inventory().objectCount());
        assertEquals(Map.of(committed, 1, fresh, 1, stale, 0), stub.inventory().commitsByUpload());
        assertEquals(List.of("200 unknown upload token: forged", "200 already committed: " + committed,
                "200 upload token expired: " + stale), reasons());
    }

    @Test
    @DisplayName("batchCreate with no items, more than 50, or an unreadable body: 400 INVALID_ARGUMENT, nothing committed")
    void badBatches() throws Exception {
        String bearer = bearer();
        String token = upload(bearer, new byte[] {1}).body();
        String[] items = new String[51];
        java.util.Arrays.fill(items, item(token, "a"));
        HttpResponse<String> tooMany = batchCreate(bearer, items);
        assertEquals(400, tooMany.statusCode());
        assertTrue(tooMany.body().contains("INVALID_ARGUMENT"), tooMany.body());
        assertEquals(400, batchCreate(bearer).statusCode());
        assertEquals(400, post("v1/mediaItems:batchCreate", bearer, "{".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(200, batchCreate(bearer, java.util.Arrays.copyOf(items, 50)).statusCode(), "50 is allowed");
        assertEquals(Map.of(token, 1), stub.inventory().commitsByUpload(), "once, the other 49 refused as already committed");
        assertEquals(List.of("400 more than 50 newMediaItems (51)", "400 newMediaItems missing or empty",
                "400 unreadable request body"), reasons().subList(0, 3));
        assertEquals(49, reasons().stream().filter(r -> r.startsWith("200 already committed")).count());
    }

    @Test
    @DisplayName("uploads without X-Goog-Upload-Protocol: raw, or without bytes, are 400")
    void badUploads() throws Exception {
        String bearer = bearer();
        assertEquals(400, post("v1/uploads", bearer, new byte[1]).statusCode());
        assertEquals(400, post("v1/uploads", bearer, new byte[1], "X-Goog-Upload-Protocol", "resumable").statusCode());
        assertEquals(400, upload(bearer, new byte[0]).statusCode());
        assertEquals(List.of("400 X-Goog-Upload-Protocol missing", "400 X-Goog-Upload-Protocol 'resumable' not supported by the stub",
                "400 no bytes uploaded"), reasons());
        assertTrue(stub.inventory().commitsByUpload().isEmpty());
    }

    @Test
    @DisplayName("missing, unknown and expired bearer tokens get 401 on uploads and batchCreate")
    void authFailures() throws Exception {
        String bearer = bearer();
        assertEquals(401, upload(null, new byte[1]).statusCode());
        assertEquals(401, upload("Bearer forged", new byte[1]).statusCode());
        String token = upload(bearer, new byte[1]).body();
        virtualNow.set(3_600_000);
        HttpResponse<String> expired = batchCreate(bearer, item(token, "a"));
        assertEquals(401, expired.statusCode());
        assertTrue(expired.headers().firstValue("www-authenticate").orElseThrow().contains("invalid_token"));
        assertEquals(401, post("oauth2/token", null,
                "grant_type=client_credentials&client_id=upcert-sample&client_secret=wrong".getBytes(StandardCharsets.UTF_8))
                .statusCode());
        assertEquals(List.of("401 missing bearer token", "401 unknown token", "401 token expired",
                "401 invalid client credentials"), reasons());
        assertEquals(Map.of(token, 0), stub.inventory().commitsByUpload());
    }

    @Test
    @DisplayName("unknown paths answer 404; tokens and ids are derived from the seed")
    void unknownPathAndDeterminism() throws Exception {
        assertEquals(404, post("v1/albums", null, new byte[0]).statusCode());
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(stub.origin() + "/nowhere")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        String bearer = bearer();
        String token = upload(bearer, new byte[] {1}).body();
        stub.close();
        stub = new CloudStub(new GooglePhotosDialect(7, virtualNow::get, 3_600_000).bodyInHeaders(true));
        String again = bearer();
        assertEquals(bearer, again);
        assertEquals(token, upload(again, new byte[] {1}).body());
    }

    @Test
    @DisplayName("strict headers: the upload token only in the body; protocol shape only: the accepted upload is stored, nothing to commit")
    void strictHeadersShapeOnly() throws Exception {
        stub.close();
        stub = new CloudStub(new GooglePhotosDialect(7, virtualNow::get, 3_600_000));
        byte[] bytes = "photo".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> uploaded = upload(bearer(), bytes);
        assertEquals(200, uploaded.statusCode(), uploaded.body());
        assertTrue(uploaded.headers().firstValue("x-goog-upload-token").isEmpty(), uploaded.headers().map().toString());
        var objects = stub.inventory().objects();
        assertEquals(1, objects.size());
        assertEquals(uploaded.body(), objects.get(0).key());
        assertEquals(Payloads.sha256(bytes), objects.get(0).sha256());
        assertTrue(stub.inventory().commitsByUpload().isEmpty(), "no two-phase upload to judge");
        assertTrue(CloudDialects.protocolShapeOnly(GooglePhotosDialect.NAME, false).isPresent());
        assertTrue(CloudDialects.protocolShapeOnly(GooglePhotosDialect.NAME, true).isEmpty());
        assertTrue(CloudDialects.protocolShapeOnly(OneDriveDialect.NAME, false).isEmpty());
        assertTrue(CloudDialects.protocolShapeOnly(DropboxDialect.NAME, false).isEmpty());
    }
}
