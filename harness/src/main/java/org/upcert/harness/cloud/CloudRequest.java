package org.upcert.harness.cloud;

import java.util.Optional;
import java.util.SortedMap;

/**
 * A request as a dialect sees it, independent of the transport (WireMock over loopback today,
 * an in-JVM call later).
 *
 * @param method upper-case HTTP method
 * @param path the path, without query
 * @param query the raw query string, or empty
 * @param headers header names lowercased
 * @param body the request body
 */
public record CloudRequest(String method, String path, String query, SortedMap<String, String> headers, byte[] body) {

    public Optional<String> header(String lowercaseName) {
        return Optional.ofNullable(headers.get(lowercaseName));
    }
}
