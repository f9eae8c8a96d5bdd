package org.upcert.harness.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.library.Payloads;

/** The S3 presigned cloud over real loopback HTTP: presigning, signature and expiry checks, overwrites, refusals. */
class S3PresignedCloudTest {
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            "upcert-sample:s3cret".getBytes(StandardCharsets.UTF_8));
    private final AtomicLong virtualNow = new AtomicLong();
    private final HttpClient http = HttpClient.newHttpClient();
    private CloudStub stub;
    private String presignUrl;

    @BeforeEach
    void start() {
        stub = new CloudStub(new S3PresignedDialect(7, virtualNow::get, 900));
        presignUrl = stub.extensionConfiguration().get("cloud.presignUrl");
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private HttpResponse<String> presign(String authorization, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(presignUrl))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String presignedUrl(String key) throws Exception {
        HttpResponse<String> response = presign(BASIC, "{\"key\":\"" + key + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body();
        assertTrue(body.contains("\"method\":\"PUT\"") && body.contains("\"expiresIn\":900"), body);
        int start = body.indexOf("\"url\":\"") + 7;
        return body.substring(start, body.indexOf('"', start));
    }

    private HttpResponse<String> put(String url, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<String> reasons() {
        return stub.inventory().refusals().stream().map(r -> r.status() + " " + r.reason()).toList();
    }

    @Test
    @DisplayName("binds to 127.0.0.1 only, and presigned URLs point there")
    void loopbackOnly() throws Exception {
        assertEquals("127.0.0.1", stub.uploadUrlBase().getHost());
        assertTrue(presignedUrl("photos/a.heic").startsWith(stub.origin() + "/s3/photos-bucket/photos/a.heic?"));
    }

    @Test
    @DisplayName("a presigned URL carries SigV4-style parameters dated on the virtual clock")
    void sigV4Parameters() throws Exception {
        virtualNow.set(90_061_000); // one day, one hour, one minute and one second after the epoch
        String url = presignedUrl("photos/a.heic");
        assertTrue(url.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"), url);
        assertTrue(url.contains("X-Amz-Date=20260106T090101Z"), url);
        assertTrue(url.contains("X-Amz-Expires=900"), url);
        assertTrue(url.contains("X-Amz-SignedHeaders=host"), url);
        assertTrue(url.matches(".*X-Amz-Credential=AKIA[0-9A-F]{16}%2F20260106%2Fus-east-1%2Fs3%2Faws4_request.*"), url);
        assertTrue(url.matches(".*X-Amz-Signature=[0-9a-f]{64}$"), url);
    }

    @Test
    @DisplayName("PUT to a presigned URL stores the object (200 + ETag); a second PUT overwrites the key")
    void putStoresAndOverwrites() throws Exception {
        byte[] first = "one".getBytes(StandardCharsets.UTF_8);
        byte[] second = "two".getBytes(StandardCharsets.UTF_8);
        String url = presignedUrl("photos/IMG 1.HEIC");
        HttpResponse<String> stored = put(url, first);
        assertEquals(200, stored.statusCode(), stored.body());
        assertEquals("\"" + Payloads.sha256(first) + "\"", stored.headers().firstValue("etag").orElseThrow());
        assertEquals(200, put(url, second).statusCode(), "reusable until it expires");
        var objects = stub.inventory().objects();
        assertEquals(1, objects.size());
        assertEquals("photos/IMG 1.HEIC", objects.get(0).key());
        assertEquals(2, objects.get(0).writes());
        assertEquals(Payloads.sha256(second), objects.get(0).sha256());
        assertTrue(stub.inventory().writes().get(1).overwrite());
        assertTrue(stub.inventory().refusals().isEmpty());
    }

    @Test
    @DisplayName("the declared-length header sets the stored size of a compact body")
    void declaredLength() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(presignedUrl("v.MOV")))
                .header(CloudDialect.DECLARED_LENGTH_HEADER, "123456789")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[10])).build();
        assertEquals(200, http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(123_456_789L, stub.inventory().objects().get(0).declaredSize());
    }

    @Test
    @DisplayName("past X-Amz-Date + X-Amz-Expires on the virtual clock: 403 AccessDenied, Request has expired")
    void expired() throws Exception {
        String url = presignedUrl("photos/late.heic");
        virtualNow.set(900_000);
        assertEquals(200, put(url, new byte[] {1}).statusCode(), "still valid at the last millisecond");
        virtualNow.set(900_001);
        HttpResponse<String> late = put(url, new byte[] {2});
        assertEquals(403, late.statusCode());
        assertTrue(late.body().contains("<Code>AccessDenied</Code>") && late.body().contains("Request has expired"), late.body());
        assertEquals(List.of("403 AccessDenied: Request has expired"), reasons());
        assertEquals(1, stub.inventory().objects().get(0).writes());
        String fresh = presignedUrl("photos/late.heic");
        assertEquals(200, put(fresh, new byte[] {3}).statusCode(), "a fresh URL works again");
    }

    @Test
    @DisplayName("a tampered URL (other key, longer expiry, bad signature) is 403 SignatureDoesNotMatch")
    void signatureMismatch() throws Exception {
        String url = presignedUrl("photos/a.heic");
        HttpResponse<String> otherKey = put(url.replace("photos/a.heic", "photos/b.heic"), new byte[1]);
        assertEquals(403, otherKey.statusCode());
        assertTrue(otherKey.body().contains("<Code>SignatureDoesNotMatch</Code>"), otherKey.body());
        assertEquals(403, put(url.replace("X-Amz-Expires=900", "X-Amz-Expires=9000"), new byte[1]).statusCode());
        assertEquals(403, put(url.replaceAll("X-Amz-Signature=[0-9a-f]+", "X-Amz-Signature=" + "0".repeat(64)), new byte[1])
                .statusCode());
        HttpResponse<String> otherMethod = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, otherMethod.statusCode());
        assertTrue(stub.inventory().objects().isEmpty());
        assertEquals(3, reasons().stream().filter(r -> r.startsWith("403 SignatureDoesNotMatch")).count(), reasons().toString());
    }

    @Test
    @DisplayName("missing or malformed query parameters are 400 AuthorizationQueryParametersError")
    void missingParameters() throws Exception {
        String url = presignedUrl("photos/a.heic");
        HttpResponse<String> unsigned = put(stub.origin() + "/s3/photos-bucket/photos/a.heic", new byte[1]);
        assertEquals(400, unsigned.statusCode());
        assertTrue(unsigned.body().contains("<Code>AuthorizationQueryParametersError</Code>"), unsigned.body());
        assertEquals(400, put(url.replaceAll("&X-Amz-Signature=[0-9a-f]+", ""), new byte[1]).statusCode());
        assertEquals(400, put(url.replace("AWS4-HMAC-SHA256", "AWS2"), new byte[1]).statusCode());
        assertEquals(400, put(url.replace("X-Amz-Expires=900", "X-Amz-Expires=604801"), new byte[1]).statusCode());
        assertTrue(stub.inventory().objects().isEmpty());
        assertEquals(4, reasons().stream().filter(r -> r.startsWith("400 AuthorizationQueryParametersError")).count());
    }

    @Test
    @DisplayName("the presign endpoint wants the client credentials, a key and a legal expiry")
    void presignRefusals() throws Exception {
        assertEquals(401, presign(null, "{\"key\":\"a\"}").statusCode());
        assertEquals(401, presign("Basic " + Base64.getEncoder().encodeToString("upcert-sample:wrong".getBytes()),
                "{\"key\":\"a\"}").statusCode());
        assertEquals(400, presign(BASIC, "{}").statusCode());
        assertEquals(400, presign(BASIC, "not json").statusCode());
        assertEquals(400, presign(BASIC, "{\"key\":\"a\",\"expiresIn\":0}").statusCode());
        HttpResponse<String> shortLived = presign(BASIC, "{\"key\":\"a\",\"expiresIn\":60}");
        assertEquals(200, shortLived.statusCode());
        assertTrue(shortLived.body().contains("X-Amz-Expires=60"), shortLived.body());
        assertEquals(List.of("401 invalid client credentials", "401 invalid client credentials", "400 invalid_request",
                "400 invalid_request", "400 invalid_request"), reasons());
    }

    @Test
    @DisplayName("URLs are derived from the seed and the virtual clock: the same on every run")
    void deterministic() throws Exception {
        String first = presignedUrl("photos/a.heic").replace(stub.origin(), "");
        stub.close();
        stub = new CloudStub(new S3PresignedDialect(7, virtualNow::get, 900));
        presignUrl = stub.extensionConfiguration().get("cloud.presignUrl");
        assertEquals(first, presignedUrl("photos/a.heic").replace(stub.origin(), ""));
    }
}
