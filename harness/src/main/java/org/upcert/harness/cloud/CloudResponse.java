package org.upcert.harness.cloud;

import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * A dialect's answer.
 *
 * @param status HTTP status
 * @param headers response headers (names as the service sends them)
 * @param body response body
 */
public record CloudResponse(int status, TreeMap<String, String> headers, byte[] body) {

    public static CloudResponse of(int status) {
        return new CloudResponse(status, new TreeMap<>(), new byte[0]);
    }

    public static CloudResponse json(int status, String json) {
        return of(status).withHeader("Content-Type", "application/json").withBody(json);
    }

    public CloudResponse withHeader(String name, String value) {
        TreeMap<String, String> copy = new TreeMap<>(headers);
        copy.put(name, value);
        return new CloudResponse(status, copy, body);
    }

    public CloudResponse withBody(String text) {
        return new CloudResponse(status, headers, text.getBytes(StandardCharsets.UTF_8));
    }
}
