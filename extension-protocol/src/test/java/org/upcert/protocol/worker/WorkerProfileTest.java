package org.upcert.protocol.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerProfileTest {
    @Test
    void eachWorkerClaimsARecordingOfItsOwn(@TempDir Path dir) throws IOException {
        String name = dir.resolve("worker-%n.jfr").toString();
        assertEquals(dir.resolve("worker-1.jfr"), WorkerProfile.claim(name));
        assertEquals(dir.resolve("worker-2.jfr"), WorkerProfile.claim(name));
        assertEquals(dir.resolve("one.jfr"), WorkerProfile.claim(dir.resolve("one.jfr").toString()));
    }
}
