package org.upcert.harness.sim;

import java.time.Clock;
import java.time.Instant;

/**
 * Simulated time in milliseconds since the start of the run. It only moves forward, and only
 * when the simulator says so: processing the next event, or charging an extension's API call.
 * {@link #asClock()} gives extensions a {@link Clock} that reads it, anchored at a fixed
 * instant so that dates in a trace are the same on every machine.
 */
public final class VirtualClock {
    /** The wall-clock instant that virtual time 0 stands for: a fixed Monday morning. */
    public static final Instant EPOCH = Instant.parse("2026-01-05T08:00:00Z");

    private long nowMillis;

    /** Milliseconds since the start of the run. */
    public long now() {
        return nowMillis;
    }

    /** Moves time forward to {@code t}; moving backwards is a simulator bug. */
    public void advanceTo(long t) {
        if (t < nowMillis) {
            throw new IllegalStateException("virtual time cannot go back from " + nowMillis + " to " + t);
        }
        nowMillis = t;
    }

    /** Moves time forward by {@code millis}. */
    public void advanceBy(long millis) {
        advanceTo(nowMillis + millis);
    }

    /** The instant that virtual time {@code t} stands for. */
    public static Instant instantAt(long t) {
        return EPOCH.plusMillis(t);
    }

    /** A {@link Clock} reading this virtual time, in UTC. */
    public Clock asClock() {
        return new org.upcert.protocol.VirtualTimeClock(EPOCH, () -> nowMillis);
    }

    /**
     * Human form of a virtual time: {@code 2h03m04.005s}. Built by hand rather than with
     * {@code String.format}: the timelines of a certification format tens of thousands of times
     * (the Formatter was a quarter of drawing them, JFR), and {@code String.format} without a
     * locale printed the digits of the machine's default locale (Arabic-Indic ones under
     * {@code ar-SA}), so the same run read differently on two machines. ASCII digits everywhere;
     * a negative time (never one the simulator makes) is written as the Formatter wrote it in the
     * root locale.
     */
    public static String format(long t) {
        if (t < 0) {
            return formatted(t);
        }
        long ms = t % 1000;
        long s = (t / 1000) % 60;
        long m = (t / 60_000) % 60;
        long h = t / 3_600_000;
        StringBuilder out = new StringBuilder(16);
        if (h > 0) {
            out.append(h).append('h');
            twoDigits(out, m).append('m');
            twoDigits(out, s);
        } else if (m > 0) {
            out.append(m).append('m');
            twoDigits(out, s);
        } else {
            out.append(s);
        }
        out.append('.');
        if (ms < 100) {
            out.append('0');
        }
        return twoDigits(out, ms).append('s').toString();
    }

    private static StringBuilder twoDigits(StringBuilder out, long value) {
        if (value < 10) {
            out.append('0');
        }
        return out.append(value);
    }

    /** {@link #format} as it was written with the root locale's Formatter (the reference its tests compare with). */
    static String formatted(long t) {
        long ms = t % 1000;
        long s = (t / 1000) % 60;
        long m = (t / 60_000) % 60;
        long h = t / 3_600_000;
        if (h > 0) {
            return String.format(java.util.Locale.ROOT, "%dh%02dm%02d.%03ds", h, m, s, ms);
        }
        if (m > 0) {
            return String.format(java.util.Locale.ROOT, "%dm%02d.%03ds", m, s, ms);
        }
        return String.format(java.util.Locale.ROOT, "%d.%03ds", s, ms);
    }
}
