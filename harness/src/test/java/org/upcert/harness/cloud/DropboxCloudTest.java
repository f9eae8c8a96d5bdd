package org.upcert.harness.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The Dropbox (files/upload) cloud over real loopback HTTP. */
class DropboxCloudTest {
    private static final long TOKEN_MS = 4 * 3_600_000;
    private final AtomicLong virtualNow = new AtomicLong(1_000_000);
    private final HttpClient http = HttpClient.newHttpClient();
    private CloudStub stub;

    @BeforeEach
    void start() {
        stub = new CloudStub(new DropboxDialect(7, virtualNow::get, TOKEN_MS, DropboxDialect.MAX_REQUEST_BYTES).bodyInHeaders(true));
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private String token() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(stub.resolve("oauth2/token"))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"expires_in\":14400"), response.body());
        String body = response.body();
        int start = body.indexOf("\"access_token\":\"") + 16;
        return body.substring(start, body.indexOf('"', start));
    }

    private HttpResponse<String> upload(String token, String arg, byte[] body, long declared) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(stub.resolve("files/upload"))
                .header("Content-Type", "application/octet-stream")
                .header(CloudDialect.DECLARED_LENGTH_HEADER, Long.toString(declared))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (arg != null) {
            request.header("Dropbox-API-Arg", arg);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String arg(String path, String mode, boolean autorename) {
        return "{\"path\":\"" + path + "\",\"mode\":\"" + mode + "\",\"autorename\":" + autorename + "}";
    }

    private List<String> reasons() {
        return stub.inventory().refusals().stream().map(CloudInventory.Refusal::reason).toList();
    }

    @Test
    @DisplayName("upload stores the file: 200 with metadata in the body and in Dropbox-API-Result")
    void happyPath() throws Exception {
        assertTrue(stub.uploadUrlBase().toString().startsWith("http://127.0.0.1:"));
        byte[] body = "compact".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = upload(token(), arg("/Photos/a/IMG_1.HEIC", "add", false), body, 2_400_000);
        assertEquals(200, response.statusCode(), response.body());
        var object = stub.inventory().object("Photos/a/IMG_1.HEIC").orElseThrow();
        assertEquals(2_400_000, object.declaredSize());
        assertEquals(Payloads.sha256(body), object.sha256());
        String result = response.headers().firstValue("dropbox-api-result").orElseThrow();
        assertEquals(response.body(), result);
        assertTrue(result.contains("\"id\":\"" + object.objectId() + "\"") && result.contains("\"size\":2400000")
                && result.contains("\"path_display\":\"/Photos/a/IMG_1.HEIC\""), result);
        assertTrue(stub.inventory().refusals().isEmpty());
    }

    @Test
    @DisplayName("add mode: conflict is 409 path/conflict/file; same bytes is no conflict; overwrite replaces; autorename keeps both")
    void modes() throws Exception {
        String token = token();
        assertEquals(200, upload(token, arg("/p/a.HEIC", "add", false), new byte[] {1}, 10).statusCode());
        HttpResponse<String> clash = upload(token, arg("/p/a.HEIC", "add", false), new byte[] {2}, 10);
        assertEquals(409, clash.statusCode());
        assertTrue(clash.body().startsWith("{\"error_summary\":\"path/conflict/file/..\""), clash.body());
        assertEquals(200, upload(token, arg("/p/a.HEIC", "add", false), new byte[] {1}, 10).statusCode());
        assertEquals(1, stub.inventory().writes().size());
        assertEquals(200, upload(token, "{\"path\":\"/p/a.HEIC\",\"mode\":{\".tag\":\"overwrite\"}}", new byte[] {3}, 10).statusCode());
        assertEquals(Payloads.sha256(new byte[] {3}), stub.inventory().object("p/a.HEIC").orElseThrow().sha256());
        assertEquals(2, stub.inventory().object("p/a.HEIC").orElseThrow().writes());
        assertEquals(200, upload(token, arg("/p/a.HEIC", "add", true), new byte[] {4}, 10).statusCode());
        assertEquals(Payloads.sha256(new byte[] {4}), stub.inventory().object("p/a (1).HEIC").orElseThrow().sha256());
        assertEquals(List.of("path/conflict/file/.."), reasons());
    }

    @Test
    @DisplayName("malformed or missing Dropbox-API-Arg, bad path or mode, wrong Content-Type: 400 plain text")
    void badArguments() throws Exception {
        String token = token();
        HttpResponse<String> garbled = upload(token, "{\"path\":", new byte[1], 1);
        assertEquals(400, garbled.statusCode());
        assertTrue(garbled.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
        assertTrue(garbled.body().contains("could not decode input as JSON"), garbled.body());
        assertEquals(400, upload(token, null, new byte[1], 1).statusCode());
        assertEquals(400, upload(token, arg("relative/a.HEIC", "add", false), new byte[1], 1).statusCode());
        assertEquals(400, upload(token, arg("/a.HEIC", "update", false), new byte[1], 1).statusCode());
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(stub.resolve("files/upload"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Dropbox-API-Arg", arg("/a.HEIC", "add", false)).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, json.statusCode());
        assertTrue(stub.inventory().objects().isEmpty());
        assertEquals(5, reasons().size());
        assertTrue(reasons().stream().allMatch(r -> r.startsWith("Error in call to API function \"files/upload\"")), reasons().toString());
    }

    @Test
    @DisplayName("expired and unknown tokens: 401 JSON error_summary; no Authorization: 400")
    void tokens() throws Exception {
        String token = token();
        assertEquals(400, upload(null, arg("/a", "add", false), new byte[1], 1).statusCode());
        HttpResponse<String> unknown = upload("forged", arg("/a", "add", false), new byte[1], 1);
        assertEquals(401, unknown.statusCode());
        assertTrue(unknown.body().contains("\"error_summary\":\"invalid_access_token/..\""), unknown.body());
        virtualNow.addAndGet(TOKEN_MS);
        HttpResponse<String> expired = upload(token, arg("/a", "add", false), new byte[1], 1);
        assertEquals(401, expired.statusCode());
        assertTrue(expired.body().contains("\"error_summary\":\"expired_access_token/..\""), expired.body());
        assertTrue(stub.inventory().objects().isEmpty());
        assertEquals(List.of("invalid_access_token/..", "expired_access_token/.."), reasons().subList(1, 3));
    }

    @Test
    @DisplayName("more than 150 MB in one request: 409 payload_too_large (judged by the declared size)")
    void payloadTooLarge() throws Exception {
        String token = token();
        HttpResponse<String> large = upload(token, arg("/v.MOV", "overwrite", false), new byte[3], DropboxDialect.MAX_REQUEST_BYTES + 1);
        assertEquals(409, large.statusCode());
        assertTrue(large.body().contains("\"error_summary\":\"payload_too_large/...\""), large.body());
        assertEquals(200, upload(token, arg("/v.MOV", "overwrite", false), new byte[3], DropboxDialect.MAX_REQUEST_BYTES).statusCode());
        assertEquals(List.of("payload_too_large/..."), reasons());
    }

    @Test
    @DisplayName("injected 429: JSON reason too_many_requests with Retry-After")
    void throttled() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(stub.resolve("files/upload"))
                .header("x-upcert-inject", "status=429;retry-after=12").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(429, response.statusCode());
        assertEquals("12", response.headers().firstValue("retry-after").orElseThrow());
        assertTrue(response.body().contains("\"reason\":{\".tag\":\"too_many_requests\"}"), response.body());
        assertEquals(List.of("injected: HTTP 429"), reasons());
    }

    @Test
    @DisplayName("an injected 429 says Retry-After even when the profile names none, as Dropbox does; a 5xx does not")
    void throttledAlwaysSaysWhenToComeBack() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(stub.resolve("files/upload"))
                .header("x-upcert-inject", "status=429").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("1", response.headers().firstValue("retry-after").orElseThrow());
        HttpResponse<String> failing = http.send(HttpRequest.newBuilder(stub.resolve("files/upload"))
                .header("x-upcert-inject", "status=500").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(failing.headers().firstValue("retry-after").isEmpty());
    }

    @Test
    @DisplayName("tokens and file ids derive from the seed")
    void deterministic() throws Exception {
        String token = token();
        String result = upload(token, arg("/a", "add", false), new byte[1], 1).body();
        stub.close();
        stub = new CloudStub(new DropboxDialect(7, virtualNow::get, TOKEN_MS, DropboxDialect.MAX_REQUEST_BYTES).bodyInHeaders(true));
        assertEquals(token, token());
        assertEquals(result, upload(token, arg("/a", "add", false), new byte[1], 1).body());
    }

    @Test
    @DisplayName("strict headers: files/upload answers its metadata in the body only; files/get_metadata gives it, 409 not_found for none")
    void strictHeadersGetMetadata() throws Exception {
        stub.close();
        stub = new CloudStub(new DropboxDialect(7, virtualNow::get, TOKEN_MS, DropboxDialect.MAX_REQUEST_BYTES));
        String token = token();
        HttpResponse<String> response = upload(token, arg("/Photos/a/IMG_1.HEIC", "overwrite", false), new byte[] {3}, 2_400_000);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("dropbox-api-result").isEmpty(), response.headers().map().toString());
        var object = stub.inventory().object("Photos/a/IMG_1.HEIC").orElseThrow();
        assertTrue(response.body().contains("\"id\":\"" + object.objectId() + "\""), response.body());

        HttpResponse<String> metadata = getMetadata(token, "{\"path\":\"/Photos/a/IMG_1.HEIC\"}");
        assertEquals(200, metadata.statusCode(), metadata.body());
        assertTrue(metadata.body().startsWith("{\".tag\":\"file\","), metadata.body());
        assertTrue(metadata.body().contains("\"id\":\"" + object.objectId() + "\"") && metadata.body().contains("\"size\":2400000"),
                metadata.body());
        HttpResponse<String> missing = getMetadata(token, "{\"path\":\"/Photos/none.HEIC\"}");
        assertEquals(409, missing.statusCode());
        assertTrue(missing.body().contains("path/not_found"), missing.body());
        assertEquals(401, getMetadata("nope", "{\"path\":\"/Photos/a/IMG_1.HEIC\"}").statusCode());
    }

    private HttpResponse<String> getMetadata(String token, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(stub.resolve("files/get_metadata"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
