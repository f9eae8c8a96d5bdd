package org.upcert.api;

import java.util.Objects;

/**
 * A persistent change token ({@code PHPersistentChangeToken}): a point in the library's history.
 * Store {@link #encoded()} durably and {@link #decode(String)} it in a later process.
 *
 * @param encoded the token's opaque text form
 */
@API(status = API.Status.STABLE, since = "0.1")
public record ChangeToken(String encoded) {

    public ChangeToken {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.isBlank()) {
            throw new IllegalArgumentException("empty change token");
        }
    }

    /** The token stored earlier as {@link #encoded()}. */
    public static ChangeToken decode(String encoded) {
        return new ChangeToken(encoded);
    }
}
