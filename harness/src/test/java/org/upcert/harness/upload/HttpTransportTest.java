package org.upcert.harness.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadError;
import org.upcert.api.UploadRequest;

class HttpTransportTest {

    @Test
    @DisplayName("response headers: names lowercased, transport and stub headers dropped, date set from virtual time")
    void sanitizesHeaders() {
        TreeMap<String, String> headers = HttpTransport.sanitize(Map.of(
                "ETag", List.of("\"abc\""),
                "Matched-Stub-Id", List.of("5f0e…"),
                "Date", List.of("Sun, 22 Nov 2026 03:00:00 GMT"),
                "Server", List.of("Jetty"),
                "X-Object-Id", List.of("obj-1")), 0);
        assertEquals(List.of("date", "etag", "x-object-id"), List.copyOf(headers.keySet()));
        assertEquals("Mon, 5 Jan 2026 08:00:00 GMT", headers.get("date"));
    }

    @Test
    @DisplayName("a refused connection is CANNOT_CONNECT_TO_HOST, not an exception")
    void connectionRefused() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        HttpTransport transport = new HttpTransport();
        var failure = assertThrows(RequestTransport.Failure.class, () -> transport.send(
                UploadRequest.put(URI.create("http://127.0.0.1:" + port + "/x")), new byte[1], Map.of(), 0));
        assertEquals(UploadError.CANNOT_CONNECT_TO_HOST, failure.error().code());
        assertEquals(Optional.empty(), failure.error().httpStatus());
    }

    @Test
    @DisplayName("destinations must lie under BackgroundUploadURLBase, on loopback")
    void destinationPolicy() {
        DestinationPolicy policy = new DestinationPolicy(URI.create("http://127.0.0.1:8080/dav/"));
        assertTrue(policy.refusal(URI.create("http://127.0.0.1:8080/dav/files/a")).isEmpty());
        assertFalse(policy.refusal(URI.create("http://127.0.0.1:8081/dav/files/a")).isEmpty(), "other port");
        assertFalse(policy.refusal(URI.create("https://127.0.0.1:8080/dav/files/a")).isEmpty(), "other scheme");
        assertFalse(policy.refusal(URI.create("http://127.0.0.1:8080/other/a")).isEmpty(), "other path");
        assertFalse(policy.refusal(URI.create("http://example.com:8080/dav/a")).isEmpty(), "other host");
        DestinationPolicy remote = new DestinationPolicy(URI.create("http://example.com/dav/"));
        assertEquals(Optional.of("not a loopback address"), remote.refusal(URI.create("http://example.com/dav/a")));
    }

    @Test
    @DisplayName("an extension's malformed method or header fails as its request over either transport, never as upcert's exception")
    void malformedRequestIsARequestFailure() throws Exception {
        // round six: the loopback transport threw the JDK client's IllegalArgumentException (upcert run: exit 2)
        org.upcert.harness.cloud.CloudStub stub = new org.upcert.harness.cloud.CloudStub(
                new org.upcert.harness.cloud.GenericPutDialect(7, () -> 0L, 3_600_000));
        org.upcert.harness.cloud.CloudStub direct = org.upcert.harness.cloud.CloudStub.direct(
                new org.upcert.harness.cloud.GenericPutDialect(7, () -> 0L, 3_600_000));
        try {
            List<UploadRequest> malformed = List.of(
                    new UploadRequest(URI.create(stub.origin() + "/dav/files/a"), "PUT", new TreeMap<>(Map.of("Bad Name", "v"))),
                    new UploadRequest(URI.create(stub.origin() + "/dav/files/a"), "PUT", new TreeMap<>(Map.of("x-a", "a\r\nb"))),
                    new UploadRequest(URI.create(stub.origin() + "/dav/files/a"), "GET X", new TreeMap<>()));
            for (UploadRequest request : malformed) {
                for (RequestTransport transport : List.of(new HttpTransport(stub), new DirectTransport(direct))) {
                    UploadRequest sent = transport instanceof DirectTransport
                            ? new UploadRequest(URI.create(request.url().toString().replace(stub.origin(), direct.origin())),
                                    request.method(), request.headers())
                            : request;
                    var failure = assertThrows(RequestTransport.Failure.class, () -> transport.send(sent, new byte[1], Map.of(), 0),
                            transport.getClass().getSimpleName() + " " + request);
                    assertEquals(UploadError.UNKNOWN, failure.error().code(), request.toString());
                }
            }
        } finally {
            stub.close();
        }
    }

    @Test
    @DisplayName("a transport of the run's stubs refuses any other loopback origin; the stubs' admin API refuses every request")
    void onlyTheStubsOrigins() throws Exception {
        org.upcert.harness.cloud.CloudStub stub = new org.upcert.harness.cloud.CloudStub(
                new org.upcert.harness.cloud.GenericPutDialect(7, () -> 0L, 3_600_000));
        try (ServerSocket other = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            HttpTransport transport = new HttpTransport(stub);
            var refused = assertThrows(RequestTransport.Failure.class, () -> transport.send(
                    UploadRequest.get(URI.create("http://127.0.0.1:" + other.getLocalPort() + "/")), new byte[0], Map.of(), 0));
            assertEquals(UploadError.CANNOT_CONNECT_TO_HOST, refused.error().code());
            int admin = transport.send(UploadRequest.get(URI.create(stub.origin() + "/__admin/mappings")), new byte[0], Map.of(), 0)
                    .status();
            assertEquals(401, admin, "the admin API answered");
        } finally {
            stub.close();
        }
    }
}
