package org.upcert.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Messages are read and written with Jackson's streaming parser and generator: the envelope
 * ({@code jsonrpc}, {@code id}, {@code method}, the stamps) is never a tree, a reply's result can
 * be read straight into the caller's values ({@link #request(String, JsonNode, Decoder)}) and a
 * handler's result can write itself ({@link #streamed}). Only {@code params}, {@code error} and
 * results nobody decodes become trees. The bytes on the wire are those the tree model wrote
 * (members in the same order, the same generator): {@code ConnectionTest.sameBytesAsTheTree}.
 *
 * <p>Written by hand over Jackson rather than with a JSON-RPC library: none on Maven Central does
 * bidirectional requests over one stream with bounded frames and no threads of its own beyond the
 * reader, and the harness must control every thread it starts.
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

    /** Reads a result from the parser, positioned on the value's first token. */
    @FunctionalInterface
    public interface Decoder<T> {
        T read(JsonParser in) throws IOException;
    }

    /** Writes a value straight to the generator, as the tree it stands for would be written. */
    @FunctionalInterface
    public interface Streamed {
        void write(JsonGenerator out) throws IOException;
    }

    /** Adds members at the end of every message this side sends (the harness stamps virtual time). */
    @FunctionalInterface
    public interface Stamp {
        void write(JsonGenerator out) throws IOException;
    }

    /** Why a connection ended. */
    public record Closed(boolean violation, String reason) {
    }

    /** A result read as a tree: what a request without a decoder of its own gets. */
    public static final Decoder<JsonNode> TREE = in -> JSON.readTree(in);

    private final String name;
    private final InputStream in;
    private final OutputStream out;
    /** Held to stamp, encode and queue a message (or start writing it directly): stamps leave in the order taken. */
    private final Object writeLock = new Object();
    /** Held by whoever writes to the stream: the writer thread, or a replying thread writing directly. */
    private final ReentrantLock streamLock = new ReentrantLock();
    private static final byte[] POISON = new byte[0];
    private final java.util.concurrent.LinkedBlockingQueue<byte[]> outbox = new java.util.concurrent.LinkedBlockingQueue<>();
    /** Messages queued and not yet written by the writer thread (guarded by {@link #writeLock} for the check). */
    private final AtomicLong queued = new AtomicLong();
    private final Buffer encoded = new Buffer();
    private final AtomicLong ids = new AtomicLong();
    // Keyed lookups only, never iterated in an order that matters (failing all on close).
    private final Map<Long, Pending<?>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final Semaphore inFlight = new Semaphore(MAX_CONCURRENT_REQUESTS);
    private volatile Stamp stamp = out -> { };
    private volatile Consumer<JsonNode> observer;
    private volatile boolean repliesWrittenDirectly;
    private volatile boolean requestsWrittenDirectly;
    private volatile int maxMessageBytes = Protocol.MAX_MESSAGE_BYTES;
    private volatile boolean requestsPerformedOnReader;
    /** The thread reading now: another one takes over when a request performed on it must block. */
    private volatile Thread reader;
    private Handler handler;
    private Executor executor;
    // The reader's place in the stream: touched only by the thread reading now, handed to the next
    // reader by Thread.start (which orders what one did before what the other does).
    private byte[] readBuffer = new byte[1 << 16];
    private int readStart;
    private int readEnd;
    private int readScanned;
    private long linesRead;
    /** The connection whose request the current thread is performing on its reader, if any. */
    private static final ThreadLocal<Connection> PERFORMING_ON_READER = new ThreadLocal<>();

    private record Pending<T>(CompletableFuture<T> reply, Decoder<T> decoder) {
        void complete(Object value) {
            @SuppressWarnings("unchecked")
            T typed = (T) value;
            reply.complete(typed);
        }
    }

    public Connection(String name, InputStream in, OutputStream out) {
        this.name = name;
        this.in = in;
        this.out = out;
    }

    /** Adds members to every message this side sends (the harness stamps virtual time on each). */
    public Connection stampEachMessage(Stamp stamp) {
        this.stamp = stamp;
        return this;
    }

    /**
     * Sees every message received, before it is handled (the worker reads virtual time from each):
     * its top-level members but {@code params}, {@code result} and {@code error}, which it is not
     * shown (they may never become trees).
     */
    public Connection observeEachMessage(Consumer<JsonNode> observer) {
        this.observer = observer;
        return this;
    }

    /**
     * Replies are written to the stream by the thread that completes them when the stream is free
     * and nothing is queued before them, instead of being handed to the writer thread: one thread
     * hand-off (a wake-up and a park) less per request answered. Only for a side whose handler's
     * threads are never interrupted (an interrupt during a write closes a blocking socket channel for
     * good): the harness, whose reader and dispatch threads are its own; or over streams no interrupt
     * can close ({@link ChannelStreams#immuneToInterrupts}): the worker. A write that blocks (a peer that stops
     * reading) holds up only that replying thread and the writer behind it, never a thread that
     * sends requests: those are always queued, so their waits stay bounded, and closing the
     * connection (a kill) ends the blocked write.
     */
    public Connection writeRepliesDirectly() {
        this.repliesWrittenDirectly = true;
        return this;
    }

    /**
     * The peer's requests are performed by the reader thread itself, one after the other, instead of
     * being handed to the executor: two thread hand-offs less per request (the reader's wake-up of
     * an executor thread, and that thread's park), which is most of a round trip's CPU where wake-ups
     * are dear (measured on a 2-core PVM guest, a request answered at once: 148-354 µs of CPU per
     * round trip with the hand-off, 68-115 µs without; docs/performance.md). A handler that is about
     * to wait for anything (a lock another thread holds, a reply of the peer, which only a reader
     * can read) first calls {@link #beforeBlocking()}: a new reader thread then takes over the
     * stream where this one stopped, and this thread ends once its request is answered. Only for a
     * side whose handler calls {@link #beforeBlocking()} before every such wait: the harness.
     */
    public Connection performRequestsOnReader() {
        this.requestsPerformedOnReader = true;
        return this;
    }

    /**
     * Called by a handler before it waits for anything: if the current thread is performing a
     * request on a connection's reader ({@link #performRequestsOnReader()}), another thread takes
     * over reading, so the wait cannot stop the replies and requests it may be waiting for from
     * being read. Anywhere else it does nothing. The requests left to wait off the reader count
     * against the same bound as an executor's ({@link #MAX_CONCURRENT_REQUESTS}): past it this call
     * waits here, still the reader, as the reader waited for a free executor slot, so a peer that
     * floods requests which must wait cannot make this side start a thread for each.
     */
    public static void beforeBlocking() {
        Connection connection = PERFORMING_ON_READER.get();
        if (connection != null) {
            PERFORMING_ON_READER.remove();
            connection.inFlight.acquireUninterruptibly(); // released when this request is answered (perform)
            connection.startReader();
        }
    }

    /**
     * Requests, too, are written to the stream by the thread that sends them when the stream is free
     * and nothing is queued before them: the extension's side, whose requests are the API calls of
     * the extension's threads, then spares a hand-off to the writer thread (its wake-up and park) per
     * call. Only over streams that no interrupt can close ({@link ChannelStreams#immuneToInterrupts}):
     * an extension's threads may be interrupted at any time. Never for a side whose requests must
     * not wait on a peer that stops reading (the harness's, sent by the simulation's thread).
     */
    public Connection writeRequestsDirectly() {
        this.requestsWrittenDirectly = true;
        return this;
    }

    /** Starts the reader thread; requests from the peer go to {@code handler} on {@code executor}. */
    public Connection start(Handler handler, Executor executor) {
        this.handler = handler;
        this.executor = executor;
        startReader();
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

    /** A handler's result that writes itself: a tree node that streams its value when the reply is written. */
    public static JsonNode streamed(Streamed value) {
        return new com.fasterxml.jackson.databind.node.POJONode(new com.fasterxml.jackson.databind.JsonSerializable.Base() {
            @Override
            public void serialize(JsonGenerator gen, com.fasterxml.jackson.databind.SerializerProvider serializers) throws IOException {
                value.write(gen);
            }

            @Override
            public void serializeWithType(JsonGenerator gen, com.fasterxml.jackson.databind.SerializerProvider serializers,
                    com.fasterxml.jackson.databind.jsontype.TypeSerializer typeSer) throws IOException {
                value.write(gen);
            }
        });
    }

    /** Sends a request; the future completes with its result or exceptionally with {@link RpcError} / {@link ClosedException}. */
    public CompletableFuture<JsonNode> request(String method, JsonNode params) {
        return request(method, params, TREE);
    }

    /**
     * Sends a request whose result {@code decoder} reads on the reader thread, straight from the
     * parser (no tree). A result the decoder refuses ({@link IllegalArgumentException}) fails the
     * future with it and, since the rest of that message cannot be read after it, ends the
     * connection as a protocol violation: the peer sent a value of the wrong form.
     */
    public <T> CompletableFuture<T> request(String method, JsonNode params, Decoder<T> decoder) {
        long id = ids.incrementAndGet();
        CompletableFuture<T> reply = new CompletableFuture<>();
        pending.put(id, new Pending<>(reply, decoder));
        if (closed.isDone()) {
            pending.remove(id);
            reply.completeExceptionally(new ClosedException(closed.join().reason()));
            return reply;
        }
        try {
            send(out -> {
                out.writeStartObject();
                out.writeStringField("jsonrpc", "2.0");
                out.writeNumberField("id", id);
                out.writeStringField("method", method);
                out.writeFieldName("params");
                if (params == null) {
                    out.writeStartObject();
                    out.writeEndObject();
                } else {
                    tree(out, params);
                }
            }, false);
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
        return call(method, params, TREE);
    }

    /** {@link #call(String, JsonNode)} with the result read by {@code decoder}; its refusal is thrown as it is. */
    public <T> T call(String method, JsonNode params, Decoder<T> decoder) throws RpcError {
        CompletableFuture<T> reply = request(method, params, decoder);
        try {
            return reply.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RpcError error) {
                throw error;
            }
            if (e.getCause() instanceof ClosedException c) {
                throw c;
            }
            if (e.getCause() instanceof IllegalArgumentException refused) {
                throw refused;
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

    /**
     * Stamps, encodes and sends one message: queued for the writer thread, or, for a reply of a side
     * that {@link #writeRepliesDirectly() writes replies directly} (a request of one that
     * {@link #writeRequestsDirectly() writes requests directly}), written here when nothing is
     * queued and nobody is writing (so messages still leave in the order they were stamped).
     */
    private void send(Streamed body, boolean reply) throws IOException {
        boolean direct;
        byte[] line;
        synchronized (writeLock) {
            if (closed.isDone()) {
                throw new IOException("the connection is closed");
            }
            // Stamped in queue order: stamps (virtual time, next job) reach the peer in the order they
            // were taken, so they never appear to go back.
            encoded.reset();
            try (JsonGenerator generator = JSON.createGenerator(encoded)) {
                body.write(generator);
                stamp.write(generator);
                generator.writeEndObject();
            }
            encoded.write('\n');
            line = encoded.copy();
            direct = (reply ? repliesWrittenDirectly : requestsWrittenDirectly) && queued.get() == 0 && streamLock.tryLock();
            if (!direct) {
                queued.incrementAndGet();
                outbox.add(line);
                return;
            }
        }
        // Written outside the write lock: others may stamp and queue meanwhile, and the writer thread
        // waits for the stream, so what they queue still leaves after this line.
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            finish(false, "cannot send: " + e);
            throw e;
        } finally {
            streamLock.unlock();
        }
    }

    /**
     * Writes queued messages, each line with one write, its line feed included: a message then its
     * line feed were two system calls, and the peer's reader woke up for the message only to find no
     * line end yet and wait again for one byte. Only this thread, and replying threads of a side that
     * {@link #writeRepliesDirectly() writes replies directly}, touch the socket for writing: a socket
     * channel closes itself when a thread that uses it is interrupted, and the threads that send
     * requests (an extension's own, an executor's being shut down) may well be. Nobody interrupts this one.
     */
    private void writeLoop() {
        try {
            while (true) {
                byte[] bytes = outbox.take();
                if (bytes == POISON) {
                    return;
                }
                streamLock.lock();
                try {
                    out.write(bytes);
                    if (outbox.isEmpty()) {
                        out.flush();
                    }
                } finally {
                    queued.decrementAndGet();
                    streamLock.unlock();
                }
            }
        } catch (IOException e) {
            finish(false, "cannot send: " + e);
        } catch (InterruptedException e) {
            finish(false, "the writer was interrupted");
        }
    }

    /**
     * Writes a tree as {@code writeValueAsBytes} wrote it (the node's own serialization, which is
     * what the mapper's serializer for a node calls), with one serializer provider for every
     * message instead of the new provider, serializer lookup and flush of each {@code writeTree}.
     */
    private void tree(JsonGenerator out, JsonNode node) throws IOException {
        ((com.fasterxml.jackson.databind.JsonSerializable) node).serialize(out, provider);
    }

    /** Used under the write lock only (messages are encoded there). */
    private final com.fasterxml.jackson.databind.SerializerProvider provider = JSON.getSerializerProviderInstance();

    /** The start every reply shares, a result or an error: the open object, the version and the request's id. */
    private void replyEnvelope(JsonGenerator out, JsonNode id) throws IOException {
        out.writeStartObject();
        out.writeStringField("jsonrpc", "2.0");
        out.writeFieldName("id");
        tree(out, id);
    }

    private void reply(JsonNode id, JsonNode result, Throwable failure) {
        Streamed body;
        if (failure == null) {
            body = out -> {
                replyEnvelope(out, id);
                out.writeFieldName("result");
                tree(out, result == null ? JsonNodeFactory.instance.nullNode() : result);
            };
        } else {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            RpcError error = cause instanceof RpcError rpc ? rpc
                    : new RpcError(Protocol.ERROR_INTERNAL, "internal error: " + cause);
            body = out -> {
                replyEnvelope(out, id);
                out.writeObjectFieldStart("error");
                out.writeNumberField("code", error.code());
                out.writeStringField("message", String.valueOf(error.getMessage()));
                out.writeFieldName("data");
                tree(out, error.data() == null ? JsonNodeFactory.instance.nullNode() : error.data());
                out.writeEndObject();
            };
        }
        try {
            send(body, true);
        } catch (IOException e) {
            finish(false, "cannot send a reply: " + e.getMessage());
        } catch (RuntimeException e) {
            // A streamed result that failed while it was written: the peer still gets an answer.
            if (failure == null) {
                reply(id, null, new RpcError(Protocol.ERROR_INTERNAL, "internal error: " + e));
            } else {
                finish(false, "cannot send a reply: " + e);
            }
        }
    }

    /** A reader thread from where the stream stands now (the first, or one taking over from a blocked one). */
    private void startReader() {
        Thread next = new Thread(this::readLoop, "upcert-protocol-reader-" + name);
        next.setDaemon(true);
        reader = next;
        next.start();
    }

    private void readLoop() {
        // Own framing over raw reads: a byte-at-a-time read of a 30 MB reply would cost more than its parsing.
        byte[] buffer = readBuffer;
        int start = readStart;
        int end = readEnd;
        int scanned = readScanned;
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
                Message message;
                try {
                    message = parse(buffer, from, length);
                } catch (JsonProcessingException e) {
                    finish(true, "message " + linesRead + " is not JSON: " + firstLine(e.getOriginalMessage()));
                    return;
                } catch (Refused e) {
                    finish(true, "message " + linesRead + " " + e.getMessage());
                    return;
                }
                if (message == null) {
                    finish(true, "message " + linesRead + " is not a JSON object");
                    return;
                }
                if (start == end) {
                    start = 0;
                    end = 0;
                    scanned = 0;
                }
                // Where the stream stands, for a reader that may take over while this one performs a request.
                readBuffer = buffer;
                readStart = start;
                readEnd = end;
                readScanned = scanned;
                if (!dispatch(message)) {
                    return;
                }
                if (reader != Thread.currentThread()) {
                    return; // another reader took over while a request performed here waited
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

    /** One message's members, as the reader found them (a member given twice: the last one counts, as in a tree). */
    private static final class Message {
        JsonNode id;
        JsonNode method;
        JsonNode params;
        boolean hasResult;
        Object result;
        /** The request whose decoder read {@link #result}, or null when it is a tree (or absent). */
        Pending<?> decodedFor;
        JsonNode error;
        boolean hasError;
        ObjectNode envelope;
    }

    /** A result its decoder refused: the message's rest cannot be read, so the connection ends. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * Reads one line, streaming: the envelope's members without a tree, {@code params} and
     * {@code error} as trees, {@code result} by the pending request's decoder when its {@code id}
     * came first (as every message upcert writes has it), else as a tree. Null when the line is
     * not a JSON object. Only the first JSON value of the line is read, as a tree's reading did.
     */
    private Message parse(byte[] buffer, int from, int length) throws IOException {
        try (JsonParser parser = JSON.createParser(buffer, from, length)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first != null && first.isScalarValue()) {
                    parser.getText(); // an unterminated string is "not JSON", as when it was read whole
                } else if (first != null) {
                    parser.skipChildren(); // a malformed array is "not JSON", as when it was read whole
                }
                return null;
            }
            Message message = new Message();
            Consumer<JsonNode> watching = observer;
            if (watching != null) {
                message.envelope = JsonNodeFactory.instance.objectNode();
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String member = parser.currentName();
                parser.nextToken();
                switch (member) {
                    case "params" -> message.params = JSON.readTree(parser);
                    case "error" -> {
                        message.hasError = true;
                        message.error = JSON.readTree(parser);
                    }
                    case "result" -> readResult(parser, message);
                    default -> {
                        JsonNode value = scalar(parser);
                        if (member.equals("id")) {
                            message.id = value;
                        } else if (member.equals("method")) {
                            message.method = value;
                        }
                        if (message.envelope != null) {
                            message.envelope.set(member, value);
                        }
                    }
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new JsonProcessingException("the object does not end") { };
            }
            return message;
        }
    }

    /**
     * A member of the envelope as the tree would hold it: scalars made here (a tree reading per
     * member costs a deserialization context each), anything else read as a tree.
     */
    private static JsonNode scalar(JsonParser parser) throws IOException {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        switch (parser.currentToken()) {
            case VALUE_STRING:
                return nodes.textNode(parser.getText());
            case VALUE_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                        return nodes.numberNode(parser.getIntValue());
                    case LONG:
                        return nodes.numberNode(parser.getLongValue());
                    default:
                        return JSON.readTree(parser);
                }
            case VALUE_TRUE:
                return nodes.booleanNode(true);
            case VALUE_FALSE:
                return nodes.booleanNode(false);
            case VALUE_NULL:
                return nodes.nullNode();
            default:
                return JSON.readTree(parser);
        }
    }

    private void readResult(JsonParser parser, Message message) throws IOException {
        message.hasResult = true;
        message.decodedFor = null;
        Pending<?> waiting = message.id != null && message.id.canConvertToLong() ? pending.get(message.id.asLong()) : null;
        if (waiting == null || waiting.decoder() == TREE) {
            message.result = JSON.readTree(parser);
            return;
        }
        try {
            message.result = waiting.decoder().read(parser);
            message.decodedFor = waiting;
        } catch (IllegalArgumentException e) {
            if (pending.remove(message.id.asLong(), waiting)) {
                waiting.reply().completeExceptionally(e);
            }
            throw new Refused("answers request " + message.id.asLong() + " with a result of the wrong form: " + e.getMessage());
        }
    }

    private boolean dispatch(Message message) throws InterruptedException {
        Consumer<JsonNode> watching = observer;
        if (watching != null) {
            watching.accept(message.envelope);
        }
        JsonNode id = message.id;
        if (message.hasResult || message.hasError) {
            if (id == null || !id.canConvertToLong()) {
                finish(true, "message " + linesRead + " is a response without a numeric id");
                return false;
            }
            Pending<?> reply = pending.remove(id.asLong());
            if (reply == null) {
                finish(true, "message " + linesRead + " answers request " + id.asLong() + ", which is not pending");
                return false;
            }
            JsonNode error = message.error;
            if (error != null && !error.isNull()) {
                reply.reply().completeExceptionally(new RpcError(error.path("code").asInt(Protocol.ERROR_INTERNAL),
                        error.path("message").asText(""), error.get("data")));
                return true;
            }
            if (!message.hasResult) {
                reply.complete(null);
            } else if (message.decodedFor == reply || reply.decoder() == TREE) {
                reply.complete(message.result);
            } else {
                // The result came before the id: read as a tree then, decoded now.
                try (JsonParser again = ((JsonNode) message.result).traverse(JSON)) {
                    again.nextToken();
                    reply.complete(reply.decoder().read(again));
                } catch (IOException | IllegalArgumentException e) {
                    reply.reply().completeExceptionally(e);
                    finish(true, "message " + linesRead + " answers request " + id.asLong() + " with a result of the wrong form: "
                            + e.getMessage());
                    return false;
                }
            }
            return true;
        }
        JsonNode method = message.method;
        if (method == null || !method.isTextual()) {
            finish(true, "message " + linesRead + " is neither a request nor a response");
            return false;
        }
        JsonNode params = message.params != null ? message.params : JsonNodeFactory.instance.objectNode();
        if (requestsPerformedOnReader) {
            perform(method.asText(), params, id, true);
            return true;
        }
        // A request without an id (a notification) is performed like any other, on the executor and
        // within the bound of requests served at once, and never answered: whatever it throws or
        // fails with goes nowhere, and never reaches this reader (a peer must not be able to end it).
        inFlight.acquire();
        executor.execute(() -> perform(method.asText(), params, id, false));
        return true;
    }

    /**
     * Performs one request of the peer and answers it (a notification, without an id, is never
     * answered): on an executor thread, within {@link #inFlight}, or on the reader itself.
     */
    private void perform(String method, JsonNode params, JsonNode id, boolean onReader) {
        CompletionStage<JsonNode> result;
        if (onReader) {
            PERFORMING_ON_READER.set(this);
        }
        try {
            result = handler.handle(method, params);
        } catch (RuntimeException | Error e) {
            result = CompletableFuture.failedFuture(e);
        } finally {
            if (onReader) {
                PERFORMING_ON_READER.remove();
            }
        }
        // Performed on the reader to the end, or handed over on the way (beforeBlocking took a permit then).
        boolean holdsPermit = !onReader || reader != Thread.currentThread();
        result.whenComplete((value, failure) -> {
            if (holdsPermit) {
                inFlight.release();
            }
            if (id != null) {
                reply(id, value, failure);
            }
        });
    }

    private void finish(boolean violation, String reason) {
        if (closed.complete(new Closed(violation, reason))) {
            outbox.add(POISON);
            for (Long id : pending.keySet().toArray(new Long[0])) {
                Pending<?> reply = pending.remove(id);
                if (reply != null) {
                    reply.reply().completeExceptionally(new ClosedException(reason));
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

    /** A growable byte buffer for encoding one message at a time (under the write lock). */
    private static final class Buffer extends OutputStream {
        private byte[] bytes = new byte[1024];
        private int size;

        void reset() {
            size = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] from, int offset, int length) {
            ensure(length);
            System.arraycopy(from, offset, bytes, size, length);
            size += length;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        byte[] copy() {
            byte[] copy = Arrays.copyOf(bytes, size);
            if (bytes.length > 1 << 20) {
                bytes = new byte[1024]; // a 30 MB answer is not kept for the small messages after it
            }
            return copy;
        }
    }

    /** The connection ended before a reply came. */
    public static final class ClosedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ClosedException(String reason) {
            super("the protocol connection ended: " + reason);
        }
    }
}
