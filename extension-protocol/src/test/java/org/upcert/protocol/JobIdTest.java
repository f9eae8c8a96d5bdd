package org.upcert.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Protocol#jobId} writes exactly what {@code String.format("J%06d", n)} wrote before it. */
class JobIdTest {
    @Test
    void sameAsTheFormatPattern() {
        long[] edges = {0, 1, 9, 10, 99_999, 100_000, 999_999, 1_000_000, 12_345_678, Long.MAX_VALUE, -1, -123_456, Long.MIN_VALUE};
        for (long n : edges) {
            assertEquals(String.format("J%06d", n), Protocol.jobId(n), "job " + n);
        }
        for (long n = 0; n < 20_000; n += 7) {
            assertEquals(String.format("J%06d", n), Protocol.jobId(n), "job " + n);
        }
    }
}
