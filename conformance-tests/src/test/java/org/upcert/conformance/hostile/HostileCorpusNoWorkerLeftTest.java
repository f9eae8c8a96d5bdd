package org.upcert.conformance.hostile;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;
import org.upcert.conformance.hostile.HostileCorpusTest.Mode;

/**
 * The cases of the hostile corpus ({@link HostileCorpusTest}) that end by counting the worker
 * processes left: a hang and the thread bomb are killed for real, and no worker outlives the
 * certification.
 */
// Alone: it counts every worker process of this JVM, and another class's certify has its own.
@Isolated
class HostileCorpusNoWorkerLeftTest {
    @Test
    @Timeout(300)
    @DisplayName("a busy loop that ignores interrupts and a deadlock are killed for real, and the run ends")
    void hangs(@TempDir Path dir) throws IOException {
        HostileCorpusTest.busyLoop(dir, Mode.WORKER);
        HostileCorpusTest.deadlock(dir, Mode.WORKER);
        HostileCorpusTest.assertNoWorkerLeft();
    }

    @Test
    @Timeout(180)
    @DisplayName("5,000 threads are refused past the sandbox's bound")
    void threads(@TempDir Path dir) throws IOException {
        HostileCorpusTest.threads(dir, Mode.WORKER);
        HostileCorpusTest.assertNoWorkerLeft();
    }
}
