package org.upcert.sample;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits work into {@code performChanges} blocks. Small blocks matter twice: a block is all or
 * nothing (one rejected change, e.g. LIMIT_EXCEEDED, rejects every change in it), and the
 * cancellation flag can only be polled between blocks (TRM-01).
 */
final class Batches {

    /** Jobs retried or acknowledged per block. */
    static final int CHANGE_BLOCK = 50;
    /** Jobs created per block: smaller, so LIMIT_EXCEEDED or a deleted asset costs little. */
    static final int CREATE_BLOCK = 20;

    private Batches() {
    }

    /** {@code items} in order, cut into consecutive lists of at most {@code size}. */
    static <T> List<List<T>> of(List<T> items, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        List<List<T>> batches = new ArrayList<>();
        for (int start = 0; start < items.size(); start += size) {
            batches.add(List.copyOf(items.subList(start, Math.min(items.size(), start + size))));
        }
        return batches;
    }
}
