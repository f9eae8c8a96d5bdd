package org.upcert.harness.host.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a container's end is described and how its output reaches the harness, without an engine. */
class ContainerProcessTest {

    @Test
    void exitsAreDescribedAsTheHarnessReportsThem() {
        assertEquals("exited with status 0", ContainerProcess.describe(0, false));
        assertEquals("exited with status 3", ContainerProcess.describe(3, false));
        assertEquals("killed by signal 9", ContainerProcess.describe(137, false));
        assertEquals("killed by signal 6", ContainerProcess.describe(134, false));
        assertEquals("out of memory (container limit)", ContainerProcess.describe(137, true));
    }

    @Test
    void outputPassesThroughInOrderAndEndsWhenTheWriterCloses() throws Exception {
        OutputPipe pipe = new OutputPipe();
        byte[] big = new byte[OutputPipe.CAPACITY * 3 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                pipe.write("first\n".getBytes(StandardCharsets.UTF_8), 0, 6);
                pipe.write(big, 0, big.length);
                pipe.closeWriter();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] all = pipe.readAllBytes();
        writer.get(10, TimeUnit.SECONDS);

        assertEquals(6 + big.length, all.length);
        assertEquals("first\n", new String(all, 0, 6, StandardCharsets.UTF_8));
        byte[] rest = new byte[big.length];
        System.arraycopy(all, 6, rest, 0, big.length);
        assertArrayEquals(big, rest);
    }

    @Test
    void aReaderThatGoesAwayNeverBlocksTheWriter() throws Exception {
        OutputPipe pipe = new OutputPipe();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                pipe.write(new byte[OutputPipe.CAPACITY * 4], 0, OutputPipe.CAPACITY * 4);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(Bounded.within(Duration.ofSeconds(10), () -> pipe.available() == OutputPipe.CAPACITY), "the buffer never filled");
        pipe.close();
        writer.get(10, TimeUnit.SECONDS);
        assertEquals(-1, pipe.read());
    }
}
