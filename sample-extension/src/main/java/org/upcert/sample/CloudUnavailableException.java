package org.upcert.sample;

/**
 * The cloud cannot take uploads right now (sign-in failed, server unreachable) or at all
 * (credentials refused, configuration missing). Without a destination no job can be created,
 * so the call ends: PROCESSING when it may work later, FAILURE when it cannot (RES-01/RES-04).
 */
final class CloudUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean permanent;

    private CloudUnavailableException(String message, boolean permanent) {
        super(message);
        this.permanent = permanent;
    }

    /** Try again in a later call (network down, 5xx, malformed answer). */
    static CloudUnavailableException temporarily(String message) {
        return new CloudUnavailableException(message, false);
    }

    /** Will not work until the host app fixes something (bad credentials, unknown dialect). */
    static CloudUnavailableException permanently(String message) {
        return new CloudUnavailableException(message, true);
    }

    /** Whether a later call would fail the same way. */
    boolean permanent() {
        return permanent;
    }
}
