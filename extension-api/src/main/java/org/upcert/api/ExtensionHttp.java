package org.upcert.api;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.SortedMap;

/**
 * HTTP for the extension's own requests ({@code URLSession.shared.data(for:)} on a device): sign
 * in, create an upload session, commit uploaded items. Synchronous; costs simulated time by
 * latency and size; subject to the same network conditions and faults as the system's uploads.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface ExtensionHttp {

    /**
     * Sends a request and returns the response, whatever its status.
     *
     * @param request URL, method and headers
     * @param body the request body; empty for none
     * @throws TransportException when no HTTP response arrived (offline, timeout, connection lost)
     */
    Response send(UploadRequest request, byte[] body) throws TransportException;

    /** {@link #send(UploadRequest, byte[])} with a UTF-8 text body. */
    default Response send(UploadRequest request, String body) throws TransportException {
        return send(request, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An HTTP response. Header names are lowercased, as {@code HTTPURLResponse} presents them to
     * PhotoKit's {@code responseHeaderFields}.
     *
     * @param status the HTTP status code
     * @param headers lowercased header names, sorted
     * @param body the response body
     */
    @API(status = API.Status.STABLE, since = "0.1")
    record Response(int status, SortedMap<String, String> headers, byte[] body) {
        public Response {
            headers = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(headers));
            body = body.clone();
        }

        /** The header with that (lowercase) name. */
        public Optional<String> header(String lowercaseName) {
            return Optional.ofNullable(headers.get(lowercaseName));
        }

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Whether the status is 2xx. */
        public boolean isSuccessful() {
            return status >= 200 && status < 300;
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** No HTTP response arrived; {@link #error()} says why, NSURLErrorDomain-style. */
    @API(status = API.Status.STABLE, since = "0.1")
    final class TransportException extends Exception {
        private static final long serialVersionUID = 1L;
        private final UploadError error;

        public TransportException(UploadError error) {
            super(error.toString());
            this.error = error;
        }

        /** The sanitized error. */
        public UploadError error() {
            return error;
        }
    }
}
