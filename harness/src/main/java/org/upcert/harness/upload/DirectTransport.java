package org.upcert.harness.upload;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.upcert.api.UploadError;
import org.upcert.api.UploadRequest;
import org.upcert.harness.cloud.CloudDialect;
import org.upcert.harness.cloud.CloudRequest;
import org.upcert.harness.cloud.CloudResponse;
import org.upcert.harness.cloud.CloudStub;
import org.upcert.harness.cloud.InjectedFailure;

/**
 * The in-JVM transport: hands each request straight to the cloud dialect, no socket, no server.
 * It answers exactly what the loopback transport answers after sanitizing (a test runs the same
 * plan both ways and compares trace bytes), including the stub's fallback 404 outside the
 * dialect's base path, connection refused for any other origin, and injected socket faults.
 * Written here rather than using WireMock's direct-call server because the dialect already is a
 * pure request → response function: going through WireMock would only add its matching cost.
 */
public final class DirectTransport implements RequestTransport {
    private final List<CloudStub> stubs = new java.util.concurrent.CopyOnWriteArrayList<>();

    public DirectTransport(CloudStub stub) {
        stubs.add(stub);
    }

    /** Another server reachable at its own origins (host.server: the server the host app moves to). */
    public void add(CloudStub stub) {
        stubs.add(stub);
    }

    @Override
    public Exchange send(UploadRequest request, byte[] body, Map<String, String> extraHeaders, long virtualNow,
            boolean retryGlitches) throws Failure {
        URI url = request.url();
        String requestOrigin = url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
        CloudStub stub = null;
        boolean uploadHost = false;
        for (CloudStub candidate : stubs) {
            if (candidate.origin().equals(requestOrigin) || candidate.serviceOrigin().equals(requestOrigin)) {
                stub = candidate;
                uploadHost = candidate.origin().equals(requestOrigin);
                break;
            }
        }
        if (stub == null) {
            throw new Failure(UploadError.transport(UploadError.CANNOT_CONNECT_TO_HOST, "could not connect to the server"));
        }
        UploadError malformed = RequestTransport.malformed(request);
        if (malformed != null) {
            throw new Failure(malformed);
        }
        CloudDialect dialect = stub.dialect();
        TreeMap<String, String> headers = new TreeMap<>();
        request.headers().forEach((name, value) -> {
            // upcert's own headers (x-upcert-inject, x-upcert-declared-length) are the system's alone: an extension's are not sent
            if (!RequestTransport.upcertsOwn(name)) {
                headers.put(name.toLowerCase(Locale.ROOT), value);
            }
        });
        extraHeaders.forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String injected = headers.get(RequestFaults.INJECT_HEADER);
        CloudResponse response;
        if (injected != null) {
            InjectedFailure played = InjectedFailure.play(dialect, request.method(), path, injected);
            if (played.socketFault() != null) {
                throw new Failure(played.socketFault().equals("garbage")
                        ? UploadError.transport(UploadError.BAD_SERVER_RESPONSE, "the server sent a response that could not be parsed")
                        : UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "the network connection was lost"));
            }
            response = played.response();
        } else if (!path.startsWith(dialect.basePath())) {
            // the stub's catch-all mapping
            response = CloudResponse.of(404).withBody(CloudStub.NO_SUCH_ENDPOINT);
        } else {
            response = CloudStub.answer(dialect, new CloudRequest(request.method(), path,
                    url.getRawQuery() == null ? "" : url.getRawQuery(), headers, body), uploadHost);
        }
        TreeMap<String, List<String>> raw = new TreeMap<>();
        response.headers().forEach((name, value) -> raw.put(name, List.of(value)));
        byte[] responseBody = request.method().equals("HEAD") ? new byte[0] : response.body();
        return new Exchange(response.status(), HttpTransport.sanitize(raw, virtualNow), responseBody);
    }
}
