package org.upcert.harness.sim;

import java.nio.charset.StandardCharsets;

/**
 * The simulator's own pseudo-random source: SplitMix64, seeded explicitly, never from the
 * platform. Like TigerBeetle's simulator, each subsystem gets its own stream via
 * {@link #fork(String)}, so adding a random draw in one subsystem does not shift every other
 * subsystem's draws (a profile change stays local in the trace diff).
 *
 * <p>Written here rather than taken from {@code java.util.SplittableRandom} because the exact
 * output sequence is part of the trace format: a JDK update must never change a replay. All
 * floating point goes through {@link StrictMath} for the same reason.
 */
public final class SimRandom {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    public SimRandom(long seed) {
        this.state = seed;
    }

    /** A mixing function: a well-distributed 64-bit hash of {@code z}. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A stable 64-bit hash of a string (FNV-1a, then mixed). */
    public static long hash(String text) {
        long h = 0xCBF29CE484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xFF);
            h *= 0x100000001B3L;
        }
        return mix64(h);
    }

    /** An independent stream for the named subsystem, derived from this stream's seed. */
    public SimRandom fork(String subsystem) {
        return new SimRandom(mix64(state ^ hash(subsystem)));
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix64(state);
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }

    /** Uniform in [min, max]. */
    public long between(long min, long max) {
        if (max < min) {
            throw new IllegalArgumentException("max < min");
        }
        return min + Long.remainderUnsigned(nextLong(), max - min + 1);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** True with probability {@code numerator / denominator} (integer ratios, as TigerBeetle states them). */
    public boolean chance(int numerator, int denominator) {
        return nextInt(denominator) < numerator;
    }

    /** A log-normal draw with the given median and shape (sigma of the underlying normal). */
    public double logNormal(double median, double sigma) {
        return median * StrictMath.exp(sigma * gaussian());
    }

    /** A standard normal draw (Box–Muller). */
    public double gaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
    }
}
