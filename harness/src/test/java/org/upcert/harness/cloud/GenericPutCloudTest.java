package org.upcert.harness.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.library.Payloads;

/** The generic-PUT cloud over real loopback HTTP: tokens on the virtual clock, storage, refusals. */
class GenericPutCloudTest {
    private final AtomicLong virtualNow = new AtomicLong();
    private final HttpClient http = HttpClient.newHttpClient();
    private CloudStub stub;

    @BeforeEach
    void start() {
        stub = new CloudStub(new GenericPutDialect(7, virtualNow::get, 3_600_000));
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private HttpResponse<String> send(String method, String path, String authorization, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(stub.resolve(path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token() throws Exception {
        HttpResponse<String> response = send("POST", "auth/token", null,
                "grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, response.statusCode());
        String body = response.body();
        assertTrue(body.contains("\"token_type\":\"Bearer\"") && body.contains("\"expires_in\":3600"), body);
        int start = body.indexOf("\"access_token\":\"") + 16;
        return body.substring(start, body.indexOf('"', start));
    }

    @Test
    @DisplayName("binds to 127.0.0.1 only")
    void loopbackOnly() {
        assertEquals("127.0.0.1", stub.uploadUrlBase().getHost());
        assertTrue(stub.origin().startsWith("http://127.0.0.1:"));
    }

    @Test
    @DisplayName("PUT with a valid token stores the object: 201 new, 204 overwrite, duplicates counted")
    void putStoresAndCountsDuplicates() throws Exception {
        String token = "Bearer " + token();
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> first = send("PUT", "files/a/IMG_1.HEIC", token, body);
        assertEquals(201, first.statusCode());
        assertEquals("\"" + Payloads.sha256(body) + "\"", first.headers().firstValue("etag").orElseThrow());
        HttpResponse<String> again = send("PUT", "files/a/IMG_1.HEIC", token, body);
        assertEquals(204, again.statusCode());
        assertEquals(first.headers().firstValue("x-object-id"), again.headers().firstValue("x-object-id"));
        var objects = stub.inventory().objects();
        assertEquals(1, objects.size());
        assertEquals("a/IMG_1.HEIC", objects.get(0).key());
        assertEquals(2, objects.get(0).writes());
        assertEquals(Payloads.sha256(body), objects.get(0).sha256());
        assertEquals(2, stub.inventory().writes().size());
        assertTrue(stub.inventory().writes().get(1).overwrite());
    }

    @Test
    @DisplayName("the declared-length header sets the stored size of a compact body")
    void declaredLength() throws Exception {
        String token = "Bearer " + token();
        HttpRequest request = HttpRequest.newBuilder(stub.resolve("files/v.MOV"))
                .header("Authorization", token).header(CloudDialect.DECLARED_LENGTH_HEADER, "123456789")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[10])).build();
        assertEquals(201, http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(123_456_789L, stub.inventory().objects().get(0).declaredSize());
    }

    @Test
    @DisplayName("missing, unknown and expired tokens get 401 with a Bearer challenge, and nothing is stored")
    void authFailures() throws Exception {
        String token = "Bearer " + token();
        HttpResponse<String> missing = send("PUT", "files/x", null, new byte[1]);
        assertEquals(401, missing.statusCode());
        assertTrue(missing.headers().firstValue("www-authenticate").orElseThrow().startsWith("Bearer"));
        assertEquals(401, send("PUT", "files/x", "Bearer forged", new byte[1]).statusCode());
        virtualNow.set(3_600_000);
        HttpResponse<String> expired = send("PUT", "files/x", token, new byte[1]);
        assertEquals(401, expired.statusCode());
        assertTrue(expired.headers().firstValue("www-authenticate").orElseThrow().contains("invalid_token"));
        assertTrue(stub.inventory().objects().isEmpty());
        var reasons = stub.inventory().refusals().stream().map(CloudInventory.Refusal::reason).toList();
        assertEquals(java.util.List.of("missing bearer token", "unknown token", "token expired"), reasons);
    }

    @Test
    @DisplayName("wrong client credentials are refused")
    void badCredentials() throws Exception {
        HttpResponse<String> response = send("POST", "auth/token", null,
                "grant_type=client_credentials&client_id=upcert-sample&client_secret=wrong".getBytes(StandardCharsets.UTF_8));
        assertEquals(401, response.statusCode());
        assertTrue(response.body().contains("invalid_client"));
    }

    @Test
    @DisplayName("tokens are derived from the seed: the same on every run")
    void deterministicTokens() throws Exception {
        String first = token();
        stub.close();
        stub = new CloudStub(new GenericPutDialect(7, virtualNow::get, 3_600_000));
        assertEquals(first, token());
    }

    @Test
    @DisplayName("unknown paths answer 404 and are recorded as refused")
    void unknownPath() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stub.origin() + "/nowhere")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, response.statusCode());
        HttpResponse<String> underBase = send("GET", "nope", null, new byte[0]);
        assertEquals(404, underBase.statusCode());
        assertFalse(stub.inventory().refusals().isEmpty());
    }

    @Test
    @DisplayName("OPTIONS preflight: 501 (no resumable uploads) by default; 200 with Upload-Limit in the resumable mode; nothing recorded")
    void resumableUploadPreflight() throws Exception {
        HttpResponse<String> plain = send("OPTIONS", "files/a.HEIC", null, new byte[0]);
        assertEquals(501, plain.statusCode());
        assertEquals(GenericPutDialect.NAME, stub.dialect().name());
        stub.close();
        stub = new CloudStub(new GenericPutDialect(7, virtualNow::get, 3_600_000).resumable(true));
        HttpResponse<String> resumable = send("OPTIONS", "files/a.HEIC", null, new byte[0]);
        assertEquals(200, resumable.statusCode());
        assertEquals("max-size=" + GenericPutDialect.MAX_RESUMABLE_BYTES, resumable.headers().firstValue("upload-limit").orElseThrow());
        assertEquals(GenericPutDialect.RESUMABLE_NAME, stub.dialect().name());
        assertEquals("generic-put", stub.extensionConfiguration().get("cloud.dialect"),
                "the extension speaks the same protocol");
        assertTrue(stub.inventory().refusals().isEmpty());
        assertTrue(CloudDialects.names().contains(GenericPutDialect.RESUMABLE_NAME));
    }

    @Test
    @DisplayName("two hosts: files on the upload host (BackgroundUploadURLBase), sign-in on the service host; each 404s the other's paths")
    void twoHosts() throws Exception {
        assertFalse(stub.origin().equals(stub.serviceOrigin()), stub.origin());
        assertEquals("127.0.0.1", URI.create(stub.serviceOrigin()).getHost());
        String form = "grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret";
        HttpResponse<String> signInOnUploadHost = http.send(HttpRequest.newBuilder(stub.uploadUrlBase().resolve("auth/token"))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, signInOnUploadHost.statusCode());
        assertEquals(CloudStub.NO_SUCH_ENDPOINT, signInOnUploadHost.body());
        String bearer = token();
        HttpResponse<String> fileOnServiceHost = http.send(HttpRequest.newBuilder(stub.serviceBase().resolve("files/a.HEIC"))
                .header("Authorization", "Bearer " + bearer).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, fileOnServiceHost.statusCode());
        assertTrue(stub.inventory().objects().isEmpty());
        assertEquals(stub.serviceBase().resolve("auth/token").toString(), stub.extensionConfiguration().get("cloud.tokenUrl"));
        assertEquals(stub.uploadUrlBase().resolve("files/a.HEIC"), stub.resolve("files/a.HEIC"));
        assertEquals(stub.serviceBase().resolve("auth/token"), stub.resolve("auth/token"));
    }

    @Test
    @DisplayName("a request the dialect cannot parse is answered 400, never an exception of upcert's")
    void unparsableRequestIs400() throws Exception {
        // round six: a declared length that is no number threw NumberFormatException out of the stub (a harness fault)
        java.util.TreeMap<String, String> headers = new java.util.TreeMap<>();
        headers.put("authorization", "Bearer " + token());
        headers.put(CloudDialect.DECLARED_LENGTH_HEADER, "99999999999999999999");
        CloudResponse answer = CloudStub.answer(stub.dialect(), new CloudRequest("PUT", "/dav/files/x", "", headers, new byte[1]), true);
        assertEquals(400, answer.status());
        assertTrue(stub.inventory().objects().isEmpty(), "nothing stored");
    }
}
