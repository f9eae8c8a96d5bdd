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
                .stampEachMessage(m -> m.writeNumberField("t", 42))
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
    @DisplayName("the worker's streams: an interrupted thread writes its own request and the socket stays open, in both blocking states")
    @org.junit.jupiter.api.Timeout(30)
    void interruptedCallersWritingDirectly(@TempDir Path dir) throws Exception {
        connect(dir);
        Connection harness = harness();
        ChannelStreams.Pair streams = ChannelStreams.immuneToInterrupts(extensionSide);
        Connection extension = new Connection("extension", streams.in(), streams.out())
                .writeRequestsDirectly()
                .writeRepliesDirectly()
                .start((method, params) -> CompletableFuture.completedFuture(null), pool);
        for (int i = 0; i < 50; i++) {
            Thread.currentThread().interrupt(); // as executor.shutdownNow() does to an extension's thread
            JsonNode answer = extension.call("library.jobLimit", JsonNodeFactory.instance.objectNode());
            assertEquals("library.jobLimit!", answer.asText());
            assertTrue(Thread.interrupted(), "the caller's interrupt status is its own business");
        }
        // Interrupts that strike while threads write (and wait for room in a full socket): 16 threads,
        // each interrupted by another while it sends bodies larger than the socket's buffer.
        String big = "x".repeat(300_000);
        java.util.List<java.util.concurrent.Future<?>> senders = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService callers = Executors.newFixedThreadPool(16);
        java.util.List<Thread> threads = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < 16; t++) {
            senders.add(callers.submit(() -> {
                threads.add(Thread.currentThread());
                for (int i = 0; i < 10; i++) {
                    JsonNode params = JsonNodeFactory.instance.objectNode().put("body", big);
                    assertEquals("storage.write!", extension.call("storage.write", params).asText());
                }
                return null;
            }));
        }
        for (int i = 0; i < 2_000 && senders.stream().anyMatch(f -> !f.isDone()); i++) {
            synchronized (threads) {
                threads.forEach(Thread::interrupt);
            }
            Thread.onSpinWait();
        }
        for (java.util.concurrent.Future<?> sender : senders) {
            sender.get(20, TimeUnit.SECONDS);
        }
        callers.shutdownNow();
        assertTrue(extension.isOpen(), "no interrupt closed the extension's side");
        assertTrue(harness.isOpen());
        assertTrue(extensionSide.isOpen());
    }

    @Test
    @DisplayName("a request performed on the reader that waits for the peer hands reading over first: no deadlock, the order of answers kept")
    @org.junit.jupiter.api.Timeout(30)
    void performedOnTheReaderHandsOverBeforeWaiting(@TempDir Path dir) throws Exception {
        connect(dir);
        java.util.concurrent.atomic.AtomicReference<Connection> harnessRef = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.Set<String> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Connection harness = new Connection("harness", ChannelStreams.in(harnessSide), ChannelStreams.out(harnessSide))
                .writeRepliesDirectly()
                .performRequestsOnReader()
                .start((method, params) -> {
                    readers.add(Thread.currentThread().getName() + "@" + System.identityHashCode(Thread.currentThread()));
                    if (method.equals("ask")) {
                        // as deliverTermination does inside an API call: waits for an answer only a reader can read
                        Connection.beforeBlocking();
                        JsonNode answer = harnessRef.get().request("question", JsonNodeFactory.instance.objectNode()).join(); // bounded by the caller's get
                        return CompletableFuture.completedFuture(JsonNodeFactory.instance.textNode("asked:" + answer.asText()));
                    }
                    return CompletableFuture.completedFuture(JsonNodeFactory.instance.textNode(method + "!"));
                }, pool);
        harnessRef.set(harness);
        Connection extension = new Connection("extension", ChannelStreams.in(extensionSide), ChannelStreams.out(extensionSide))
                .start((method, params) -> CompletableFuture.completedFuture(JsonNodeFactory.instance.textNode("answer")), pool);
        for (int i = 0; i < 5; i++) {
            assertEquals("plain!", extension.request("plain", JsonNodeFactory.instance.objectNode()).get(10, TimeUnit.SECONDS).asText());
        }
        assertEquals(1, readers.size(), "requests that need no wait are all performed on the one reader: " + readers);
        for (int i = 0; i < 5; i++) {
            assertEquals("asked:answer", extension.request("ask", JsonNodeFactory.instance.objectNode()).get(10, TimeUnit.SECONDS).asText());
            assertEquals("plain!", extension.request("plain", JsonNodeFactory.instance.objectNode()).get(10, TimeUnit.SECONDS).asText());
        }
        assertTrue(readers.size() > 1, "each wait handed reading to a new reader: " + readers);
        assertTrue(harness.isOpen());
        assertTrue(extension.isOpen());
    }

    @Test
    @DisplayName("requests that wait off the reader are bounded as an executor's are: a flood of them starts at most 64 threads")
    @org.junit.jupiter.api.Timeout(60)
    void handedOverRequestsAreBounded(@TempDir Path dir) throws Exception {
        connect(dir);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        new Connection("harness", ChannelStreams.in(harnessSide), ChannelStreams.out(harnessSide))
                .writeRepliesDirectly()
                .performRequestsOnReader()
                .start((method, params) -> {
                    Connection.beforeBlocking(); // as a request that meets a held lock does
                    most.accumulateAndGet(waiting.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    waiting.decrementAndGet();
                    done.incrementAndGet();
                    return CompletableFuture.completedFuture(JsonNodeFactory.instance.nullNode());
                }, pool);
        // 200 notifications (no id: nothing to wait for on the sender's side), written at once
        StringBuilder flood = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            flood.append("{\"jsonrpc\":\"2.0\",\"method\":\"storage.read\",\"params\":{\"n\":").append(i).append("}}\n");
        }
        ByteBuffer bytes = ByteBuffer.wrap(flood.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            extensionSide.write(bytes);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> waiting.get() >= 64);
        // Give a reader that is not held back the time to start many more (it takes milliseconds).
        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(500)).atMost(java.time.Duration.ofSeconds(5))
                .until(() -> true);
        assertEquals(64, waiting.get(), "64 wait, the reader waits for one of them to end");
        release.countDown();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> done.get() == 200);
        assertEquals(64, most.get(), "never more than 64 at once");
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

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** An output stream that keeps each write as a line of text, with the name of the thread that wrote it. */
    private static final class Recording extends java.io.OutputStream {
        final java.util.concurrent.BlockingQueue<String> writes = new java.util.concurrent.LinkedBlockingQueue<>();
        final java.util.concurrent.ConcurrentLinkedQueue<String> writers = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.io.OutputStream through;

        Recording(java.io.OutputStream through) {
            this.through = through;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            writes.add(new String(bytes, offset, length, StandardCharsets.UTF_8));
            writers.add(Thread.currentThread().getName());
            if (through != null) {
                through.write(bytes, offset, length);
            }
        }
    }

    private static String bytes(Object tree) throws IOException {
        return new String(JSON.writeValueAsBytes(tree), StandardCharsets.UTF_8); // as Connection wrote a tree before
    }

    @Test
    @DisplayName("the streamed envelope is byte for byte what the tree model wrote: requests, results, errors, stamps")
    void sameBytesAsTheTree(@TempDir Path dir) throws Exception {
        connect(dir);
        Recording recording = new Recording(null);
        Connection harness = new Connection("harness", ChannelStreams.in(harnessSide), recording)
                .stampEachMessage(m -> {
                    m.writeNumberField("t", 1002L);
                    m.writeNumberField("nextJob", 3L);
                })
                .start((method, params) -> method.equals("fail")
                        ? CompletableFuture.failedFuture(RpcError.of(1, "PHPhotosErrorDomain 3018 (LIMIT_EXCEEDED): at the limit",
                                "photosError", "LIMIT_EXCEEDED"))
                        : method.equals("throw") ? CompletableFuture.failedFuture(new IllegalStateException("oops"))
                        : CompletableFuture.completedFuture(Values.strings(java.util.Map.of("ä", "\"€𝄞\"\n"))), pool);
        com.fasterxml.jackson.databind.node.ObjectNode params = Values.object();
        params.put("generation", 1).put("activation", 7).put("os", "26.4").set("configuration", Values.strings(java.util.Map.of("k", "v")));
        harness.request("processJobs", params);
        extensionSide.write(ByteBuffer.wrap(("{\"jsonrpc\":\"2.0\",\"id\":\"five\",\"method\":\"ok\",\"params\":{}}\n"
                + "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"fail\",\"params\":{}}\n"
                + "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"throw\"}\n").getBytes(StandardCharsets.UTF_8)));
        java.util.Set<String> expected = new java.util.HashSet<>();
        com.fasterxml.jackson.databind.node.ObjectNode request = Values.object();
        request.put("jsonrpc", "2.0").put("id", 1L).put("method", "processJobs").set("params", params);
        expected.add(bytes(request.put("t", 1002L).put("nextJob", 3L)) + "\n");
        com.fasterxml.jackson.databind.node.ObjectNode result = Values.object();
        result.put("jsonrpc", "2.0").set("id", JsonNodeFactory.instance.textNode("five"));
        result.set("result", Values.strings(java.util.Map.of("ä", "\"€𝄞\"\n")));
        expected.add(bytes(result.put("t", 1002L).put("nextJob", 3L)) + "\n");
        for (Object[] failure : new Object[][] {{6, 1, "PHPhotosErrorDomain 3018 (LIMIT_EXCEEDED): at the limit",
                Values.object().put("photosError", "LIMIT_EXCEEDED")},
                {7, Protocol.ERROR_INTERNAL, "internal error: java.lang.IllegalStateException: oops", Values.object()}}) {
            com.fasterxml.jackson.databind.node.ObjectNode error = Values.object();
            error.put("jsonrpc", "2.0").put("id", (int) failure[0]);
            com.fasterxml.jackson.databind.node.ObjectNode body = error.putObject("error");
            body.put("code", (int) failure[1]).put("message", (String) failure[2]).set("data", (JsonNode) failure[3]);
            expected.add(bytes(error.put("t", 1002L).put("nextJob", 3L)) + "\n");
        }
        java.util.Set<String> written = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
            String line = recording.writes.poll(10, TimeUnit.SECONDS);
            assertTrue(line != null, "four messages written, got " + written);
            written.add(line);
        }
        assertEquals(expected, written);
        assertTrue(harness.isOpen());
    }

    @Test
    @DisplayName("replies written directly by the replying threads still leave in the order they were stamped")
    @org.junit.jupiter.api.Timeout(60)
    void directRepliesKeepTheStampOrder(@TempDir Path dir) throws Exception {
        connect(dir);
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        Recording recording = new Recording(ChannelStreams.out(harnessSide));
        Connection harness = new Connection("harness", ChannelStreams.in(harnessSide), recording)
                .stampEachMessage(m -> m.writeNumberField("t", clock.incrementAndGet()))
                .writeRepliesDirectly()
                .start((method, params) -> CompletableFuture.completedFuture(JsonNodeFactory.instance.textNode(method + "!")), pool);
        java.util.List<Long> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Connection extension = new Connection("extension", ChannelStreams.in(extensionSide), ChannelStreams.out(extensionSide))
                .observeEachMessage(m -> seen.add(m.path("t").asLong()))
                .start((method, params) -> CompletableFuture.completedFuture(null), pool);
        java.util.List<CompletableFuture<Void>> callers = new java.util.ArrayList<>();
        for (int c = 0; c < 6; c++) {
            callers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 300; i++) {
                    try {
                        assertEquals("log!", extension.call("log", JsonNodeFactory.instance.objectNode()).asText());
                    } catch (RpcError e) {
                        throw new AssertionError(e);
                    }
                }
            }, pool));
        }
        java.util.List<CompletableFuture<JsonNode>> requests = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            requests.add(harness.request("willTerminate", JsonNodeFactory.instance.objectNode())); // queued: the writer thread
        }
        CompletableFuture.allOf(callers.toArray(new CompletableFuture[0])).get(50, TimeUnit.SECONDS);
        CompletableFuture.allOf(requests.toArray(new CompletableFuture[0])).get(50, TimeUnit.SECONDS);
        java.util.List<Long> order;
        synchronized (seen) {
            order = new java.util.ArrayList<>(seen);
        }
        assertEquals(2100, order.size());
        for (int i = 1; i < order.size(); i++) {
            assertTrue(order.get(i) > order.get(i - 1), "stamp " + order.get(i) + " arrived after " + order.get(i - 1));
        }
        long direct = recording.writers.stream().filter(name -> !name.startsWith("upcert-protocol-writer")).count();
        long queued = recording.writers.size() - direct;
        assertTrue(direct > 0, "some replies left from the replying thread itself (" + direct + " direct, " + queued + " queued)");
        assertTrue(queued >= 300, "the harness's own requests always go through the writer thread (" + queued + ")");
    }

    @Test
    @DisplayName("a result read by its decoder, straight or (the id after it) from a tree; a refused one ends the connection")
    @org.junit.jupiter.api.Timeout(20)
    void decodedResults(@TempDir Path dir) throws Exception {
        connect(dir);
        Connection extension = new Connection("extension", ChannelStreams.in(extensionSide), ChannelStreams.out(extensionSide))
                .start((method, params) -> CompletableFuture.completedFuture(null), pool);
        Connection.Decoder<java.util.List<org.upcert.api.Asset>> assets = ValueStreams::readAssets;
        CompletableFuture<java.util.List<org.upcert.api.Asset>> first = extension.request("library.fetchAssets", null, assets);
        CompletableFuture<java.util.List<org.upcert.api.Asset>> second = extension.request("library.fetchAssets", null, assets);
        CompletableFuture<java.util.List<org.upcert.api.Asset>> third = extension.request("library.fetchAssets", null, assets);
        String asset = "{\"id\":\"A1\",\"mediaType\":\"IMAGE\",\"created\":\"2026-01-05T08:00:00Z\",\"resources\":[]}";
        harnessSide.write(ByteBuffer.wrap(("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[" + asset + "],\"t\":5}\n"
                + "{\"result\":[" + asset + "," + asset + "],\"jsonrpc\":\"2.0\",\"id\":2}\n"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":[{\"id\":7}]}\n").getBytes(StandardCharsets.UTF_8)));
        assertEquals("A1", first.get(5, TimeUnit.SECONDS).get(0).localIdentifier());
        assertEquals(2, second.get(5, TimeUnit.SECONDS).size(), "the id after the result: read as a tree, then decoded");
        java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> third.get(5, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof IllegalArgumentException, String.valueOf(refused.getCause()));
        Connection.Closed closed = extension.closed().get(5, TimeUnit.SECONDS);
        assertTrue(closed.violation() && closed.reason().contains("wrong form"), closed.reason());
    }

    @Test
    @DisplayName("an unterminated string alone on its line is not JSON either, as when lines were read whole")
    void unterminatedString(@TempDir Path dir) throws Exception {
        connect(dir);
        Connection harness = harness();
        extensionSide.write(ByteBuffer.wrap("\"an unterminated string\n".getBytes(StandardCharsets.UTF_8)));
        Connection.Closed closed = harness.closed().get(5, TimeUnit.SECONDS);
        assertTrue(closed.violation() && closed.reason().contains("not JSON"), closed.reason());
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
