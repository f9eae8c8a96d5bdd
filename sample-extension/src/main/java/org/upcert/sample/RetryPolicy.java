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
 * retry is spent, or when the server refused the request (a refusal is never resent as is,
 * RTY-02), the resource needs a new job (RTY-01); this policy spaces those new jobs out
 * (RTY-02's spacing) and gives up on a resource only when the server has kept refusing it
 * for long enough ({@link #givesUp}), so a resource the server never accepts cannot keep the
 * extension busy forever, and a burst of server errors never loses a photo. Network-level
 * failures are never a reason to give up.
 *
 * <p>Every wait is capped at {@link #MAX_WAIT}, just under the ~5 minutes the system waits
 * before calling again after a PROCESSING answer without progress (reference §5). So whenever
 * the system does call again, every deferred resource is due and the call makes progress:
 * no endless PROCESSING without progress (RES-03), at the price of honouring a very long
 * {@code Retry-After} only partly (RTY-04 is a SHOULD, RES-03 a MUST).
 */
final class RetryPolicy {

    /**
     * Refusals (the server answered, without {@code retry-after}) of one resource before it may
     * be given up: more than the 5 upcert asks for (its GiveUp rule), with a margin for a refusal
     * counted twice when a kill strikes between recording it and acknowledging its job.
     */
    static final int GIVE_UP_REFUSALS = 8;
    /**
     * How long the server must have kept refusing a resource before it is given up: upcert's
     * 30 minutes, longer than any burst of server errors lasts (its longest standard window is 10).
     */
    static final Duration GIVE_UP_SPAN = Duration.ofMinutes(30);
    /**
     * On iOS 26.1 a failed job shows neither error nor headers: it may have been refused, and a
     * refusal must not be resent at once again and again (RTY-02). A resource with this many
     * failed jobs behind it is no longer retried in place when its failure is unexplained;
     * it gets a new job after the backoff.
     */
    static final int UNEXPLAINED_RETRIES_IN_PLACE = 2;
    /** The longest a resource waits for its next job. */
    static final Duration MAX_WAIT = Duration.ofMinutes(4);
    private static final Duration FIRST_WAIT = Duration.ofSeconds(5);

    private RetryPolicy() {
    }

    /**
     * Whether a resource is given up after its {@code refusals}-th refusal (this one included).
     * The span is judged conservatively on what the extension knows: the first refusal was
     * noticed at {@code firstRefusalMillis} (it happened no later), and the job just refused was
     * created no earlier than {@code notBeforeMillis} (the wait the ledger had set for it), so
     * the refusals truly span at least the difference.
     */
    static boolean givesUp(int refusals, long firstRefusalMillis, long notBeforeMillis) {
        return refusals >= GIVE_UP_REFUSALS && firstRefusalMillis > 0
                && notBeforeMillis - firstRefusalMillis >= GIVE_UP_SPAN.toMillis();
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
