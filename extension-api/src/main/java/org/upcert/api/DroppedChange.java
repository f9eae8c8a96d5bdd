package org.upcert.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A change of a {@code performChanges} block that the system dropped at the commit because the
 * job's state no longer allowed it (or the job no longer exists); the rest of the block committed.
 *
 * <p>This is the Java form of a {@code nil} {@code PHAssetResourceUploadJobChangeRequest(for:)}:
 * on a device the change request for a job that cannot be changed does not exist, so nothing is
 * done for that job and the other changes of the block go through. Here the block is recorded in
 * the extension and committed in one request (as PhotoKit commits it in the photo library daemon),
 * so the verdict on each change is known only at the commit; {@link ChangeOutcome#dropped()} lists
 * them. Typical cause: a job that was {@link JobState#PENDING} when fetched finished before the
 * block committed, so its {@code cancel} no longer applies.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class DroppedChange {

    /** The job changes that can be dropped (creations are never dropped: see {@link PhotoLibrary#performChanges}). */
    @API(status = API.Status.EXPERIMENTAL, since = "0.2")
    public enum Kind {
        /** {@link JobChanges#acknowledge(UploadJob)}. */
        ACKNOWLEDGE,
        /** {@link JobChanges#retry(UploadJob, UploadRequest)}. */
        RETRY,
        /** {@link JobChanges#cancel(UploadJob)}. */
        CANCEL
    }

    private final int index;
    private final Kind change;
    private final String job;
    private final PhotosErrorCode code;
    private final JobState state;
    private final String reason;

    /**
     * @param index the change's position in its block, 0 for the first change recorded (creations count)
     * @param change what was asked
     * @param job the job's local identifier (null if the block passed no job)
     * @param code {@link PhotosErrorCode#CHANGE_NOT_SUPPORTED} (the job's state does not allow the change)
     *     or {@link PhotosErrorCode#IDENTIFIER_NOT_FOUND} (no such unacknowledged job)
     * @param state the job's state at the commit as the fetch sets show it (a transition of the
     *     system's that has not shown yet is not revealed here either), null when the store holds no such job
     * @param reason why, in words
     */
    public DroppedChange(int index, Kind change, String job, PhotosErrorCode code, JobState state, String reason) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
        this.index = index;
        this.change = Objects.requireNonNull(change, "change");
        this.job = job;
        this.code = Objects.requireNonNull(code, "code");
        this.state = state;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The change's position in its block (0 = the first change recorded, creations included). */
    public int index() {
        return index;
    }

    /** What was asked. */
    public Kind change() {
        return change;
    }

    /** The job's local identifier; null if the block passed {@code null} as the job. */
    public String job() {
        return job;
    }

    /** Why, as a {@code PHPhotosError} code. */
    public PhotosErrorCode code() {
        return code;
    }

    /** The job's state at the commit as the fetch sets show it; empty when the system holds no such unacknowledged job. */
    public Optional<JobState> state() {
        return Optional.ofNullable(state);
    }

    /** Why, in words (for logs). */
    public String reason() {
        return reason;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DroppedChange that && index == that.index && change == that.change
                && Objects.equals(job, that.job) && code == that.code && state == that.state && reason.equals(that.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, change, job, code, state, reason);
    }

    @Override
    public String toString() {
        return change.name().toLowerCase(java.util.Locale.ROOT) + " " + job + " dropped (" + code
                + (state == null ? "" : ", " + state) + "): " + reason;
    }
}
