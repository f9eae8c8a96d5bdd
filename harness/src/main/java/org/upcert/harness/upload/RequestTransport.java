package org.upcert.harness.upload;

import java.util.Map;
import java.util.TreeMap;
import org.upcert.api.UploadError;
import org.upcert.api.UploadRequest;

/**
 * How the system's requests reach the cloud stub. Two transports, one contract: the same request
 * gets the same sanitized answer, so a run's trace is identical whichever carries it.
 *
 * <ul>
 *   <li>{@link HttpTransport}: real HTTP/1.1 over loopback to the WireMock server (the default);
 *   <li>{@link DirectTransport}: calls the cloud dialect in the same JVM, no socket (for seed
 *       sweeps: the same trace, many times faster).
 * </ul>
 */
public interface RequestTransport extends AutoCloseable {

    /** A response, headers sanitized (lowercase names, virtual {@code date}, no transport headers). */
    record Exchange(int status, TreeMap<String, String> headers, byte[] body) {
    }

    /** No response: the sanitized error to report. */
    final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient UploadError error;

        public Failure(UploadError error) {
            super(error.toString());
            this.error = error;
        }

        public UploadError error() {
            return error;
        }
    }

    /**
     * Sends {@code request} with {@code body} and {@code extraHeaders}; {@code virtualNow} stamps the
     * sanitized {@code date}; {@code retryGlitches} false when a fault was injected on purpose (a
     * planned reset must fail, not be retried away).
     */
    Exchange send(UploadRequest request, byte[] body, Map<String, String> extraHeaders, long virtualNow,
            boolean retryGlitches) throws Failure;

    /** {@link #send(UploadRequest, byte[], Map, long, boolean)} retrying transport glitches. */
    default Exchange send(UploadRequest request, byte[] body, Map<String, String> extraHeaders, long virtualNow)
            throws Failure {
        return send(request, body, extraHeaders, virtualNow, true);
    }

    /**
     * Whether {@code headerName} is one of upcert's own request headers ({@code x-upcert-…}: the fault
     * engine's {@link RequestFaults#INJECT_HEADER}, the system's {@code x-upcert-declared-length}), which
     * the system adds to its own requests. An extension's destination or {@code ctx.http()} request that
     * carries one has it dropped: before round six a forged {@code x-upcert-inject: status=oops} made the
     * stub throw (a harness fault: every rule of the run SKIPPED, exit 3, decided by the extension).
     */
    static boolean upcertsOwn(String headerName) {
        return headerName.regionMatches(true, 0, "x-upcert-", 0, "x-upcert-".length());
    }

    /**
     * Why {@code request} cannot be sent at all (a method or a header name or value HTTP does not allow,
     * as the JDK's client judges them), or null. Both transports check it first, so an extension's
     * malformed destination or {@code ctx.http()} request fails as that request, the same over either,
     * rather than as an exception of upcert's (before round six the loopback transport threw the
     * client's {@code IllegalArgumentException}: {@code upcert run} ended with exit 2).
     */
    static UploadError malformed(UploadRequest request) {
        try {
            java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder()
                    .method(request.method(), java.net.http.HttpRequest.BodyPublishers.noBody());
            for (Map.Entry<String, String> header : request.headers().entrySet()) {
                String name = header.getKey().toLowerCase(java.util.Locale.ROOT);
                if (!HttpTransport.RESTRICTED_REQUEST_HEADERS.contains(name) && !upcertsOwn(name)) {
                    builder.header(header.getKey(), header.getValue());
                }
            }
            return null;
        } catch (IllegalArgumentException e) {
            return UploadError.transport(UploadError.UNKNOWN, "the request could not be sent (a method or header HTTP does not allow)");
        }
    }

    @Override
    default void close() {
    }
}
