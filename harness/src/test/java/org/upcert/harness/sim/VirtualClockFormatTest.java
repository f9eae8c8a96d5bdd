package org.upcert.harness.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class VirtualClockFormatTest {
    @Test
    void writesWhatTheRootLocaleFormatterWrote() {
        long[] edges = {0, 1, 9, 10, 99, 100, 999, 1_000, 59_999, 60_000, 61_001, 3_599_999, 3_600_000, 3_600_001,
            36_000_000, 359_999_999, 360_000_000_000L, Long.MAX_VALUE, -1, -1_000, -3_600_001, Long.MIN_VALUE};
        for (long t : edges) {
            assertEquals(VirtualClock.formatted(t), VirtualClock.format(t), "t=" + t);
        }
        SimRandom random = new SimRandom(13);
        for (int i = 0; i < 100_000; i++) {
            long t = Math.floorMod(random.nextLong(), 1_000_000_000L);
            assertEquals(VirtualClock.formatted(t), VirtualClock.format(t), "t=" + t);
        }
        assertEquals("2h03m04.005s", VirtualClock.format(2 * 3_600_000 + 3 * 60_000 + 4_005));
        assertEquals("4m00.000s", VirtualClock.format(240_000));
        assertEquals("0.050s", VirtualClock.format(50));
    }

    @Test
    void digitsAreAsciiWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault(Locale.Category.FORMAT);
        try {
            Locale.setDefault(Locale.Category.FORMAT, Locale.forLanguageTag("ar-SA-u-nu-arab"));
            assertEquals("1h01m01.001s", VirtualClock.format(3_661_001));
        } finally {
            Locale.setDefault(Locale.Category.FORMAT, before);
        }
    }
}
