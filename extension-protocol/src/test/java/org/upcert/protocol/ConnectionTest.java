package org.upcert.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protocol's connection over a real Unix-domain socket: requests both ways, interrupts, violations. */
class ConnectionTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private SocketChannel harnessSide;
    private SocketChannel extensionSide;

    @AfterEach
    void close() throws IOException {
        pool.shutdownNow();
        harnessSide.close();
        extensionSide.close();
    }

    private void connect(Path dir) throws IOException {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            extensionSide = SocketChannel.open(StandardProtocolFamily.UNIX);
            extensionSide.connect(UnixDomainSocketAddress.of(socket));
            harnessSide = server.accept();
        }
    }

    private Connection harness() {
        return new Connection("harness", ChannelStreams.in(harnessSide), ChannelStreams.out(harnessSide))
                .stampEachMessage(m -> m.put("t", 42))
                .start((method, params) -> CompletableFuture.completedFuture(JsonNodeFactory.instance.textNode(method + "!")), pool);
    }

    @Test
    @DisplayName("an extension thread that is interrupted can still call: the socket is never closed by an interrupt")
    void interruptedCallers(@TempDir Path dir) throws Exception {
        connect(dir);
        Connection harness = harness();
        Connection extension = new Connection("extension", ChannelStreams.in(extensionSide), ChannelStreams.out(extensionSide))
                .start((method, params) -> CompletableFuture.completedFuture(null), pool);
        for (int i = 0; i < 20; i++) {
            Thread.currentThread().interrupt(); // as executor.shutdownNow() does to an extension's thread
            JsonNode answer = extension.call("library.jobLimit", JsonNodeFactory.instance.objectNode());
            assertEquals("library.jobLimit!", answer.asText());
        }
        assertTrue(Thread.interrupted(), "the caller's interrupt status is its own business");
        assertTrue(extension.isOpen());
        assertTrue(harness.isOpen());
    }

    @Test
    @DisplayName("a request without an id whose handler throws is performed and dropped: the reader lives on and answers the next request (H28)")
    @org.junit.jupiter.api.Timeout(20)
    void notificationsThatThrow(@TempDir Path dir) throws Exception {
        connect(dir);
        java.util.concurrent.CountDownLatch boom = new java.util.concurrent.CountDownLatch(1);
        Connection harness = new Connection("harness", ChannelStreams.in(harnessSide), ChannelStreams.out(harnessSide))
                .start((method, params) -> {
                    if (method.equals("boom")) {
                        boom.countDown();
                        throw new ArithmeticException("an exception no dispatcher maps");
                    }
                    return CompletableFuture.completedFuture(JsonNodeFactory.instance.textNode(method + "!"));
                }, pool);
        extensionSide.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"method\":\"boom\",\"params\":{}}\n".getBytes(StandardCharsets.UTF_8)));
        Connection extension = new Connection("extension", ChannelStreams.in(extensionSide), ChannelStreams.out(extensionSide))
                .start((method, params) -> CompletableFuture.completedFuture(null), pool);
        assertEquals("after!", extension.call("after", JsonNodeFactory.instance.objectNode()).asText());
        assertTrue(boom.await(10, TimeUnit.SECONDS), "the notification was performed too");
        assertTrue(harness.isOpen(), "the reader did not die");
    }

    @Test
    @DisplayName("each message leaves in one write, its line feed included (the peer's reader wakes once per message)")
    void oneWritePerMessage(@TempDir Path dir) throws Exception {
        connect(dir);
        java.util.concurrent.BlockingQueue<String> writes = new java.util.concurrent.LinkedBlockingQueue<>();
        java.io.OutputStream recording = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                writes.add(String.valueOf((char) b));
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                writes.add(new String(bytes, offset, length, StandardCharsets.UTF_8));
            }
        };
        Connection extension = new Connection("extension", ChannelStreams.in(extensionSide), recording)
                .start((method, params) -> CompletableFuture.completedFuture(null), pool);
        for (int i = 0; i < 3; i++) {
            extension.request("log", JsonNodeFactory.instance.objectNode().put("n", i));
        }
        for (int i = 0; i < 3; i++) {
            String line = writes.poll(10, TimeUnit.SECONDS);
            assertTrue(line != null && line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1,
                    "write " + (i + 1) + " is a whole line, its line feed included: " + line);
            assertTrue(line.contains("\"n\":" + i), line);
        }
        extension.close();
        assertEquals(null, writes.poll(200, TimeUnit.MILLISECONDS), "no write but the three lines");
    }

    @Test
    @DisplayName("requests go both ways and every message carries the sender's stamp")
    void bothWays(@TempDir Path dir) throws Exception {
        connect(dir);
        Connection harness = harness();
        Connection extension = new Connection("extension", ChannelStreams.in(extensionSide), ChannelStreams.out(extensionSide))
                .start((method, params) -> CompletableFuture.completedFuture(JsonNodeFactory.instance.numberNode(params.path("n").asInt() * 2)),
                        pool);
        JsonNode[] seen = new JsonNode[1];
        extension.observeEachMessage(m -> seen[0] = m);
        assertEquals(14, harness.request("processJobs", JsonNodeFactory.instance.objectNode().put("n", 7))
                .get(5, TimeUnit.SECONDS).asInt());
        assertEquals("log!", extension.call("log", JsonNodeFactory.instance.objectNode()).asText());
        assertEquals(42, seen[0].path("t").asInt(), "the harness stamps virtual time on every message");
    }

    @Test
    @DisplayName("a line that is not JSON is a protocol violation that closes the connection")
    void notJson(@TempDir Path dir) throws Exception {
        connect(dir);
        Connection harness = harness();
        extensionSide.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"method\":\"log\"\nnot json at all\n".getBytes(StandardCharsets.UTF_8)));
        Connection.Closed closed = harness.closed().get(5, TimeUnit.SECONDS);
        assertTrue(closed.violation(), closed.reason());
        assertTrue(closed.reason().contains("not JSON"), closed.reason());
        assertFalse(harness.isOpen());
    }
}
