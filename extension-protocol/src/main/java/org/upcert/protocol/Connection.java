package org.upcert.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.upcert.api.API;

/**
 * One end of the extension protocol: newline-delimited JSON-RPC 2.0 in both directions over a
 * byte stream (a Unix-domain socket). Either side sends requests and answers the other's.
 *
 * <p>A reader thread parses every line. Responses complete the matching pending request;
 * requests go to the {@link Handler} on the given executor (several may run at once: an
 * extension's threads call concurrently), bounded by a semaphore so a peer that pipelines
 * requests cannot make this side start unbounded threads. A line that is not JSON, not a
 * JSON-RPC message or longer than {@link Protocol#MAX_MESSAGE_BYTES} closes the connection as a
 * <em>protocol violation</em>; {@link #closed()} says why.
 *
 * <p>Written by hand over Jackson's tree model rather than with a JSON-RPC library: none on
 * Maven Central does bidirectional requests over one stream with bounded frames and no threads
 * of its own beyond the reader, and the harness must control every thread it starts.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class Connection implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_CONCURRENT_REQUESTS = 64;

    /** Answers the peer's requests; a future completed exceptionally with {@link RpcError} is an error reply. */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<JsonNode> handle(String method, JsonNode params);
    }

    /** Why a connection ended. */
    public record Closed(boolean violation, String reason) {
    }

    private final String name;
    private final InputStream in;
    private final OutputStream out;
    private final Object writeLock = new Object();
    private static final byte[] POISON = new byte[0];
    private final java.util.concurrent.LinkedBlockingQueue<byte[]> outbox = new java.util.concurrent.LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    // Keyed lookups only, never iterated in an order that matters (failing all on close).
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final Semaphore inFlight = new Semaphore(MAX_CONCURRENT_REQUESTS);
    private volatile Consumer<ObjectNode> stamp = m -> { };
    private volatile Consumer<JsonNode> observer = m -> { };
    private volatile int maxMessageBytes = Protocol.MAX_MESSAGE_BYTES;
    private long linesRead;

    public Connection(String name, InputStream in, OutputStream out) {
        this.name = name;
        this.in = in;
        this.out = out;
    }

    /** Adds members to every message this side sends (the harness stamps virtual time on each). */
    public Connection stampEachMessage(Consumer<ObjectNode> stamp) {
        this.stamp = stamp;
        return this;
    }

    /** Sees every message received, before it is handled (the worker reads virtual time from each). */
    public Connection observeEachMessage(Consumer<JsonNode> observer) {
        this.observer = observer;
        return this;
    }

    /** Starts the reader thread; requests from the peer go to {@code handler} on {@code executor}. */
    public Connection start(Handler handler, Executor executor) {
        Thread reader = new Thread(() -> readLoop(handler, executor), "upcert-protocol-reader-" + name);
        reader.setDaemon(true);
        reader.start();
        Thread writer = new Thread(this::writeLoop, "upcert-protocol-writer-" + name);
        writer.setDaemon(true);
        writer.start();
        return this;
    }

    /** Completes when the connection ends: closed by either side, broken, or a protocol violation. */
    public CompletableFuture<Closed> closed() {
        return closed;
    }

    public boolean isOpen() {
        return !closed.isDone();
    }

    /** Sends a request; the future completes with its result or exceptionally with {@link RpcError} / {@link ClosedException}. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        if (closed.isDone()) {
            pending.remove(id);
            reply.completeExceptionally(new ClosedException(closed.join().reason()));
            return reply;
        }
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        message.put("jsonrpc", "2.0");
        message.put("id", id);
        message.put("method", method);
        message.set("params", params == null ? JsonNodeFactory.instance.objectNode() : params);
        try {
            send(message);
        } catch (IOException e) {
            pending.remove(id);
            reply.completeExceptionally(new ClosedException("cannot send: " + e.getMessage()));
        }
        return reply;
    }

    /**
     * Sends a request and waits for its reply (no bound: the peer's side of the protocol bounds
     * it). Throws the {@link RpcError} the peer answered, or {@link ClosedException}.
     */
    public JsonNode call(String method, JsonNode params) throws RpcError {
        CompletableFuture<JsonNode> reply = request(method, params);
        try {
            return reply.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RpcError error) {
                throw error;
            }
            if (e.getCause() instanceof ClosedException c) {
                throw c;
            }
            throw new ClosedException(String.valueOf(e.getCause()));
        }
    }

    /** Ends the connection (both directions); pending requests fail. */
    @Override
    public void close() {
        finish(false, "closed by " + name);
        try {
            in.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // closing: nothing to do
        }
    }

    private void send(ObjectNode message) throws IOException {
        synchronized (writeLock) {
            if (closed.isDone()) {
                throw new IOException("the connection is closed");
            }
            // Stamped in queue order: stamps (virtual time, next job) reach the peer in the order
            // they were taken, so they never appear to go back.
            stamp.accept(message);
            outbox.add(line(message));
        }
    }

    /**
     * The message as its line, the line feed included: the writer sends it with one write, where a
     * message then its line feed were two, and the peer's reader woke up for the message only to
     * find no line end yet and wait again for one byte (two system calls and two wake-ups on each
     * side per message instead of one).
     */
    private static byte[] line(ObjectNode message) throws JsonProcessingException {
        byte[] json = JSON.writeValueAsBytes(message);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    /**
     * Writes queued messages, each line with one write (see {@link #line}). Only this thread
     * touches the socket for writing: a socket channel closes itself when a thread that uses it is
     * interrupted, and the threads that send (an extension's own, an executor's being shut down) may
     * well be. Nobody interrupts this one.
     */
    private void writeLoop() {
        try {
            while (true) {
                byte[] bytes = outbox.take();
                if (bytes == POISON) {
                    return;
                }
                out.write(bytes);
                if (outbox.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            finish(false, "cannot send: " + e);
        } catch (InterruptedException e) {
            finish(false, "the writer was interrupted");
        }
    }

    private void reply(JsonNode id, JsonNode result, Throwable failure) {
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        message.put("jsonrpc", "2.0");
        message.set("id", id);
        if (failure == null) {
            message.set("result", result == null ? JsonNodeFactory.instance.nullNode() : result);
        } else {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            RpcError error = cause instanceof RpcError rpc ? rpc
                    : new RpcError(Protocol.ERROR_INTERNAL, "internal error: " + cause);
            ObjectNode body = message.putObject("error");
            body.put("code", error.code());
            body.put("message", String.valueOf(error.getMessage()));
            body.set("data", error.data());
        }
        try {
            send(message);
        } catch (IOException e) {
            finish(false, "cannot send a reply: " + e.getMessage());
        }
    }

    private void readLoop(Handler handler, Executor executor) {
        // Own framing over raw reads: a byte-at-a-time read of a 30 MB reply would cost more than its parsing.
        byte[] buffer = new byte[1 << 16];
        int start = 0;
        int end = 0;
        int scanned = 0;
        try {
            while (true) {
                int newline = -1;
                for (int i = scanned; i < end; i++) {
                    if (buffer[i] == '\n') {
                        newline = i;
                        break;
                    }
                }
                if (newline < 0) {
                    scanned = end;
                    if (end - start >= maxMessageBytes) {
                        finish(true, "a message longer than " + maxMessageBytes + " bytes");
                        return;
                    }
                    if (end == buffer.length) {
                        if (start > 0) {
                            System.arraycopy(buffer, start, buffer, 0, end - start);
                            end -= start;
                            scanned -= start;
                            start = 0;
                        } else {
                            buffer = Arrays.copyOf(buffer, (int) Math.min((long) maxMessageBytes + 1, buffer.length * 2L));
                        }
                    }
                    int n = in.read(buffer, end, buffer.length - end);
                    if (n < 0) {
                        finish(false, end == start ? "closed by the peer" : "closed by the peer in the middle of a message");
                        return;
                    }
                    end += n;
                    continue;
                }
                int length = newline - start;
                int from = start;
                start = newline + 1;
                scanned = start;
                linesRead++;
                if (length == 0) {
                    continue;
                }
                JsonNode message;
                try {
                    message = JSON.readTree(buffer, from, length);
                } catch (JsonProcessingException e) {
                    finish(true, "message " + linesRead + " is not JSON: " + firstLine(e.getOriginalMessage()));
                    return;
                }
                if (message == null || !message.isObject()) {
                    finish(true, "message " + linesRead + " is not a JSON object");
                    return;
                }
                if (!dispatch((ObjectNode) message, handler, executor)) {
                    return;
                }
                if (start == end) {
                    start = 0;
                    end = 0;
                    scanned = 0;
                }
            }
        } catch (IOException e) {
            finish(false, "broken: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(false, "interrupted");
        } catch (RuntimeException | StackOverflowError e) {
            // Whatever a message does to the parser or the dispatch, the connection ends with a
            // reason; the reader never dies silently, leaving the other side to wait for its wall bound.
            finish(true, "message " + linesRead + " could not be read: " + e);
        }
    }

    private boolean dispatch(ObjectNode message, Handler handler, Executor executor) throws InterruptedException {
        observer.accept(message);
        JsonNode id = message.get("id");
        if (message.has("result") || message.has("error")) {
            if (id == null || !id.canConvertToLong()) {
                finish(true, "message " + linesRead + " is a response without a numeric id");
                return false;
            }
            CompletableFuture<JsonNode> reply = pending.remove(id.asLong());
            if (reply == null) {
                finish(true, "message " + linesRead + " answers request " + id.asLong() + ", which is not pending");
                return false;
            }
            JsonNode error = message.get("error");
            if (error != null && !error.isNull()) {
                reply.completeExceptionally(new RpcError(error.path("code").asInt(Protocol.ERROR_INTERNAL),
                        error.path("message").asText(""), error.get("data")));
            } else {
                reply.complete(message.get("result"));
            }
            return true;
        }
        JsonNode method = message.get("method");
        if (method == null || !method.isTextual()) {
            finish(true, "message " + linesRead + " is neither a request nor a response");
            return false;
        }
        JsonNode params = message.has("params") ? message.get("params") : JsonNodeFactory.instance.objectNode();
        // A request without an id (a notification) is performed like any other, on the executor and
        // within the bound of requests served at once, and never answered: whatever it throws or
        // fails with goes nowhere, and never reaches this reader (a peer must not be able to end it).
        inFlight.acquire();
        executor.execute(() -> {
            CompletionStage<JsonNode> result;
            try {
                result = handler.handle(method.asText(), params);
            } catch (RuntimeException | Error e) {
                result = CompletableFuture.failedFuture(e);
            }
            result.whenComplete((value, failure) -> {
                inFlight.release();
                if (id != null) {
                    reply(id, value, failure);
                }
            });
        });
        return true;
    }

    private void finish(boolean violation, String reason) {
        if (closed.complete(new Closed(violation, reason))) {
            outbox.add(POISON);
            for (Long id : pending.keySet().toArray(new Long[0])) {
                CompletableFuture<JsonNode> reply = pending.remove(id);
                if (reply != null) {
                    reply.completeExceptionally(new ClosedException(reason));
                }
            }
            if (violation) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // ending anyway
                }
            }
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    /** The connection ended before a reply came. */
    public static final class ClosedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ClosedException(String reason) {
            super("the protocol connection ended: " + reason);
        }
    }
}
