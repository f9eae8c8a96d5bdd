package org.upcert.harness.upload;

import java.util.function.LongSupplier;
import org.upcert.harness.sim.VirtualClock;

/**
 * The virtual time the cloud stub reads. The uploader sends a system transfer's real HTTP request
 * when the transfer ends in virtual time (so the cloud sees requests in the same order on every
 * run), but a server authenticates a request when its headers arrive: a bearer token or a presigned
 * URL valid when an upload starts lets it finish, however long its body takes over a slow uplink.
 * While {@link #at} sends such a request the stub reads the time the request started; everything
 * else (the extension's own calls, which take no virtual time on the wire) reads the clock's now.
 *
 * <p>Read from the stub's server threads over loopback, hence the volatile field; only the
 * single-threaded simulation writes it.
 */
public final class ServerClock implements LongSupplier {
    private final VirtualClock clock;
    private volatile long requestStartedAt = -1;

    public ServerClock(VirtualClock clock) {
        this.clock = clock;
    }

    @Override
    public long getAsLong() {
        long started = requestStartedAt;
        return started >= 0 ? started : clock.now();
    }

    /** A request to send, which may fail as the transport does. */
    @FunctionalInterface
    public interface Request<T, E extends Exception> {
        T send() throws E;
    }

    /** Sends {@code request} with the stub seeing {@code startedAt} as the time of the request. */
    public <T, E extends Exception> T at(long startedAt, Request<T, E> request) throws E {
        requestStartedAt = startedAt;
        try {
            return request.send();
        } finally {
            requestStartedAt = -1;
        }
    }
}
