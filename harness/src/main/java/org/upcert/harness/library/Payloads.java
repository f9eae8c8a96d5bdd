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

    /**
     * The body the uploader sends for {@code resource}, its SHA-256 kept as the resource's expected
     * hash ({@link #sha256(AssetResource)}) when it is compact. The cloud stub hashes the body it
     * receives right after, and finds these very bytes in the memo of digests; the run's summary and
     * the checkers then ask for the resource's expected hash and find it here, whatever the memo of
     * bodies dropped meanwhile. Before, a library whose compact bodies outgrew that memo (32 MB:
     * about 10,900 bodies, less than a 10k-asset library's 12,003) had nearly every expected hash
     * computed again at the end of the run (38% of a 10k-asset run's samples, JFR). Exact: the
     * digest kept is that of {@link #bytes(AssetResource)}, which depends on nothing but the seed,
     * the resource and its size. Full-size bodies are not hashed here (they are never kept).
     */
    public byte[] bytesToSend(AssetResource resource) {
        byte[] body = bytes(resource);
        if (body.length <= Digests.LARGEST_BODY) {
            hashes.computeIfAbsent(key(resource), k -> sha256(body));
        }
        return body;
    }

    private static String key(AssetResource resource) {
        return resource.key() + '\u0000' + resource.fileSize();
    }

    /** The SHA-256 (hex) of {@link #bytes(AssetResource)}. */
    public String sha256(AssetResource resource) {
        return hashes.computeIfAbsent(key(resource), k -> sha256(bytes(resource)));
    }

    /** SHA-256 of any byte array, lowercase hex. */
    public static String sha256(byte[] bytes) {
        if (bytes.length > Digests.LARGEST_BODY) {
            return digest(bytes);
        }
        return DIGESTS.of(bytes);
    }

    /** SHA-256 digests computed in this JVM (not found in a memo): what the memos spare, counted for the tests. */
    private static final java.util.concurrent.atomic.AtomicLong DIGESTS_COMPUTED = new java.util.concurrent.atomic.AtomicLong();

    static long digestsComputed() {
        return DIGESTS_COMPUTED.get();
    }

    private static String digest(byte[] bytes) {
        DIGESTS_COMPUTED.incrementAndGet();
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static final Digests DIGESTS = new Digests();

    /**
     * SHA-256 of compact bodies already hashed in this JVM, by their whole content: the cloud stub
     * hashes every body it receives, then the run's summary and the checkers ask for each
     * resource's expected hash, the same bytes generated again; and the runs of a certification
     * that share a seed share most of their library. SHA-256 runs without the JDK's intrinsics in
     * the C1-only {@code upcert} JVM (60-74 µs for 3 KB against about 5 µs to hash and compare the
     * bytes here), and was 13.5% of a default certify's samples (JFR). Exact: a body is found only
     * if every byte equals one hashed before, so the answer is the digest of these very bytes; what
     * is kept never changes an answer, only its cost. Bounded: bodies over {@link #LARGEST_BODY}
     * are never kept, and once {@link #BUDGET} bytes are kept the memo starts again empty. Only
     * looked up, never iterated.
     */
    private static final class Digests {
        /** The largest body kept: compact payloads are 2-4 KB; full-size ones are hashed each time. */
        static final int LARGEST_BODY = 16 * 1024;
        /** Bytes of bodies kept at most (about 10,000 compact bodies). */
        static final long BUDGET = 32L * 1024 * 1024;

        private final java.util.concurrent.ConcurrentHashMap<Body, String> known = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong kept = new java.util.concurrent.atomic.AtomicLong();

        String of(byte[] bytes) {
            Body body = new Body(bytes, java.util.Arrays.hashCode(bytes));
            String known = this.known.get(body);
            if (known != null) {
                return known;
            }
            String sha = digest(bytes);
            if (kept.addAndGet(bytes.length) > BUDGET) {
                this.known.clear();
                kept.set(bytes.length);
            }
            this.known.putIfAbsent(new Body(bytes.clone(), body.hash), sha); // a copy: the caller's array may change
            return sha;
        }

        /** A body as a key: equal when every byte is. */
        private static final class Body {
            private final byte[] bytes;
            private final int hash;

            Body(byte[] bytes, int hash) {
                this.bytes = bytes;
                this.hash = hash;
            }

            @Override
            public boolean equals(Object other) {
                return other instanceof Body body && body.hash == hash && java.util.Arrays.equals(body.bytes, bytes);
            }

            @Override
            public int hashCode() {
                return hash;
            }
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
