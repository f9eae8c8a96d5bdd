package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ExtensionLog;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/** The onedrive and dropbox dialects against a scripted server. */
class SessionDialectsTest {
    private static final Instant NOW = FailureClassifierTest.NOW;

    private static final AssetResource PHOTO = new AssetResource("5E1B/L0/001", AssetResource.ResourceType.PHOTO,
            "IMG Ünï.HEIC", "public.heic", 2_400_000);

    /** A scripted cloud: token endpoint, createUploadSession (answers 401 to the first {@code rejectSessions}). */
    private static final class Server implements ExtensionHttp {
        final URI base;
        final List<String> requests = new ArrayList<>();
        final List<String> bodies = new ArrayList<>();
        final List<SortedMap<String, String>> headers = new ArrayList<>();
        int tokens;
        int sessions;
        int rejectSessions;

        Server(URI base) {
            this.base = base;
        }

        @Override
        public Response send(UploadRequest request, byte[] body) {
            requests.add(request.method() + " " + base.relativize(request.url()));
            bodies.add(new String(body, StandardCharsets.UTF_8));
            headers.add(request.headers());
            String path = request.url().getRawPath();
            if (path.endsWith("/token")) {
                tokens++;
                return json(200, "{\"access_token\":\"tok-" + tokens + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            }
            if (path.endsWith(":/createUploadSession")) {
                if (rejectSessions > 0) {
                    rejectSessions--;
                    return json(401, "{\"error\":{\"code\":\"InvalidAuthenticationToken\"}}");
                }
                sessions++;
                return json(200, "{\"uploadUrl\":\"" + base + "up/s" + sessions
                        + "\",\"expirationDateTime\":\"2026-03-01T08:15:00Z\",\"nextExpectedRanges\":[\"0-\"]}");
            }
            if (request.method().equals("GET") && path.contains("/me/drive/root:/")) {
                return path.contains("missing") ? json(404, "{\"error\":{\"code\":\"itemNotFound\"}}")
                        : json(200, "{\"id\":\"01ITEM\",\"name\":\"IMG.HEIC\",\"size\":3}");
            }
            if (path.endsWith("/files/get_metadata")) {
                return bodies.get(bodies.size() - 1).contains("missing")
                        ? json(409, "{\"error_summary\":\"path/not_found/..\"}")
                        : json(200, "{\".tag\":\"file\",\"name\":\"a\",\"id\":\"id:00ff\",\"size\":3}");
            }
            if (request.method().equals("GET") && path.endsWith("/up/complete")) {
                return json(200, "{\"expirationDateTime\":\"2026-03-01T08:15:00Z\",\"nextExpectedRanges\":[]}");
            }
            if (request.method().equals("GET") && path.endsWith("/up/partial")) {
                return json(200, "{\"expirationDateTime\":\"2026-03-01T08:15:00Z\",\"nextExpectedRanges\":[\"0-\"]}");
            }
            return json(404, "{}");
        }

        private static Response json(int status, String body) {
            return new Response(status, new TreeMap<>(), body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static ExtensionContext context(Server server, TreeMap<String, String> configuration) {
        MemoryStorage storage = new MemoryStorage();
        Clock clock = Clock.fixed(Instant.parse("2026-03-01T08:00:00Z"), ZoneOffset.UTC);
        return new ExtensionContext() {
            @Override
            public PhotoLibrary library() {
                throw new UnsupportedOperationException();
            }

            @Override
            public AppGroupStorage storage() {
                return storage;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public URI uploadUrlBase() {
                return server.base;
            }

            @Override
            public ExtensionHttp http() {
                return server;
            }

            @Override
            public ExtensionLog log() {
                return new ExtensionLog() {
                    @Override
                    public void info(String message) {
                    }

                    @Override
                    public void warn(String message) {
                    }

                    @Override
                    public void error(String message) {
                    }
                };
            }

            @Override
            public SortedMap<String, String> configuration() {
                return configuration;
            }
        };
    }

    private static TreeMap<String, String> configuration(String dialect) {
        TreeMap<String, String> configuration = new TreeMap<>();
        configuration.put("cloud.dialect", dialect);
        configuration.put("cloud.clientId", "id");
        configuration.put("cloud.clientSecret", "secret");
        return configuration;
    }

    /** A job the server answered with {@code status}, as a device shows it (no status). */
    private static UploadJob status(int status) {
        return FailureClassifierTest.answered(status);
    }

    @Test
    void oneDriveDestinationIsAFreshSessionWithContentRangeAndNoCredentials() throws Exception {
        Server server = new Server(URI.create("http://127.0.0.1:9/graph/v1.0/"));
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("onedrive"));
        assertInstanceOf(OneDriveDialect.class, dialect);
        UploadRequest destination = dialect.destinationFor(PHOTO, context(server, configuration("onedrive")));
        assertEquals(List.of("POST oauth2/v2.0/token",
                "POST me/drive/items/root:/Photos/5E1B%2FL0%2F001/PHOTO/IMG%20%C3%9Cn%C3%AF.HEIC:/createUploadSession"),
                server.requests);
        assertEquals("Bearer tok-1", server.headers.get(1).get("Authorization"));
        assertEquals("{\"item\":{\"@microsoft.graph.conflictBehavior\":\"replace\",\"fileSize\":2400000}}", server.bodies.get(1));
        assertEquals("PUT", destination.method());
        assertEquals(URI.create("http://127.0.0.1:9/graph/v1.0/up/s1"), destination.url());
        assertEquals(Optional.of("bytes 0-2399999/2400000"), destination.header("Content-Range"));
        assertEquals(Optional.empty(), destination.header("Authorization"));
        assertEquals(Optional.of(PHOTO.key()), destination.header(JobIdentity.RESOURCE_KEY_HEADER));
    }

    @Test
    void oneDriveFreshDestinationIsANewSessionForTheSameItem() throws Exception {
        Server server = new Server(URI.create("http://127.0.0.1:9/graph/v1.0/"));
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("onedrive"));
        ExtensionContext context = context(server, configuration("onedrive"));
        UploadRequest first = dialect.destinationFor(PHOTO, context);
        assertEquals(Optional.empty(), dialect.destinationForRetry(first, context));
        UploadRequest fresh = dialect.freshDestination(first, context);
        assertEquals(URI.create("http://127.0.0.1:9/graph/v1.0/up/s2"), fresh.url());
        assertEquals(first.headers(), fresh.headers());
        assertEquals(server.requests.get(1), server.requests.get(2));
        assertEquals(3, server.requests.size(), "the cached token is reused");
    }

    @Test
    void oneDriveSignsInAgainWhenTheTokenIsRejected() throws Exception {
        Server server = new Server(URI.create("http://127.0.0.1:9/graph/v1.0/"));
        server.rejectSessions = 1;
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("onedrive"));
        UploadRequest destination = dialect.destinationFor(PHOTO, context(server, configuration("onedrive")));
        assertEquals(2, server.tokens);
        assertEquals("Bearer tok-2", server.headers.get(3).get("Authorization"));
        assertEquals(URI.create("http://127.0.0.1:9/graph/v1.0/up/s1"), destination.url());
    }

    @Test
    void oneDriveFailureMeanings() {
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("onedrive"));
        for (int hidden : new int[] {404, 409, 413, 416, 503}) {
            assertEquals(FailureKind.REFUSED, dialect.classify(status(hidden), NOW), "a device shows no status: " + hidden);
        }
        assertEquals(FailureKind.TRANSIENT, dialect.classify(FailureClassifierTest.answered(429, "retry-after", "5"), NOW));
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("location", "http://127.0.0.1:9/graph/v1.0/me/drive/items/01ABC");
        assertEquals(Optional.of("01ABC"), dialect.serverId(headers));
    }

    @Test
    void oneDriveAsksTheSessionWhetherARefusedUploadWasStored() {
        Server server = new Server(URI.create("http://127.0.0.1:9/graph/v1.0/"));
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("onedrive"));
        ExtensionContext context = context(server, configuration("onedrive"));
        assertTrue(dialect.storedDespiteRefusal(refusedAt(server.base.resolve("up/complete")), context),
                "nothing left to receive: the upload was committed and its answer lost");
        assertFalse(dialect.storedDespiteRefusal(refusedAt(server.base.resolve("up/partial")), context));
        assertFalse(dialect.storedDespiteRefusal(refusedAt(server.base.resolve("up/gone")), context), "404: session gone");
        assertEquals(List.of("GET up/complete", "GET up/partial", "GET up/gone"), server.requests);
    }

    private static UploadJob refusedAt(URI url) {
        return new FailureClassifierTest.Job(UploadRequest.put(url), Optional.of(new TreeMap<>()),
                Optional.of(UploadError.httpStatus(416).withoutHttpStatus()));
    }

    @Test
    void dropboxDestinationIsAnOverwritingUploadWithHeaderSafeArguments() throws Exception {
        Server server = new Server(URI.create("http://127.0.0.1:9/dropbox/2/"));
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("dropbox"));
        assertInstanceOf(DropboxDialect.class, dialect);
        UploadRequest destination = dialect.destinationFor(PHOTO, context(server, configuration("dropbox")));
        assertEquals(List.of("POST oauth2/token"), server.requests);
        assertEquals("POST", destination.method());
        assertEquals(URI.create("http://127.0.0.1:9/dropbox/2/files/upload"), destination.url());
        assertEquals(Optional.of("Bearer tok-1"), destination.header("Authorization"));
        assertEquals(Optional.of("application/octet-stream"), destination.header("Content-Type"));
        String arg = destination.header("Dropbox-API-Arg").orElseThrow();
        assertEquals("{\"path\":\"/Photos/5E1B%2FL0%2F001/PHOTO/IMG%20%C3%9Cn%C3%AF.HEIC\",\"mode\":\"overwrite\","
                + "\"autorename\":false,\"mute\":true}", arg);
        assertTrue(arg.chars().allMatch(c -> c >= 0x20 && c <= 0x7E));
        assertEquals("\"a\\u00dc\\\"\"", DropboxDialect.headerSafeJson("aÜ\""));
        assertEquals(Optional.of(PHOTO.key()), destination.header(JobIdentity.RESOURCE_KEY_HEADER));
    }

    @Test
    void dropbox401GetsAFreshToken() throws Exception {
        Server server = new Server(URI.create("http://127.0.0.1:9/dropbox/2/"));
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("dropbox"));
        ExtensionContext context = context(server, configuration("dropbox"));
        UploadRequest first = dialect.destinationFor(PHOTO, context);
        assertEquals(FailureKind.REAUTHENTICATE, dialect.classify(status(401), NOW));
        dialect.credentialsRejected(first);
        UploadRequest fresh = dialect.freshDestination(first, context);
        assertEquals(Optional.of("Bearer tok-2"), fresh.header("Authorization"));
        assertEquals(first.header("Dropbox-API-Arg"), fresh.header("Dropbox-API-Arg"));
        // Another failed job created with the old token is retried with the new one.
        assertEquals(Optional.of("Bearer tok-2"), dialect.destinationForRetry(first, context).orElseThrow().header("Authorization"));
        assertFalse(dialect.destinationForRetry(fresh, context).isPresent());
    }

    @Test
    void dropboxFailureMeanings() {
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("dropbox"));
        assertEquals(FailureKind.REFUSED, dialect.classify(status(409), NOW), "a conflict is a refusal like any other");
        assertEquals(FailureKind.REFUSED, dialect.classify(status(400), NOW));
        assertEquals(FailureKind.TRANSIENT, dialect.classify(FailureClassifierTest.answered(429, "retry-after", "5"), NOW));
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("dropbox-api-result", "{\"name\":\"a\",\"id\":\"id:00ff\",\"size\":3}");
        assertEquals(Optional.of("id:00ff"), dialect.serverId(headers));
        assertEquals(Optional.empty(), dialect.serverId(new TreeMap<>()));
    }

    /** A succeeded job with {@code destination} whose response headers name no item (the real services' answer). */
    private static UploadJob succeededWithoutItem(UploadRequest destination) {
        return new FailureClassifierTest.Job(destination, Optional.of(new TreeMap<>()), Optional.empty());
    }

    @Test
    void oneDriveAsksTheItemByPathWhenTheHeadersNameNone() throws Exception {
        Server server = new Server(URI.create("http://127.0.0.1:9/graph/v1.0/"));
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("onedrive"));
        ExtensionContext context = context(server, configuration("onedrive"));
        UploadRequest destination = dialect.destinationFor(PHOTO, context);
        assertEquals(Optional.empty(), dialect.serverId(new TreeMap<>()), "strict headers: no location, no etag");
        assertEquals(Optional.of("01ITEM"), dialect.lookUpServerId(succeededWithoutItem(destination), context));
        assertEquals("GET me/drive/root:/Photos/5E1B%2FL0%2F001/PHOTO/IMG%20%C3%9Cn%C3%AF.HEIC",
                server.requests.get(server.requests.size() - 1));
        assertEquals("Bearer tok-1", server.headers.get(server.headers.size() - 1).get("Authorization"));
        UploadRequest missing = destination.withHeader(OneDriveDialect.ITEM_PATH_HEADER, "Photos/missing.HEIC");
        assertEquals(Optional.empty(), dialect.lookUpServerId(succeededWithoutItem(missing), context), "404: stored without its id");
    }

    @Test
    void dropboxAsksGetMetadataWhenTheHeadersNameNone() throws Exception {
        Server server = new Server(URI.create("http://127.0.0.1:9/dropbox/2/"));
        CloudDialect dialect = CloudDialects.fromConfiguration(configuration("dropbox"));
        ExtensionContext context = context(server, configuration("dropbox"));
        UploadRequest destination = dialect.destinationFor(PHOTO, context);
        assertEquals(Optional.of("id:00ff"), dialect.lookUpServerId(succeededWithoutItem(destination), context));
        assertEquals("POST files/get_metadata", server.requests.get(server.requests.size() - 1));
        assertEquals("{\"path\":\"/Photos/5E1B%2FL0%2F001/PHOTO/IMG%20%C3%9Cn%C3%AF.HEIC\"}", server.bodies.get(server.bodies.size() - 1));
        UploadRequest missing = destination.withHeader(DropboxDialect.API_ARG_HEADER, DropboxDialect.apiArg("/Photos/missing.HEIC"));
        assertEquals(Optional.empty(), dialect.lookUpServerId(succeededWithoutItem(missing), context), "409 not_found: no id");
    }
}
