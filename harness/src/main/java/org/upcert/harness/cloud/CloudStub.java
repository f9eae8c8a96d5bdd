package org.upcert.harness.cloud;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Serves a {@link CloudDialect} from an in-process WireMock server bound to 127.0.0.1 on a free
 * port. Nothing listens on any other address.
 *
 * <p>WireMock's defaults are expensive at this scale (ARCHITECTURE.md, "Measured"): the request
 * journal keeps every body and stub-request logging turns each body into a String. Both are off,
 * and so is templating; the dialect keeps what the inventory needs in its own structures.
 * Request bodies are opaque bytes: WireMock's habit of un-gzipping anything that looks gzipped
 * is undone by {@link OpaqueRequestBodies}.
 */
public final class CloudStub implements AutoCloseable {
    private static final String TRANSFORMER = "upcert-dialect";

    /** The origin a stub without a server pretends to have (nothing listens there). */
    static final String DIRECT_ORIGIN = "http://127.0.0.1:1";

    private final CloudDialect dialect;
    private final WireMockServer server;

    /** A stub served over loopback HTTP by WireMock. */
    public CloudStub(CloudDialect dialect) {
        this(dialect, true);
    }

    /** A stub reached in-JVM by a {@link org.upcert.harness.upload.DirectTransport}: no server, no socket. */
    public static CloudStub direct(CloudDialect dialect) {
        return new CloudStub(dialect, false);
    }

    private CloudStub(CloudDialect dialect, boolean listen) {
        this.dialect = dialect;
        if (!listen) {
            this.server = null;
            return;
        }
        this.server = new WireMockServer(options()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .disableRequestJournal()
                .stubRequestLoggingDisabled(true)
                .templatingEnabled(false)
                .gzipDisabled(true)
                .httpServerFactory(OpaqueRequestBodies.serverFactory())
                .containerThreads(12)
                .jettyAcceptors(1)
                .notifier(new Slf4jNotifier(false))
                .extensions(new DialectTransformer(dialect)));
        server.start();
        server.stubFor(any(urlPathMatching(dialect.basePath().replace("/", "\\/") + ".*"))
                .willReturn(aResponse().withTransformers(TRANSFORMER)));
        server.stubFor(any(urlPathMatching("/.*")).atPriority(10)
                .willReturn(aResponse().withStatus(404).withBody("{\"error\":\"no such endpoint\"}")));
    }

    /** {@code http://127.0.0.1:<port>}: what traces replace by {@code {cloud}}. */
    public String origin() {
        return server == null ? DIRECT_ORIGIN : "http://127.0.0.1:" + server.port();
    }

    /** The extension's {@code BackgroundUploadURLBase}. */
    public URI uploadUrlBase() {
        return URI.create(origin() + dialect.basePath());
    }

    public CloudDialect dialect() {
        return dialect;
    }

    public CloudInventory inventory() {
        return dialect.inventory();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }

    /**
     * Adapts WireMock's serve event to the dialect's transport-neutral request. A failure the
     * system's fault engine injected ({@code x-upcert-inject}: an HTTP error status, or one of
     * WireMock's socket-level faults) is played here, before the dialect, and recorded in the
     * inventory as refused: the same fault means the same thing for every dialect.
     */
    private static final class DialectTransformer implements ResponseDefinitionTransformerV2 {
        private final CloudDialect dialect;

        DialectTransformer(CloudDialect dialect) {
            this.dialect = dialect;
        }

        @Override
        public String getName() {
            return TRANSFORMER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        private ResponseDefinition injectedFailure(String path, String method, String spec) {
            InjectedFailure played = InjectedFailure.play(dialect, method, path, spec);
            var builder = new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder();
            if (played.socketFault() != null) {
                com.github.tomakehurst.wiremock.http.Fault fault = switch (played.socketFault()) {
                    case "empty" -> com.github.tomakehurst.wiremock.http.Fault.EMPTY_RESPONSE;
                    case "garbage" -> com.github.tomakehurst.wiremock.http.Fault.RANDOM_DATA_THEN_CLOSE;
                    default -> com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER;
                };
                return builder.withFault(fault).build();
            }
            return toDefinition(played.response());
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            LoggedRequest request = serveEvent.getRequest();
            TreeMap<String, String> headers = new TreeMap<>();
            for (HttpHeader header : request.getHeaders().all()) {
                headers.put(header.key().toLowerCase(Locale.ROOT), header.firstValue());
            }
            URI uri = URI.create(request.getUrl());
            String injected = headers.get(org.upcert.harness.upload.RequestFaults.INJECT_HEADER);
            if (injected != null) {
                return injectedFailure(uri.getRawPath(), request.getMethod().getName(), injected);
            }
            CloudRequest cloudRequest = new CloudRequest(request.getMethod().getName(), uri.getRawPath(),
                    uri.getRawQuery() == null ? "" : uri.getRawQuery(), headers, request.getBody());
            return toDefinition(cloudRequest.method().equals("OPTIONS") ? dialect.options(cloudRequest) : dialect.handle(cloudRequest));
        }

        private static ResponseDefinition toDefinition(CloudResponse response) {
            List<HttpHeader> out = new ArrayList<>();
            for (Map.Entry<String, String> header : response.headers().entrySet()) {
                out.add(new HttpHeader(header.getKey(), header.getValue()));
            }
            return new com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder()
                    .withStatus(response.status())
                    .withHeaders(new HttpHeaders(out))
                    .withBody(response.body())
                    .build();
        }
    }
}
