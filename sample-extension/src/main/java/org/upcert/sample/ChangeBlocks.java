package org.upcert.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.upcert.api.JobChanges;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;

/**
 * Applies one kind of job change to many items in {@code performChanges} blocks (JOB-01: every
 * change inside a block; blocks never nested).
 *
 * <ul>
 *   <li>The cancellation flag is polled before every block: after {@code willTerminate} no new
 *       block starts (TRM-01); the block in progress may finish (TRM-02 allows it).
 *   <li>A block is all or nothing. When one is rejected for a reason tied to one item (a job
 *       that finished meanwhile, {@code CHANGE_NOT_SUPPORTED}; an asset deleted meanwhile,
 *       {@code IDENTIFIER_NOT_FOUND}), its items are tried one per block, so one bad item does
 *       not hold back the others (ACK-02 wants every presented job acknowledged).
 *   <li>{@code LIMIT_EXCEEDED} and {@code ACCESS_USER_DENIED} say nothing more of this kind
 *       can succeed in this call: stop at once, never spin (CAP-01, CNS-01).
 * </ul>
 */
final class ChangeBlocks {

    private ChangeBlocks() {
    }

    /**
     * What happened to the items.
     *
     * @param applied items whose change committed
     * @param refused items whose change was rejected
     * @param stoppedBy the rejection that stopped everything (LIMIT_EXCEEDED, ACCESS_USER_DENIED)
     * @param interrupted whether the cancellation flag stopped the work
     */
    record Result<T>(List<T> applied, List<T> refused, Optional<PhotosException> stoppedBy, boolean interrupted) {
        /** Whether the job limit stopped the work. */
        boolean limitExceeded() {
            return stoppedBy.map(e -> e.code() == PhotosErrorCode.LIMIT_EXCEEDED).orElse(false);
        }
    }

    /**
     * Applies {@code change} to every item, {@code blockSize} items per block, in order.
     */
    static <T> Result<T> apply(PhotoLibrary library, List<T> items, int blockSize, BiConsumer<JobChanges, T> change,
            AtomicBoolean cancelled) {
        List<T> applied = new ArrayList<>();
        List<T> refused = new ArrayList<>();
        for (List<T> block : Batches.of(items, blockSize)) {
            if (cancelled.get()) {
                return new Result<>(applied, refused, Optional.empty(), true);
            }
            Optional<PhotosException> rejection = commit(library, block, change);
            if (rejection.isEmpty()) {
                applied.addAll(block);
                continue;
            }
            if (stopsEverything(rejection.get())) {
                return new Result<>(applied, refused, rejection, false);
            }
            if (block.size() == 1) {
                refused.addAll(block);
                continue;
            }
            for (T item : block) {
                if (cancelled.get()) {
                    return new Result<>(applied, refused, Optional.empty(), true);
                }
                Optional<PhotosException> single = commit(library, List.of(item), change);
                if (single.isEmpty()) {
                    applied.add(item);
                } else if (stopsEverything(single.get())) {
                    return new Result<>(applied, refused, single, false);
                } else {
                    refused.add(item);
                }
            }
        }
        return new Result<>(applied, refused, Optional.empty(), false);
    }

    private static <T> Optional<PhotosException> commit(PhotoLibrary library, List<T> block,
            BiConsumer<JobChanges, T> change) {
        try {
            library.performChanges(changes -> block.forEach(item -> change.accept(changes, item)));
            return Optional.empty();
        } catch (PhotosException e) {
            return Optional.of(e);
        }
    }

    private static boolean stopsEverything(PhotosException e) {
        return e.code() == PhotosErrorCode.LIMIT_EXCEEDED || e.code() == PhotosErrorCode.ACCESS_USER_DENIED;
    }
}
