package org.upcert.harness.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SystemPolicyTest {

    @Test
    @DisplayName("with() replaces exactly one component and keeps the rest")
    void withReplacesOne() {
        SystemPolicy defaults = SystemPolicy.defaults();
        SystemPolicy changed = defaults.with("runtimeLimitMs", 30_000L);
        assertEquals(30_000, changed.runtimeLimitMs());
        assertEquals(defaults.with("runtimeLimitMs", 60_000L), defaults);
        assertEquals(defaults.terminationGraceMs(), changed.terminationGraceMs());
        assertTrue(defaults.withQuirks(true, true, true).count204AsFailure());
        assertEquals(PayloadMode.FULL, defaults.withPayload(PayloadMode.FULL).payload());
    }

    @Test
    @DisplayName("with() refuses unknown components, wrong types and invalid policies with a clear message")
    void withRefusesBadInput() {
        SystemPolicy defaults = SystemPolicy.defaults();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> defaults.with("nope", 1))
                .getMessage().contains("no component 'nope'"));
        assertThrows(IllegalArgumentException.class, () -> defaults.with("runtimeLimitMs", "soon"));
        assertThrows(IllegalArgumentException.class, () -> defaults.with("transferSlots", 0));
    }
}
