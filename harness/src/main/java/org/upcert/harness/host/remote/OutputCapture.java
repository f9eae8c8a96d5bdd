package org.upcert.harness.host.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drains one output stream of an extension process on a thread of its own, so the process never
 * blocks on a full pipe, and keeps what is worth keeping: the first {@link #KEPT_BYTES} bytes in a
 * log (if there is one) and the last {@link #TAIL_BYTES} in memory for crash reports. Everything
 * beyond is counted and dropped: 100 MB on stdout costs a read loop, not memory, and never reaches
 * upcert's own output.
 */
final class OutputCapture {
    static final int KEPT_BYTES = 1 << 20;
    static final int TAIL_BYTES = 4096;

    private final AtomicLong total = new AtomicLong();
    private final byte[] tail = new byte[TAIL_BYTES];
    private int tailEnd;
    private boolean tailWrapped;
    private final Thread thread;
    private volatile OutputStream log;
    private long kept;

    OutputCapture(String name, InputStream in, OutputStream log) {
        this.log = log;
        this.thread = new Thread(() -> drain(in), "upcert-output-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Sends what follows to another log (a pooled worker serving its next run), or to none. */
    synchronized void retarget(OutputStream newLog) {
        log = newLog;
        kept = 0;
    }

    private void drain(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total.addAndGet(n);
                keep(buffer, n);
                remember(buffer, n);
            }
        } catch (IOException e) {
            // the process is gone; what was read is kept
        }
    }

    private synchronized void keep(byte[] buffer, int n) {
        OutputStream target = log;
        if (target == null || kept >= KEPT_BYTES) {
            return;
        }
        int keep = (int) Math.min(n, KEPT_BYTES - kept);
        try {
            synchronized (target) {
                target.write(buffer, 0, keep);
            }
        } catch (IOException e) {
            log = null; // the run's log is closed: keep draining, keep nothing
        }
        kept += keep;
    }

    private synchronized void remember(byte[] buffer, int n) {
        for (int i = Math.max(0, n - TAIL_BYTES); i < n; i++) {
            tail[tailEnd++] = buffer[i];
            if (tailEnd == TAIL_BYTES) {
                tailEnd = 0;
                tailWrapped = true;
            }
        }
    }

    /** Bytes the process wrote to this stream so far. */
    long bytes() {
        return total.get();
    }

    /** The last lines written (at most {@link #TAIL_BYTES} bytes), for a crash report. */
    synchronized String tail() {
        byte[] ordered;
        if (tailWrapped) {
            ordered = new byte[TAIL_BYTES];
            System.arraycopy(tail, tailEnd, ordered, 0, TAIL_BYTES - tailEnd);
            System.arraycopy(tail, 0, ordered, TAIL_BYTES - tailEnd, tailEnd);
        } else {
            ordered = java.util.Arrays.copyOf(tail, tailEnd);
        }
        return new String(ordered, StandardCharsets.UTF_8);
    }

    /** Waits a little (bounded) for the stream to end, so a crash report has the last lines. */
    void settle(long wallMillis) {
        try {
            thread.join(wallMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
