package org.upcert.api;

import java.net.URI;
import java.util.Collections;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A job's destination: the {@code URLRequest} the system sends the resource's bytes to. The
 * extension controls the URL, the method and the headers, never the body (the system always
 * sends the resource). On a device the headers survive in the system's job store, so the
 * destination is the one field present in every job state: put what you need to recognise the
 * job later (an asset id header, the object key in the path) here.
 *
 * <p>Header names are kept as given; lookups with {@link #header(String)} ignore case, as
 * {@code URLRequest.value(forHTTPHeaderField:)} does.
 *
 * @param url absolute URL
 * @param method HTTP method (PUT, POST)
 * @param headers request headers, sorted by name
 */
@API(status = API.Status.STABLE, since = "0.1")
public record UploadRequest(URI url, String method, SortedMap<String, String> headers) {

    public UploadRequest {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        if (!url.isAbsolute()) {
            throw new IllegalArgumentException("destination URL must be absolute: " + url);
        }
        method = method.toUpperCase(Locale.ROOT);
        headers = Collections.unmodifiableSortedMap(new TreeMap<>(headers));
    }

    /** A PUT to {@code url} with no headers. */
    public static UploadRequest put(URI url) {
        return new UploadRequest(url, "PUT", new TreeMap<>());
    }

    /** A POST to {@code url} with no headers. */
    public static UploadRequest post(URI url) {
        return new UploadRequest(url, "POST", new TreeMap<>());
    }

    /** A GET of {@code url} with no headers. */
    public static UploadRequest get(URI url) {
        return new UploadRequest(url, "GET", new TreeMap<>());
    }

    /** A copy with one header added or replaced. */
    public UploadRequest withHeader(String name, String value) {
        TreeMap<String, String> copy = new TreeMap<>(headers);
        copy.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        copy.put(name, value);
        return new UploadRequest(url, method, copy);
    }

    /** The header's value, looked up ignoring case. */
    public Optional<String> header(String name) {
        for (var entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return Optional.of(entry.getValue());
            }
        }
        return Optional.empty();
    }
}
