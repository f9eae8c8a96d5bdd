package org.upcert.sample;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ExtensionLog;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadRequest;

/**
 * A context whose {@code http()} answers from a script, for dialect tests that need a cloud
 * other than the generic-put one {@link FakeSystem} plays. Records every request and body.
 */
final class ScriptedContext implements ExtensionContext {

    /** A request as sent. */
    record Sent(UploadRequest request, String body) {
    }

    final FakeSystem.MutableClock clock = new FakeSystem.MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
    final MemoryStorage storage = new MemoryStorage();
    final List<Sent> sent = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    final URI base;
    final TreeMap<String, String> configuration = new TreeMap<>();
    /** Answers a request (null: no response, a transport error). */
    BiFunction<UploadRequest, String, ExtensionHttp.Response> server;

    ScriptedContext(URI base, BiFunction<UploadRequest, String, ExtensionHttp.Response> server) {
        this.base = base;
        this.server = server;
    }

    static ExtensionHttp.Response response(int status, String body, String... headers) {
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], headers[i + 1]);
        }
        return new ExtensionHttp.Response(status, map, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public PhotoLibrary library() {
        throw new UnsupportedOperationException("not in dialect tests");
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
        return base;
    }

    @Override
    public ExtensionHttp http() {
        return (request, body) -> {
            String text = new String(body, StandardCharsets.UTF_8);
            sent.add(new Sent(request, text));
            ExtensionHttp.Response response = server.apply(request, text);
            if (response == null) {
                throw new ExtensionHttp.TransportException(org.upcert.api.UploadError.transport(
                        org.upcert.api.UploadError.NETWORK_CONNECTION_LOST, "the network connection was lost"));
            }
            return response;
        };
    }

    @Override
    public ExtensionLog log() {
        return new ExtensionLog() {
            @Override
            public void info(String message) {
                log.add("info " + message);
            }

            @Override
            public void warn(String message) {
                log.add("warn " + message);
            }

            @Override
            public void error(String message) {
                log.add("error " + message);
            }
        };
    }

    @Override
    public SortedMap<String, String> configuration() {
        return configuration;
    }
}
