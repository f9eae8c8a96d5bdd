package org.upcert.conformance.suite;

import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code certify} hands to the test plan it launches in the same JVM ({@link ProfileSnapshot},
 * {@link CertificationState}): each object findable by an id, a configuration parameter's value,
 * until it is released at the certification's end.
 */
final class Handover<T> {
    private final String prefix;
    private final AtomicLong ids = new AtomicLong();
    private final TreeMap<String, T> shared = new TreeMap<>();

    /** Ids are {@code prefix-1}, {@code prefix-2}, …. */
    Handover(String prefix) {
        this.prefix = prefix;
    }

    /** Makes {@code value} findable by the returned id until {@link #release}. */
    String share(T value) {
        String id = prefix + "-" + ids.incrementAndGet();
        synchronized (shared) {
            shared.put(id, value);
        }
        return id;
    }

    /** What {@link #share} made findable by {@code id}, or null. */
    T find(String id) {
        synchronized (shared) {
            return shared.get(id);
        }
    }

    /** Forgets what {@code id} named. */
    void release(String id) {
        synchronized (shared) {
            shared.remove(id);
        }
    }
}
