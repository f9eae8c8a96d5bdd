package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    private static Optional<SortedMap<String, String>> headers(String name, String value) {
        TreeMap<String, String> map = new TreeMap<>();
        map.put(name, value);
        return Optional.of(map);
    }

    @Test
    void backoffGrowsAndStaysUnderTheSlowCallInterval() {
        assertEquals(Duration.ofSeconds(5), RetryPolicy.backoff(1));
        assertEquals(Duration.ofSeconds(20), RetryPolicy.backoff(2));
        assertEquals(Duration.ofSeconds(80), RetryPolicy.backoff(3));
        assertEquals(RetryPolicy.MAX_WAIT, RetryPolicy.backoff(4));
        assertEquals(RetryPolicy.MAX_WAIT, RetryPolicy.backoff(1000));
        assertTrue(RetryPolicy.MAX_WAIT.compareTo(Duration.ofMinutes(5)) < 0);
    }

    @Test
    void givesUpOnlyOnEnoughRefusalsOverHalfAnHour() {
        long first = NOW.toEpochMilli();
        long halfHour = RetryPolicy.GIVE_UP_SPAN.toMillis();
        assertTrue(RetryPolicy.givesUp(RetryPolicy.GIVE_UP_REFUSALS, first, first + halfHour));
        assertFalse(RetryPolicy.givesUp(RetryPolicy.GIVE_UP_REFUSALS - 1, first, first + 10 * halfHour), "too few");
        assertFalse(RetryPolicy.givesUp(100, first, first + halfHour - 1), "a burst, however many refusals");
        assertFalse(RetryPolicy.givesUp(100, 0, first + halfHour), "no refusal noticed");
    }

    @Test
    void readsRetryAfterInSecondsOrAsADate() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryPolicy.retryAfter(headers("retry-after", "30"), NOW));
        assertEquals(Optional.of(Duration.ofSeconds(90)),
                RetryPolicy.retryAfter(headers("retry-after", "Sun, 01 Mar 2026 08:01:30 GMT"), NOW));
    }

    @Test
    void capsRetryAfterAndIgnoresWhatItCannotUse() {
        assertEquals(Optional.of(RetryPolicy.MAX_WAIT), RetryPolicy.retryAfter(headers("retry-after", "86400"), NOW));
        assertEquals(Optional.empty(), RetryPolicy.retryAfter(headers("retry-after", "0"), NOW));
        assertEquals(Optional.empty(), RetryPolicy.retryAfter(headers("retry-after", "soon"), NOW));
        assertEquals(Optional.empty(), RetryPolicy.retryAfter(headers("retry-after", "Sun, 01 Mar 2026 07:00:00 GMT"), NOW));
        assertEquals(Optional.empty(), RetryPolicy.retryAfter(Optional.empty(), NOW));
    }

    @Test
    void readsOnlyTheLowercaseHeaderName() {
        // CLD-01: the system lowercases response header names; a mixed-case lookup finds nothing.
        assertEquals(Optional.empty(), RetryPolicy.retryAfter(headers("Retry-After", "30"), NOW));
    }

    @Test
    void theLaterOfBackoffAndRetryAfterWins() {
        assertEquals(NOW.plusSeconds(5), RetryPolicy.nextAttemptAt(NOW, 1, Optional.empty()));
        assertEquals(NOW.plusSeconds(60), RetryPolicy.nextAttemptAt(NOW, 1, Optional.of(Duration.ofSeconds(60))));
        assertEquals(NOW.plusSeconds(80), RetryPolicy.nextAttemptAt(NOW, 3, Optional.of(Duration.ofSeconds(60))));
    }
}
