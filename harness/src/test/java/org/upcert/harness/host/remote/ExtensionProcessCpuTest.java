package org.upcert.harness.host.remote;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The CPU of an extension process upcert kills is counted (-Dupcert.timings), once, however often it is killed. */
class ExtensionProcessCpuTest {

    @Test
    @DisplayName("a killed process's CPU time is counted once, read just before the kill")
    void killedProcessCounted() {
        long killedBefore = ExtensionProcessCpu.killed();
        long nanosBefore = ExtensionProcessCpu.killedNanos();
        LocalProcess busy;
        try {
            busy = LocalProcess.start(new ProcessBuilder("sh", "-c", "while :; do :; done"), false);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot start sh", e);
        }
        try {
            // the busy shell may be a child of unshare and its namespace's init: the tree's CPU counts
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> ProcessHandle.of(
                    busy.pid()).map(ExtensionProcessCpu::treeNanos).orElse(0L) >= 20_000_000L);
        } finally {
            busy.kill();
            busy.kill();
        }
        assertTrue(busy.awaitExit(Duration.ofSeconds(10)));
        assertTrue(ExtensionProcessCpu.killed() >= killedBefore + 1);
        assertTrue(ExtensionProcessCpu.killedNanos() - nanosBefore >= 20_000_000L,
                "at least the 20 ms it had used: " + (ExtensionProcessCpu.killedNanos() - nanosBefore));
    }
}
