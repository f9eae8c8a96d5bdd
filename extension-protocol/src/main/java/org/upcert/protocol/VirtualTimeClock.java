package org.upcert.protocol;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;
import org.upcert.api.API;

/**
 * The {@link Clock} an extension is given: UTC, reading virtual milliseconds since an epoch. The
 * harness reads its simulation's clock through it; the worker reads the last virtual time the
 * harness stamped on a message. One class, so both read time the same way.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class VirtualTimeClock extends Clock {
    private final Instant epoch;
    private final LongSupplier virtualMillis;

    /**
     * @param epoch the instant virtual time 0 stands for
     * @param virtualMillis the current virtual time, in milliseconds since {@code epoch}
     */
    public VirtualTimeClock(Instant epoch, LongSupplier virtualMillis) {
        this.epoch = epoch;
        this.virtualMillis = virtualMillis;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the simulated clock is UTC only");
    }

    @Override
    public Instant instant() {
        return epoch.plusMillis(virtualMillis.getAsLong());
    }

    @Override
    public long millis() {
        return epoch.toEpochMilli() + virtualMillis.getAsLong();
    }
}
