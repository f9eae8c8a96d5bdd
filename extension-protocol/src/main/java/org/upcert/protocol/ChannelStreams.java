package org.upcert.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import org.upcert.api.API;

/**
 * Streams over a {@link SocketChannel} that can read and write at the same time: over a blocking
 * channel ({@link #in}, {@link #out}), or over one in non-blocking mode that no interrupt can close
 * ({@link #immuneToInterrupts}).
 * For a blocking channel:
 * {@code Channels.newInputStream/newOutputStream} hold the channel's blocking lock for the whole of
 * a blocking read, so a writer waits until something arrives: a deadlock for a protocol where
 * both sides send requests. The channel itself has separate read and write locks; these streams
 * use them directly.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class ChannelStreams {
    private ChannelStreams() {
    }

    /** A stream that reads in bulk; a single byte is a bulk read of one (the reader never asks for one). */
    private abstract static class BulkInputStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }
    }

    public static InputStream in(SocketChannel channel) {
        return new BulkInputStream() {
            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                int n = channel.read(ByteBuffer.wrap(bytes, offset, length));
                return n;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** Both directions of one channel. */
    public record Pair(InputStream in, OutputStream out) {
    }

    /**
     * Streams over the channel switched to non-blocking mode, so that no interrupt of a thread that
     * reads or writes it ever closes it: a blocking channel closes itself for good when a thread
     * using it is interrupted (the JDK's interruptible I/O), a non-blocking one never does. Any
     * thread may then write, an extension's own included (an executor's {@code shutdownNow()}
     * interrupts them), without a hand-off to a writer thread of the connection's own. A read that
     * finds nothing waits in a selector (one {@code epoll_wait}); a write whose bytes do not all fit
     * waits for room in a selector of its own. Interrupts during those waits are held back and set
     * again afterwards: the caller's interrupt status stays its own business.
     */
    public static Pair immuneToInterrupts(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        Selector readable = Selector.open();
        Selector writable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
        channel.register(writable, SelectionKey.OP_WRITE);
        InputStream in = new BulkInputStream() {
            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (true) {
                    int n = channel.read(buffer);
                    if (n != 0) {
                        return n;
                    }
                    await(readable, channel);
                }
            }

            @Override
            public void close() throws IOException {
                closeAll(channel, readable, writable);
            }
        };
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                synchronized (writable) { // one writer at a time waits in this selector
                    while (true) {
                        channel.write(buffer);
                        if (!buffer.hasRemaining()) {
                            return;
                        }
                        await(writable, channel);
                    }
                }
            }

            @Override
            public void close() throws IOException {
                closeAll(channel, readable, writable);
            }
        };
        return new Pair(in, out);
    }

    /** Waits until the selector's one channel is ready, holding back an interrupt (set again after). */
    private static void await(Selector selector, SocketChannel channel) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                if (!channel.isOpen()) {
                    throw new java.nio.channels.ClosedChannelException();
                }
                // An interrupt makes select return at once; it is taken back and the wait goes on.
                if (selector.select(key -> { }) > 0) {
                    return;
                }
                interrupted |= Thread.interrupted();
            }
        } catch (ClosedSelectorException e) {
            throw new java.nio.channels.ClosedChannelException();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the channel and wakes whoever waits in its selectors (closing them). */
    private static void closeAll(SocketChannel channel, Selector readable, Selector writable) throws IOException {
        try {
            channel.close();
        } finally {
            readable.close();
            writable.close();
        }
    }

    public static OutputStream out(SocketChannel channel) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }
}
