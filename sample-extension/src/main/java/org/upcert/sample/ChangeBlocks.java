package org.upcert.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.TreeSet;
import org.upcert.api.AssetResource;
import org.upcert.api.ChangeOutcome;
import org.upcert.api.DroppedChange;
import org.upcert.api.JobChanges;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
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
 *   <li>A change whose job can no longer take it (a job that finished before the commit, one
 *       already gone) is dropped by the system and the rest of the block commits; the block's
 *       {@link ChangeOutcome} says which, and their items count as refused, not applied.
 *   <li>A block rejected as a whole for a reason tied to one item (an asset deleted meanwhile,
 *       {@code IDENTIFIER_NOT_FOUND}) has its items tried one per block, so one bad item does
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
            return stoppedBy.isPresent() && stoppedBy.get().code() == PhotosErrorCode.LIMIT_EXCEEDED;
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
            TreeSet<Integer> dropped = new TreeSet<>();
            Optional<PhotosException> rejection = commit(library, block, change, dropped);
            if (rejection.isEmpty()) {
                for (int i = 0; i < block.size(); i++) {
                    (dropped.contains(i) ? refused : applied).add(block.get(i));
                }
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
                TreeSet<Integer> droppedSingle = new TreeSet<>();
                Optional<PhotosException> single = commit(library, List.of(item), change, droppedSingle);
                if (single.isEmpty()) {
                    (droppedSingle.isEmpty() ? applied : refused).add(item);
                } else if (stopsEverything(single.get())) {
                    return new Result<>(applied, refused, single, false);
                } else {
                    refused.add(item);
                }
            }
        }
        return new Result<>(applied, refused, Optional.empty(), false);
    }

    /**
     * Commits one block; on success {@code dropped} receives the positions (in {@code block}) of
     * the items one of whose changes the system dropped.
     */
    private static <T> Optional<PhotosException> commit(PhotoLibrary library, List<T> block,
            BiConsumer<JobChanges, T> change, TreeSet<Integer> dropped) {
        List<Integer> owners = new ArrayList<>(); // change index -> item position
        try {
            ChangeOutcome outcome = library.performChangesAndReport(changes -> {
                for (int i = 0; i < block.size(); i++) {
                    change.accept(new Owned(changes, owners, i), block.get(i));
                }
            });
            for (DroppedChange drop : outcome.dropped()) {
                if (drop.index() < owners.size()) {
                    dropped.add(owners.get(drop.index()));
                }
            }
            return Optional.empty();
        } catch (PhotosException e) {
            return Optional.of(e);
        }
    }

    /** Records which item each change of a block belongs to. */
    private record Owned(JobChanges changes, List<Integer> owners, int item) implements JobChanges {
        @Override
        public String createJob(AssetResource resource, UploadRequest destination) {
            owners.add(item);
            return changes.createJob(resource, destination);
        }

        @Override
        public void acknowledge(UploadJob job) {
            owners.add(item);
            changes.acknowledge(job);
        }

        @Override
        public void retry(UploadJob job, UploadRequest newDestination) {
            owners.add(item);
            changes.retry(job, newDestination);
        }

        @Override
        public void cancel(UploadJob job) {
            owners.add(item);
            changes.cancel(job);
        }
    }

    private static boolean stopsEverything(PhotosException e) {
        return e.code() == PhotosErrorCode.LIMIT_EXCEEDED || e.code() == PhotosErrorCode.ACCESS_USER_DENIED;
    }
}
