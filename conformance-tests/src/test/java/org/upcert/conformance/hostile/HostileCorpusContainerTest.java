package org.upcert.conformance.hostile;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.hostile.HostileCorpusTest.Mode;

/**
 * The hostile corpus ({@link HostileCorpusTest}) in the container sandbox: the same cases, asserted
 * the same way. A class of its own so that it runs beside the worker cases instead of after them
 * (it is the corpus's longest part: a worker JVM boots in a container at every launch). It counts
 * no process (a container is none of this JVM's), so it needs no isolation from other classes.
 */
class HostileCorpusContainerTest {
    @Test
    @Timeout(600)
    @DisplayName("in the container sandbox every case but the deadlock (a hang like the busy loop) gets the same verdict, and nothing gets out")
    void inTheContainer(@TempDir Path dir) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.upcert.harness.host.container.DockerEngine.isAvailable(),
                () -> "no Docker engine: " + org.upcert.harness.host.container.DockerEngine.unavailableReason().orElse("?"));
        HostileCorpusTest.exits(dir, Mode.CONTAINER);
        HostileCorpusTest.reflection(dir, Mode.CONTAINER);
        HostileCorpusTest.busyLoop(dir, Mode.CONTAINER);
        HostileCorpusTest.crashes(dir, Mode.CONTAINER);
        HostileCorpusTest.threads(dir, Mode.CONTAINER);
        HostileCorpusTest.stdoutFlood(dir, Mode.CONTAINER);
        HostileCorpusTest.filesOutsideStorage(dir, Mode.CONTAINER);
        HostileCorpusTest.rawSocket(dir, Mode.CONTAINER);
        HostileCorpusTest.otherProcesses(dir, Mode.CONTAINER);
    }
}
