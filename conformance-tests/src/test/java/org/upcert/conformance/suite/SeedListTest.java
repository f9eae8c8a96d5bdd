package org.upcert.conformance.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code certify --seeds} / {@code upcert.seeds}: a count, a list, ranges as {@code explore --seeds} takes them. */
class SeedListTest {

    @Test
    @DisplayName("a count is seeds 1..N; a list keeps its order and each seed once; a range A..B is every seed in it")
    void forms() {
        assertEquals(List.of(1L, 2L, 3L), SuiteConfig.seeds("3"));
        assertEquals(List.of(4L, 9L, 17L), SuiteConfig.seeds("4,9,17"));
        assertEquals(List.of(7L), SuiteConfig.seeds("7,"));
        assertEquals(List.of(1L, 2L, 3L), SuiteConfig.seeds("1..3"));
        assertEquals(List.of(40L, 1L, 2L, 3L), SuiteConfig.seeds("40, 1..3, 2"));
        assertEquals(List.of(5L), SuiteConfig.seeds("5..5"));
    }

    @Test
    @DisplayName("a malformed, backwards or oversized range is refused with what to write instead")
    void refusals() {
        String backwards = assertThrows(SuiteConfigException.class, () -> SuiteConfig.seeds("9..3")).getMessage();
        assertTrue(backwards.contains("runs backwards") && backwards.contains("3..9"), backwards);
        String words = assertThrows(SuiteConfigException.class, () -> SuiteConfig.seeds("1..three")).getMessage();
        assertTrue(words.contains("seeds must be") && words.contains("1..10"), words);
        String huge = assertThrows(SuiteConfigException.class, () -> SuiteConfig.seeds("1..20000")).getMessage();
        assertTrue(huge.contains("more than 10000"), huge);
        String many = assertThrows(SuiteConfigException.class, () -> SuiteConfig.seeds("1..6000,10001..16000")).getMessage();
        assertTrue(many.contains("at most 10000"), many);
        assertThrows(SuiteConfigException.class, () -> SuiteConfig.seeds("0"));
    }
}
