package org.upcert.harness.host.container;

import java.io.InputStream;

/**
 * One of a container's output streams, as the harness reads it: bytes arrive from the engine's
 * attach stream and wait in a bounded buffer until the harness reads them, so a container that
 * writes faster than the harness drains is slowed down, as a process writing to a full pipe is.
 * Closing the reading side discards whatever arrives afterwards (the writer never blocks again).
 */
final class OutputPipe extends InputStream {
    static final int CAPACITY = 64 * 1024;

    private final byte[] buffer = new byte[CAPACITY];
    private int head;
    private int count;
    private boolean writerClosed;
    private boolean readerClosed;

    /** Appends bytes, waiting while the buffer is full and the reader is still there. */
    synchronized void write(byte[] bytes, int offset, int length) throws InterruptedException {
        int at = offset;
        int left = length;
        while (left > 0) {
            while (count == buffer.length && !readerClosed && !writerClosed) {
                wait();
            }
            if (readerClosed || writerClosed) {
                return;
            }
            int tail = (head + count) % buffer.length;
            int n = Math.min(left, Math.min(buffer.length - count, buffer.length - tail));
            System.arraycopy(bytes, at, buffer, tail, n);
            count += n;
            at += n;
            left -= n;
            notifyAll();
        }
    }

    /** No more bytes will come: the reader sees end of stream once the buffer is empty. */
    synchronized void closeWriter() {
        writerClosed = true;
        notifyAll();
    }

    @Override
    public synchronized int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] into, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        try {
            while (count == 0 && !writerClosed && !readerClosed) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        if (count == 0 || readerClosed) {
            return -1;
        }
        int n = Math.min(length, Math.min(count, buffer.length - head));
        System.arraycopy(buffer, head, into, offset, n);
        head = (head + n) % buffer.length;
        count -= n;
        notifyAll();
        return n;
    }

    @Override
    public synchronized int available() {
        return readerClosed ? 0 : count;
    }

    @Override
    public synchronized void close() {
        readerClosed = true;
        count = 0;
        notifyAll();
    }
}
