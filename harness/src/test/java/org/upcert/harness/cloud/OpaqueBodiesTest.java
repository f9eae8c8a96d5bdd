package org.upcert.harness.cloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadRequest;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.upload.HttpTransport;
import org.upcert.harness.upload.RequestTransport;

/**
 * Request bodies reach the dialect as the bytes on the wire. WireMock un-gzips any request body
 * that starts with the gzip magic bytes {@code 1f 8b}; a compact payload that happened to start
 * with them was refused with HTTP 500 (not valid gzip) forty times in a 100,000-asset run, and one
 * that was valid gzip would have been stored decompressed, under the wrong SHA-256.
 */
class OpaqueBodiesTest {
    private final AtomicLong virtualNow = new AtomicLong();
    private final HttpTransport transport = new HttpTransport();
    private CloudStub stub;

    @BeforeEach
    void start() {
        stub = new CloudStub(new GenericPutDialect(7, virtualNow::get, 3_600_000));
    }

    @AfterEach
    void stop() {
        stub.close();
        transport.close();
    }

    private RequestTransport.Exchange send(String method, String path, Map<String, String> headers, byte[] body) throws Exception {
        URI url = stub.resolve(path);
        return transport.send(new UploadRequest(url, method, new TreeMap<>(headers)), body, Map.of(), virtualNow.get(), true);
    }

    private String bearer() throws Exception {
        RequestTransport.Exchange token = send("POST", "auth/token", Map.of("Content-Type", "application/x-www-form-urlencoded"),
                "grant_type=client_credentials&client_id=upcert-sample&client_secret=s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, token.status(), new String(token.body(), StandardCharsets.UTF_8));
        String body = new String(token.body(), StandardCharsets.UTF_8);
        int start = body.indexOf("\"access_token\":\"") + 16;
        return "Bearer " + body.substring(start, body.indexOf('"', start));
    }

    private void assertStoredAsSent(String key, byte[] payload) throws Exception {
        RequestTransport.Exchange put = send("PUT", "files/" + key, Map.of("Authorization", bearer()), payload);
        assertEquals(201, put.status(), "stored, not refused: " + new String(put.body(), StandardCharsets.UTF_8));
        assertEquals("\"" + Payloads.sha256(payload) + "\"", put.headers().get("etag"), "the SHA-256 of the bytes sent");
        CloudInventory.StoredObject stored = stub.inventory().object(key).orElseThrow();
        assertEquals(Payloads.sha256(payload), stored.sha256());
        assertEquals(payload.length, stored.declaredSize());
    }

    @Test
    @DisplayName("a payload starting with 1f 8b that is not gzip is stored byte for byte (was: HTTP 500)")
    void gzipMagicThatIsNotGzip() throws Exception {
        byte[] payload = new byte[4096];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        payload[0] = 0x1f;
        payload[1] = (byte) 0x8b;
        assertStoredAsSent("a/IMG_0001.HEIC", payload);
    }

    @Test
    @DisplayName("a payload that is a whole gzip stream is stored as sent, not decompressed")
    void realGzipIsOpaqueToo() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write("a photo's bytes, compressed by the app".getBytes(StandardCharsets.UTF_8));
        }
        byte[] payload = bytes.toByteArray();
        assertArrayEquals(new byte[] {0x1f, (byte) 0x8b}, java.util.Arrays.copyOf(payload, 2));
        assertStoredAsSent("a/archive.tar.gz", payload);
    }

    @Test
    @DisplayName("ordinary payloads and a one-byte 1f are unchanged")
    void ordinaryPayloads() throws Exception {
        assertStoredAsSent("a/plain.jpg", "plain bytes".getBytes(StandardCharsets.UTF_8));
        assertStoredAsSent("a/one-byte.bin", new byte[] {0x1f});
    }
}
