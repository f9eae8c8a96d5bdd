package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    @DisplayName("number-unit parts add up; fractions allowed down to the millisecond")
    void parse() {
        assertEquals(500, Durations.parse("500ms").orElseThrow());
        assertEquals(90_000, Durations.parse("90s").orElseThrow());
        assertEquals(300_000, Durations.parse("5m").orElseThrow());
        assertEquals(5_400_000, Durations.parse("1h30m").orElseThrow());
        assertEquals(5_400_000, Durations.parse("1.5h").orElseThrow());
        assertEquals(86_400_000 + 1, Durations.parse("1d1ms").orElseThrow());
        assertEquals(0, Durations.parse("0s").orElseThrow());
    }

    @Test
    @DisplayName("anything else is not a duration")
    void rejects() {
        for (String bad : new String[] {"", "5", "5 m", "m", "-5s", "1.0005s", "1y", "5M", "1h 30m", "99999999999d"}) {
            assertTrue(Durations.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    @DisplayName("format gives the shortest exact rendering and round-trips")
    void format() {
        assertEquals("0s", Durations.format(0));
        assertEquals("500ms", Durations.format(500));
        assertEquals("1m30s", Durations.format(90_000));
        assertEquals("1h", Durations.format(3_600_000));
        assertEquals("2d3h", Durations.format(2 * 86_400_000L + 3 * 3_600_000L));
        for (long millis : new long[] {1, 999, 1_000, 61_001, 3_600_000, 123_456_789}) {
            assertEquals(millis, Durations.parse(Durations.format(millis)).orElseThrow());
        }
    }
}
