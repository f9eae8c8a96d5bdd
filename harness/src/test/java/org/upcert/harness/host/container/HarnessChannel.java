package org.upcert.harness.host.container;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/**
 * The harness's end of the protocol's socket, for the container tests: listens on a Unix-domain
 * socket in a folder of its own, accepts the probe's connection (bounded) and hands over its lines.
 */
final class HarnessChannel implements AutoCloseable {
    private static final String END = "\u0000end";

    private final Path socket;
    private final ServerSocketChannel server;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private SocketChannel accepted;

    HarnessChannel(Path folder) throws IOException {
        Files.createDirectories(folder);
        this.socket = folder.resolve("channel.sock");
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        server.configureBlocking(false);
    }

    Path socket() {
        return socket;
    }

    /** Waits (at most {@code bound}) for the probe to connect, then reads its lines in the background. */
    HarnessChannel accept(Duration bound) {
        AtomicReference<SocketChannel> client = new AtomicReference<>();
        Awaitility.await("the probe connects").atMost(bound).pollInterval(Duration.ofMillis(20)).dontCatchUncaughtExceptions()
                .until(() -> {
                    client.set(server.accept());
                    return client.get() != null;
                });
        accepted = client.get();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(accepted), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the container went away
            }
            lines.add(END);
        }, "harness-channel-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /** True if nobody has connected (for a test that expects no connection). */
    boolean nobodyConnected() throws IOException {
        return accepted == null && server.accept() == null;
    }

    /** The next line, waiting at most {@code bound}; null at the end of the stream. */
    String nextLine(Duration bound) {
        AtomicReference<String> line = new AtomicReference<>();
        Awaitility.await("a line from the probe").atMost(bound).pollInterval(Duration.ofMillis(10)).dontCatchUncaughtExceptions()
                .until(() -> {
                    line.set(lines.poll());
                    return line.get() != null;
                });
        return END.equals(line.get()) ? null : line.get();
    }

    @Override
    public void close() throws IOException {
        if (accepted != null) {
            accepted.close();
        }
        server.close();
        Files.deleteIfExists(socket);
    }
}
