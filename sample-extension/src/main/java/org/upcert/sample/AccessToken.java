package org.upcert.sample;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;

/**
 * An OAuth bearer token with the times it was issued and expires, on the simulated clock
 * ({@code ExtensionContext.clock()}, never the wall clock).
 *
 * <p>Cached in memory and in the app group ({@link #toStorageLine()}), so that a relaunched
 * process reuses it instead of signing in on every launch. On a device a token belongs in the
 * keychain (shared through a keychain access group); the app group keeps this sample simple.
 *
 * @param value the token text sent as {@code Authorization: Bearer <value>}
 * @param issuedAt when it was obtained
 * @param expiresAt when the server stops accepting it
 */
record AccessToken(String value, Instant issuedAt, Instant expiresAt) {

    /** Refresh a token this long before it expires (or at half its life, if that is sooner). */
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(10);
    /** Lifetime assumed when a token response omits {@code expires_in}; a 401 corrects it. */
    static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private static final String STORAGE_VERSION = "v1";

    private static boolean visibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    AccessToken {
        if (value.isBlank() || !visibleAscii(value)) {
            // A token goes into an HTTP header and into a one-line file: visible ASCII only.
            throw new IllegalArgumentException("unusable access token");
        }
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("token expires before it is issued");
        }
    }

    /**
     * The token of a successful token-endpoint response.
     *
     * @param json the response body
     * @param now when the response arrived
     * @throws IllegalArgumentException if the body is not a usable bearer token response
     */
    static AccessToken fromTokenResponse(String json, Instant now) {
        SortedMap<String, String> fields = JsonFields.parse(json);
        String value = fields.get("access_token");
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("no access_token in token response");
        }
        String type = fields.get("token_type");
        if (type != null && !type.toLowerCase(Locale.ROOT).equals("bearer")) {
            throw new IllegalArgumentException("token_type is " + type + ", not Bearer");
        }
        Duration lifetime = DEFAULT_LIFETIME;
        String expiresIn = fields.get("expires_in");
        if (expiresIn != null) {
            long seconds;
            try {
                seconds = (long) Double.parseDouble(expiresIn);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expires_in is not a number: " + expiresIn);
            }
            if (seconds <= 0) {
                throw new IllegalArgumentException("expires_in is not positive: " + expiresIn);
            }
            lifetime = Duration.ofSeconds(seconds);
        }
        return new AccessToken(value, now, now.plus(lifetime));
    }

    /**
     * Whether to keep using the token at {@code now}: not within the refresh margin of its
     * expiry. The margin is capped at half the lifetime, so a short-lived token (a server
     * handing out 5-minute tokens) is still used, instead of signing in before every request.
     */
    boolean usableAt(Instant now) {
        Duration halfLife = Duration.between(issuedAt, expiresAt).dividedBy(2);
        Duration margin = halfLife.compareTo(REFRESH_MARGIN) < 0 ? halfLife : REFRESH_MARGIN;
        return now.isBefore(expiresAt.minus(margin));
    }

    /** The value of an {@code Authorization} header carrying this token. */
    String authorizationHeader() {
        return "Bearer " + value;
    }

    /** {@code v1<TAB>issuedAtMillis<TAB>expiresAtMillis<TAB>token}. */
    String toStorageLine() {
        return STORAGE_VERSION + "\t" + issuedAt.toEpochMilli() + "\t" + expiresAt.toEpochMilli() + "\t" + value + "\n";
    }

    /** The token stored by {@link #toStorageLine()}; empty if the text is not one. */
    static Optional<AccessToken> fromStorageLine(String line) {
        String[] parts = line.strip().split("\t", -1);
        if (parts.length != 4 || !parts[0].equals(STORAGE_VERSION)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new AccessToken(parts[3], Instant.ofEpochMilli(Long.parseLong(parts[1])),
                    Instant.ofEpochMilli(Long.parseLong(parts[2]))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        // Never log a credential.
        return "AccessToken[expiresAt=" + expiresAt + "]";
    }
}
