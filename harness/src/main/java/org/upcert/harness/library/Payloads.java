package org.upcert.harness.library;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.upcert.api.AssetResource;
import org.upcert.harness.plan.PayloadMode;
import org.upcert.harness.sim.SimRandom;

/**
 * The bytes of a resource: generated from (seed, resource key, declared size), so any body the
 * cloud receives can be verified by SHA-256 without storing the library anywhere.
 *
 * <p>In {@link PayloadMode#COMPACT} mode the body is 2–4 KB whatever the declared size; in
 * {@link PayloadMode#FULL} mode it has the declared size. Either way every resource's body is
 * distinct, so a hash identifies the resource it came from.
 */
public final class Payloads {
    private final long seed;
    private final PayloadMode mode;
    /**
     * Expected hashes, computed once per resource: the summary, the evidence and several
     * checkers each ask for every resource's, and hashing was the largest single cost of a
     * direct-transport run (a JFR profile of a 10k-asset run: 37% of the samples in SHA-256).
     * Only looked up, never iterated.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, String> hashes = new java.util.concurrent.ConcurrentHashMap<>();

    public Payloads(long seed, PayloadMode mode) {
        this.seed = seed;
        this.mode = mode;
    }

    public PayloadMode mode() {
        return mode;
    }

    /** The body the uploader sends for {@code resource}. */
    public byte[] bytes(AssetResource resource) {
        long streamSeed = SimRandom.mix64(seed ^ SimRandom.hash(resource.key()) ^ resource.fileSize());
        int length = length(resource, streamSeed);
        byte[] body = new byte[length];
        SimRandom stream = new SimRandom(streamSeed);
        int i = 0;
        while (i < length) {
            long word = stream.nextLong();
            for (int k = 0; k < 8 && i < length; k++, i++) {
                body[i] = (byte) (word >>> (8 * k));
            }
        }
        return body;
    }

    /** The SHA-256 (hex) of {@link #bytes(AssetResource)}. */
    public String sha256(AssetResource resource) {
        return hashes.computeIfAbsent(resource.key() + '\u0000' + resource.fileSize(), k -> sha256(bytes(resource)));
    }

    /** SHA-256 of any byte array, lowercase hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private int length(AssetResource resource, long streamSeed) {
        if (mode == PayloadMode.FULL) {
            if (resource.fileSize() > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("full payload too large for one request: " + resource.fileSize());
            }
            return (int) resource.fileSize();
        }
        return (int) Math.min(resource.fileSize(), 2048 + Long.remainderUnsigned(streamSeed, 2048));
    }
}
