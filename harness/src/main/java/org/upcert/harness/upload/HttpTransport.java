package org.upcert.harness.upload;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.upcert.api.UploadError;
import org.upcert.api.UploadRequest;
import org.upcert.harness.sim.VirtualClock;

/**
 * Real HTTP/1.1 to loopback with the JDK client: the one place the simulator touches a socket.
 *
 * <p>What comes back is made deterministic before anyone sees it: header names lowercased (as
 * {@code responseHeaderFields} presents them), transport and stub-internal headers dropped
 * ({@code date} is rewritten to the virtual time, {@code matched-stub-id} and friends vanish),
 * so the trace and the extension see the same thing on every run.
 *
 * <p>Under concurrency the JDK client very rarely fails a request on a pooled connection the
 * server had closed ("header parser received no bytes"). That is a glitch of the harness's own
 * transport, not a planned fault: it is retried here and never becomes a job failure.
 */
public final class HttpTransport implements RequestTransport {
    private static final Set<String> DROPPED_RESPONSE_HEADERS = Set.of(
            "connection", "keep-alive", "transfer-encoding", "server", "vary",
            "matched-stub-id", "matched-stub-name", "date");
    static final Set<String> RESTRICTED_REQUEST_HEADERS = Set.of(
            "connection", "content-length", "expect", "host", "upgrade");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final int GLITCH_RETRIES = 3;
    /** A bound on real waiting: loopback answers in microseconds; a stuck stub must not hang the run. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private long glitchesRetried;
    /** The origins this transport may connect to (the run's stubs); empty: any (a test of the transport itself). */
    private final java.util.Set<String> origins = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A transport that connects to any loopback origin: for tests of the transport itself. */
    public HttpTransport() {
    }

    /**
     * A transport that connects only to {@code stub}'s origins (and those {@link #add added}), as the
     * {@link DirectTransport} reaches only its stubs: any other origin is refused without a socket
     * (connection refused), so the extension's {@code ctx.http()}, sent by upcert outside any sandbox,
     * reaches no loopback service of the machine but the run's own cloud.
     */
    public HttpTransport(org.upcert.harness.cloud.CloudStub stub) {
        add(stub);
    }

    /** Another server reachable at its own origins (host.server). */
    public void add(org.upcert.harness.cloud.CloudStub stub) {
        origins.add(stub.origin());
        origins.add(stub.serviceOrigin());
    }

    /**
     * Sends {@code request} with {@code body} and {@code extraHeaders}; {@code virtualNow} stamps
     * the sanitized {@code date} header.
     */
    @Override
    public Exchange send(UploadRequest request, byte[] body, Map<String, String> extraHeaders, long virtualNow,
            boolean retryGlitches) throws Failure {
        java.net.URI url = request.url();
        if (!origins.isEmpty() && !origins.contains(
                url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort()))) {
            throw new Failure(UploadError.transport(UploadError.CANNOT_CONNECT_TO_HOST, "could not connect to the server"));
        }
        UploadError malformed = RequestTransport.malformed(request);
        if (malformed != null) {
            throw new Failure(malformed);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.url()).timeout(REQUEST_TIMEOUT);
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            // upcert's own headers (x-upcert-inject, x-upcert-declared-length) are the system's alone: an extension's are not sent
            if (!RESTRICTED_REQUEST_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))
                    && !RequestTransport.upcertsOwn(header.getKey())) {
                builder.header(header.getKey(), header.getValue());
            }
        }
        extraHeaders.forEach(builder::header);
        HttpRequest.BodyPublisher publisher = body.length == 0 && !request.method().equals("PUT")
                && !request.method().equals("POST")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest httpRequest = builder.method(request.method(), publisher).build();
        for (int attempt = 0; ; attempt++) {
            try {
                HttpResponse<byte[]> response = client.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
                return new Exchange(response.statusCode(), sanitize(response.headers().map(), virtualNow), response.body());
            } catch (HttpTimeoutException e) {
                throw new Failure(UploadError.transport(UploadError.TIMED_OUT, "the request timed out"));
            } catch (ConnectException e) {
                throw new Failure(UploadError.transport(UploadError.CANNOT_CONNECT_TO_HOST, "could not connect to the server"));
            } catch (IOException e) {
                if (!retryGlitches) {
                    throw new Failure(injectedFailure(e));
                }
                if (retryGlitches && attempt < GLITCH_RETRIES && isStaleConnectionGlitch(e)) {
                    glitchesRetried++;
                    continue;
                }
                throw new Failure(UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "the network connection was lost"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure(UploadError.transport(UploadError.CANCELLED, "cancelled"));
            }
        }
    }

    /**
     * The sanitized error for a socket-level failure the cloud played on purpose: no bytes or a
     * reset is a lost connection; bytes that are not HTTP are a bad server response.
     */
    static UploadError injectedFailure(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("received no bytes") || message.contains("reset") || message.contains("closed")
                || message.contains("eof")) {
            return UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "the network connection was lost");
        }
        return UploadError.transport(UploadError.BAD_SERVER_RESPONSE, "the server sent a response that could not be parsed");
    }

    /** How many transport glitches were retried (reported, never traced: they are not part of the run). */
    public long glitchesRetried() {
        return glitchesRetried;
    }

    static TreeMap<String, String> sanitize(Map<String, List<String>> raw, long virtualNow) {
        TreeMap<String, String> headers = new TreeMap<>();
        for (Map.Entry<String, List<String>> header : raw.entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith(":") || DROPPED_RESPONSE_HEADERS.contains(name) || header.getValue().isEmpty()) {
                continue;
            }
            headers.put(name, String.join(", ", header.getValue()));
        }
        headers.put("date", HTTP_DATE.format(VirtualClock.instantAt(virtualNow)));
        return headers;
    }

    /**
     * The JDK client's stale-pooled-connection failure (the server closed a kept-alive connection
     * just as the client reused it): a glitch of the transport, worth retrying, never a fault.
     * Public so the benchmark's raw-client floor retries the same glitch the same way.
     */
    public static boolean isStaleConnectionGlitch(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("header parser received no bytes") || message.contains("connection reset")
                || message.contains("eof reached") || message.contains("closed");
    }

    @Override
    public void close() {
        // HttpClient gained close() only in JDK 21; on 17 its threads are daemons and die with the JVM.
    }
}
