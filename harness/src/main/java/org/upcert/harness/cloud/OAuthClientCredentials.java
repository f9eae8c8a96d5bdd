package org.upcert.harness.cloud;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.upcert.harness.sim.SimRandom;

/**
 * A client-credentials token endpoint and the bearer tokens it issued, on the virtual clock,
 * for the dialects that sign in with client credentials ({@link GenericPutDialect}, {@link GooglePhotosDialect}, {@link OneDriveDialect},
 * {@link DropboxDialect}). Token texts are
 * derived from the run's seed and a prefix, so traces stay identical. Not thread-safe: the
 * owning dialect synchronises.
 */
final class OAuthClientCredentials {
    static final String CLIENT_ID = "upcert-sample";
    static final String CLIENT_SECRET = "s3cret";

    /** Outcome of checking an {@code Authorization} header. */
    enum Check { VALID, MISSING, MALFORMED, UNKNOWN, EXPIRED }

    private final TreeMap<String, Long> expiry = new TreeMap<>();
    /** The client secret the endpoint accepts now ({@code ""}: none, signed out). */
    private String secret = CLIENT_SECRET;
    private final long seed;
    private final String prefix;
    private final LongSupplier virtualNow;
    private final long lifetimeMs;
    private long issued;

    OAuthClientCredentials(long seed, String prefix, LongSupplier virtualNow, long lifetimeMs) {
        this.seed = seed;
        this.prefix = prefix;
        this.virtualNow = virtualNow;
        this.lifetimeMs = lifetimeMs;
    }

    long lifetimeSeconds() {
        return lifetimeMs / 1000;
    }

    /** A new token for a form body with valid client credentials; null if they are wrong. */
    String issue(byte[] formBody) {
        TreeMap<String, String> form = form(new String(formBody, StandardCharsets.UTF_8));
        if (!"client_credentials".equals(form.get("grant_type"))
                || !CLIENT_ID.equals(form.get("client_id")) || secret.isEmpty() || !secret.equals(form.get("client_secret"))) {
            return null;
        }
        issued++;
        String token = String.format(java.util.Locale.ROOT, "%s%04d-%016x", prefix, issued, SimRandom.mix64(seed ^ prefix.hashCode() ^ (issued * 0x9E3779B97F4A7C15L)));
        expiry.put(token, virtualNow.getAsLong() + lifetimeMs);
        return token;
    }

    /** Only {@code clientSecret} signs in from now on ({@code ""}: nothing does); every issued token is revoked. */
    void changeSecret(String clientSecret) {
        secret = clientSecret;
        expiry.clear(); // a revoked token is unknown to the server: 401 invalid_token
    }

    /** Checks an {@code Authorization} header value (null when absent). */
    Check check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return Check.MISSING;
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Check.MALFORMED;
        }
        Long until = expiry.get(authorization.substring(7).trim());
        if (until == null) {
            return Check.UNKNOWN;
        }
        return virtualNow.getAsLong() >= until ? Check.EXPIRED : Check.VALID;
    }

    static TreeMap<String, String> form(String body) {
        TreeMap<String, String> fields = new TreeMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }

    /** {@code text} as a JSON string literal, non-ASCII escaped (safe in an HTTP header too). */
    static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7E) {
                        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
