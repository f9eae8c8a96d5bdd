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
 * Serves a {@link CloudDialect} from two in-process WireMock servers bound to 127.0.0.1, each on
 * a free port: the <em>upload host</em> (the origin of {@code BackgroundUploadURLBase}, where the
 * system's uploads go) and the <em>service host</em> (sign-in and API), as real services keep
 * them apart ({@link CloudDialect#onUploadHost}). Each answers the other's paths with the
 * catch-all 404. Nothing listens on any other address.
 *
 * <p>WireMock's defaults are expensive at this scale (ARCHITECTURE.md, "Measured"): the request
 * journal keeps every body and stub-request logging turns each body into a String. Both are off,
 * and so is templating; the dialect keeps what the inventory needs in its own structures.
 * Request bodies are opaque bytes: WireMock's habit of un-gzipping anything that looks gzipped
 * is undone by {@link OpaqueRequestBodies}.
 */
public final class CloudStub implements AutoCloseable {
    private static final String TRANSFORMER = "upcert-dialect";

    /*
     * The origins of a stub without a server (no socket is ever opened to them). Their ports have five
     * digits like the ephemeral ports a loopback stub gets (32768-60999 on Linux, 49152-65535 elsewhere):
     * an origin the extension can read whole (host.server's app group file names both, and its
     * storage.read traces its size) has the same length over either transport, so the traces stay the
     * same byte for byte (SampleUnderProfilesAcceptanceTest, host-app: 100 bytes with ports :1 and :2
     * against 108 over loopback).
     */
    /** The upload host's origin of a stub without a server (nothing listens there). */
    static final String DIRECT_ORIGIN = "http://127.0.0.1:10001";
    /** The service host's origin of a stub without a server. */
    static final String DIRECT_SERVICE_ORIGIN = "http://127.0.0.1:10002";

    /** The upload and service origins of a second server's stub without a server (host.server). */
    static final String DIRECT_SECOND_ORIGIN = "http://127.0.0.1:10003";
    static final String DIRECT_SECOND_SERVICE_ORIGIN = "http://127.0.0.1:10004";

    private final CloudDialect dialect;
    private final WireMockServer server;
    private final WireMockServer serviceServer;
    private final String directOrigin;
    private final String directServiceOrigin;

    /** A stub served over loopback HTTP by WireMock. */
    public CloudStub(CloudDialect dialect) {
        this(dialect, true);
    }

    /** A stub reached in-JVM by a {@link org.upcert.harness.upload.DirectTransport}: no server, no socket. */
    public static CloudStub direct(CloudDialect dialect) {
        return new CloudStub(dialect, false);
    }

    /**
     * The second server of a run whose host app changes server (host.server), reached in-JVM: its
     * own origins ({@code 127.0.0.1:10003} and {@code :10004}), so a transport can tell the two apart.
     */
    public static CloudStub directSecond(CloudDialect dialect) {
        return new CloudStub(dialect, false, DIRECT_SECOND_ORIGIN, DIRECT_SECOND_SERVICE_ORIGIN);
    }

    private CloudStub(CloudDialect dialect, boolean listen) {
        this(dialect, listen, DIRECT_ORIGIN, DIRECT_SERVICE_ORIGIN);
    }

    private CloudStub(CloudDialect dialect, boolean listen, String directOrigin, String directServiceOrigin) {
        this.dialect = dialect;
        this.directOrigin = directOrigin;
        this.directServiceOrigin = directServiceOrigin;
        if (!listen) {
            this.server = null;
            this.serviceServer = null;
            return;
        }
        this.server = serve(dialect, true);
        try {
            this.serviceServer = serve(dialect, false);
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
    }

    private static WireMockServer serve(CloudDialect dialect, boolean uploadHost) {
        WireMockServer server = new WireMockServer(options()
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
                // the admin API (/__admin: settings, mappings, reset, shutdown) on the stub's own port is
                // reachable by the extension's ctx.http(); upcert configures its stubs in the JVM, never over HTTP
                .adminAuthenticator(request -> false)
                .extensions(new DialectTransformer(dialect, uploadHost)));
        server.start();
        server.stubFor(any(urlPathMatching(dialect.basePath().replace("/", "\\/") + ".*"))
                .willReturn(aResponse().withTransformers(TRANSFORMER)));
        server.stubFor(any(urlPathMatching("/.*")).atPriority(10)
                .willReturn(aResponse().withStatus(404).withBody(NO_SUCH_ENDPOINT)));
        return server;
    }

    /** The catch-all answer: a path the dialect does not serve, or one the other host serves. */
    public static final String NO_SUCH_ENDPOINT = "{\"error\":\"no such endpoint\"}";

    /** The answer to a request the dialect could not parse. */
    public static final String MALFORMED_REQUEST = "{\"error\":\"malformed request\"}";

    /** The upload host, {@code http://127.0.0.1:<port>}: what traces replace by {@code {cloud}}. */
    public String origin() {
        return server == null ? directOrigin : "http://127.0.0.1:" + server.port();
    }

    /** The service host (sign-in, API), {@code http://127.0.0.1:<port>}: what traces replace by {@code {api}}. */
    public String serviceOrigin() {
        return serviceServer == null ? directServiceOrigin : "http://127.0.0.1:" + serviceServer.port();
    }

    /** The dialect's base path on the service host: where its sign-in and API endpoints live. */
    public URI serviceBase() {
        return URI.create(serviceOrigin() + dialect.basePath());
    }

    /** {@code relative} (to the base path) on the host that serves it: the upload host or the service host. */
    public URI resolve(String relative) {
        URI upload = uploadUrlBase().resolve(relative);
        return dialect.onUploadHost(upload.getRawPath()) ? upload : serviceBase().resolve(relative);
    }

    /** The extension's configuration: {@link CloudDialect#extensionConfiguration(URI, URI)} for these hosts. */
    public java.util.SortedMap<String, String> extensionConfiguration() {
        return dialect.extensionConfiguration(uploadUrlBase(), serviceBase());
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
        if (serviceServer != null) {
            serviceServer.stop();
        }
    }

    /**
     * The answer to a request for the dialect's base path that reached the upload host
     * ({@code uploadHost}) or the service host: the preflight ({@code OPTIONS}) on either, the
     * dialect on the host that serves the path, the catch-all 404 on the other. Both transports
     * answer through here.
     */
    public static CloudResponse answer(CloudDialect dialect, CloudRequest request, boolean uploadHost) {
        if (request.method().equals("OPTIONS")) {
            return dialect.options(request);
        }
        if (dialect.onUploadHost(request.path()) != uploadHost) {
            return CloudResponse.of(404).withBody(NO_SUCH_ENDPOINT);
        }
        try {
            return dialect.handle(request);
        } catch (IllegalArgumentException e) {
            // a request the dialect cannot parse (a number past a long in a header, …): a real server's 400,
            // never an exception of upcert's (a harness fault that would SKIP every rule of the run: red team round six)
            dialect.inventory().refuse(request.method(), request.path(), 400, "malformed request");
            return CloudResponse.json(400, MALFORMED_REQUEST);
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
        private final boolean uploadHost;

        DialectTransformer(CloudDialect dialect, boolean uploadHost) {
            this.dialect = dialect;
            this.uploadHost = uploadHost;
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
            return toDefinition(answer(dialect, cloudRequest, uploadHost));
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
