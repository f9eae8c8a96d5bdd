package org.upcert.conformance.suite;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What -Dupcert.timings prints: when the runs started and ended, and the CPU of each part. */
class SuiteTimingsTest {

    @Test
    @DisplayName("the phases are seconds since the certification started; the runs' wall and CPU are summed")
    void phases() {
        long start = 1_000_000_000L;
        SuiteTimings timings = new SuiteTimings(start);
        timings.run("baseline/1", start + 1_000_000_000L, start + 3_000_000_000L, 500_000_000L);
        timings.run("everything/2", start + 2_000_000_000L, start + 6_000_000_000L, 700_000_000L);
        timings.judged(200_000_000L);
        timings.judgedAhead("everything · seed 2", start + 6_000_000_000L, start + 6_250_000_000L, 100_000_000L);
        timings.judgedAhead("baseline · seed 1", start + 3_000_000_000L, start + 3_100_000_000L, 0L);
        timings.reported(200_000_000L);
        String text = timings.describe(start + 7_000_000_000L, start + 7_500_000_000L, 2);
        assertTrue(text.contains("first run started            1.00"), text);
        assertTrue(text.contains("last run ended               6.00   (2 runs, 6.0 s of run wall in all, 1.2 s CPU of the simulation threads)"), text);
        assertTrue(text.contains("last run started             2.00   (the last to end: everything/2 6.00, baseline/1 3.00; the upcert JVM's CPU after the last: "), text);
        assertTrue(text.contains("longest runs                everything/2 4.0 s (0.7 s CPU), baseline/1 2.0 s (0.5 s CPU)"), text);
        assertTrue(text.contains("last run judged              6.25   (everything · seed 2, 0.25 s wall, 0.10 s CPU)"), text);
        assertTrue(text.contains("suite ended                  7.00   (judging 0.3 s CPU, Allure reports of the cells 0.2 s CPU)"), text);
        assertTrue(text.contains("bundle written               7.50"), text);
        assertTrue(text.contains("extension processes"), text);
    }
}
