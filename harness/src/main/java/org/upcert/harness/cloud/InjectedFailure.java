package org.upcert.harness.cloud;

import java.util.TreeMap;

/**
 * A failure the system's fault engine asked the cloud to play (the {@code x-upcert-inject}
 * header): an HTTP error status with an optional {@code Retry-After}, or a socket-level fault
 * ({@code reset}, {@code empty}, {@code garbage}). Played before the dialect and recorded in the
 * inventory as refused, so the same fault means the same thing for every dialect and transport.
 *
 * @param response the HTTP answer, or null for a socket fault
 * @param socketFault {@code reset}, {@code empty} or {@code garbage}, or null
 */
public record InjectedFailure(CloudResponse response, String socketFault) {

    /** Parses {@code spec} ({@code status=503;retry-after=30} or {@code malformed=reset}) and records it. */
    public static InjectedFailure play(CloudInventory inventory, String method, String path, String spec) {
        return play(inventory, method, path, spec, null);
    }

    /** As {@link #play(CloudInventory, String, String, String)}, with {@code dialect}'s error shape. */
    public static InjectedFailure play(CloudDialect dialect, String method, String path, String spec) {
        return play(dialect.inventory(), method, path, spec, dialect);
    }

    private static InjectedFailure play(CloudInventory inventory, String method, String path, String spec,
            CloudDialect dialect) {
        TreeMap<String, String> parts = new TreeMap<>();
        for (String part : spec.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        if (parts.containsKey("malformed")) {
            String form = parts.get("malformed");
            inventory.refuse(method, path, 0, "injected: malformed response (" + form + ")");
            return new InjectedFailure(null, form);
        }
        int status = Integer.parseInt(parts.getOrDefault("status", "500"));
        long retryAfter = Long.parseLong(parts.getOrDefault("retry-after", "0"));
        // The fault catalogue plays a 403 as an expired destination (docs/profiles.md, cloud.error):
        // say so, as a real S3 does ("Request has expired"), so that checkers can tell it apart.
        inventory.refuse(method, path, status, "injected: HTTP " + status + (status == 403 ? ", destination expired" : ""));
        CloudResponse response = dialect != null ? dialect.injectedError(status)
                : CloudResponse.json(status, "{\"error\":\"injected " + status + "\"}");
        if (retryAfter > 0) {
            response = response.withHeader("Retry-After", Long.toString(retryAfter));
        }
        return new InjectedFailure(response, null);
    }
}
