package org.upcert.sample;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.SortedMap;

/**
 * When a resource whose job failed may be tried again, and when to stop.
 *
 * <p>A failed job gets one retry from the system (immediately, in the next call). Once that
 * retry is spent the resource needs a new job (RTY-01); this policy spaces those new jobs out
 * and gives up after {@link #MAX_ATTEMPTS} failed jobs for one resource, so a resource the
 * server never accepts cannot keep the extension busy forever.
 *
 * <p>Every wait is capped at {@link #MAX_WAIT}, just under the ~5 minutes the system waits
 * before calling again after a PROCESSING answer without progress (reference §5). So whenever
 * the system does call again, every deferred resource is due and the call makes progress:
 * no endless PROCESSING without progress (RES-03), at the price of honouring a very long
 * {@code Retry-After} only partly (RTY-04 is a SHOULD, RES-03 a MUST).
 */
final class RetryPolicy {

    /** Failed jobs (each with its retry) for one resource before it is abandoned. */
    static final int MAX_ATTEMPTS = 20;
    /** The longest a resource waits for its next job. */
    static final Duration MAX_WAIT = Duration.ofMinutes(4);
    private static final Duration FIRST_WAIT = Duration.ofSeconds(5);

    private RetryPolicy() {
    }

    /** Whether a resource whose {@code attempts}-th job just failed is given up. */
    static boolean exhausted(int attempts) {
        return attempts >= MAX_ATTEMPTS;
    }

    /**
     * How long to wait before the next job after {@code attempts} failed ones: 5 s, 20 s, 80 s,
     * then {@link #MAX_WAIT}.
     */
    static Duration backoff(int attempts) {
        Duration wait = FIRST_WAIT;
        for (int i = 1; i < attempts && wait.compareTo(MAX_WAIT) < 0; i++) {
            wait = wait.multipliedBy(4);
        }
        return wait.compareTo(MAX_WAIT) < 0 ? wait : MAX_WAIT;
    }

    /**
     * The server's {@code Retry-After} (RTY-04), read with its lowercase name (CLD-01): delta
     * seconds or an HTTP date, capped at {@link #MAX_WAIT}. Empty when absent, unreadable or
     * already past.
     */
    static Optional<Duration> retryAfter(Optional<SortedMap<String, String>> responseHeaders, Instant now) {
        Optional<String> value = responseHeaders.map(headers -> headers.get("retry-after"));
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get().strip();
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(text));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                wait = Duration.between(now, at);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
        if (wait.isNegative() || wait.isZero()) {
            return Optional.empty();
        }
        return Optional.of(wait.compareTo(MAX_WAIT) < 0 ? wait : MAX_WAIT);
    }

    /**
     * When the next job for a resource may be created after its {@code attempts}-th failed job:
     * after the backoff, or after the server's {@code Retry-After} if that is later.
     */
    static Instant nextAttemptAt(Instant now, int attempts, Optional<Duration> retryAfter) {
        Duration wait = backoff(attempts);
        if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
            wait = retryAfter.get();
        }
        return now.plus(wait);
    }
}
