package org.upcert.harness.jobs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.upcert.api.AssetResource;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.UploadError;
import org.upcert.api.UploadRequest;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.trace.Trace;

/**
 * The system's job store, with the rules of ../shared/reference/photokit-background-upload.md §2:
 *
 * <ul>
 *   <li>fetch sets: ACKNOWLEDGE = succeeded or failed and unacknowledged; RETRY = failed and never
 *       retried (so a first-failed job is in both); PROCESS = registered or pending;
 *   <li>the job limit counts every unacknowledged job (registered, pending, succeeded, failed);
 *   <li>change blocks are atomic: a block with an illegal change, or one that would leave more
 *       unacknowledged jobs than the limit, is rejected whole and nothing in it happens;
 *   <li>retry at most once, only failed and unacknowledged; cancel only registered or pending
 *       (then acknowledged automatically); acknowledge only succeeded or failed.
 * </ul>
 *
 * <p>Where the reference is silent, upcert decides (documented in ARCHITECTURE.md): a retried job
 * re-enters REGISTERED and keeps its place under the limit, so a retry never raises
 * LIMIT_EXCEEDED; the limit is judged on the block's net effect (acknowledgements in the same
 * block make room for its creations). The extension's own changes show in the fetch sets at once.
 *
 * <p>Every change is traced: {@code job.create}, {@code job.ack}, {@code job.retry},
 * {@code job.cancel} on commit; {@code change.illegal} for each illegal change when recorded;
 * {@code changes.commit} / {@code changes.rejected} for the block.
 */
public final class JobStore {

    /** Told about jobs the system must transfer or stop transferring. */
    public interface Listener {
        /** A job entered REGISTERED (created or retried): it needs a transfer. */
        void registered(JobRecord job);

        /** A registered or pending job was cancelled: drop or abort its transfer. */
        void cancelled(JobRecord job);
    }

    private final int jobLimit;
    private final SimulatedLibrary library;
    private final Trace trace;
    private final LongSupplier now;
    private final TreeMap<String, JobRecord> live = new TreeMap<>();
    private final List<JobRecord> all = new ArrayList<>();
    private final TreeMap<String, JobRecord> everById = new TreeMap<>();
    private Listener listener = new Listener() {
        @Override
        public void registered(JobRecord job) {
        }

        @Override
        public void cancelled(JobRecord job) {
        }
    };
    private long nextSeq = 1;
    private int nextBlock = 1;
    private int unacknowledged;

    public JobStore(int jobLimit, SimulatedLibrary library, Trace trace, LongSupplier now) {
        if (jobLimit < 1) {
            throw new IllegalArgumentException("jobLimit must be >= 1");
        }
        this.jobLimit = jobLimit;
        this.library = library;
        this.trace = trace;
        this.now = now;
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    public int jobLimit() {
        return jobLimit;
    }

    /** Jobs counting against the limit now. */
    public int unacknowledgedCount() {
        return unacknowledged;
    }

    /** The fetch set for {@code action}, oldest job first. */
    public List<JobRecord> fetch(JobAction action) {
        List<JobRecord> result = new ArrayList<>();
        for (JobRecord job : live.values()) {
            if (inSet(job, action)) {
                result.add(job);
            }
        }
        return result;
    }

    static boolean inSet(JobRecord job, JobAction action) {
        if (job.acknowledged()) {
            return false;
        }
        return switch (action) {
            case ACKNOWLEDGE -> job.state().isFinished();
            case RETRY -> job.state() == JobState.FAILED && !job.retried();
            case PROCESS -> job.state().isInFlight();
        };
    }

    /** A job the store still holds (not acknowledged), by local identifier. */
    public Optional<JobRecord> find(String id) {
        return Optional.ofNullable(live.get(id));
    }

    /** Any job ever created, acknowledged or not, by local identifier. */
    public Optional<JobRecord> findEver(String id) {
        return Optional.ofNullable(everById.get(id));
    }

    /** Every job ever created, acknowledged or not, in creation order. */
    public List<JobRecord> allJobs() {
        return Collections.unmodifiableList(all);
    }

    // --- the system's transitions ---------------------------------------------------------

    /** REGISTERED → PENDING: the system starts the transfer. */
    public void markPending(JobRecord job) {
        requireState(job, JobState.REGISTERED);
        job.pending();
        trace.at(now.getAsLong(), "job.pending").str("job", job.id()).end();
    }

    /** PENDING → SUCCEEDED. */
    public void markSucceeded(JobRecord job, int status, SortedMap<String, String> headers) {
        requireState(job, JobState.PENDING);
        job.finish(true, status, headers, null);
        trace.at(now.getAsLong(), "job.succeeded").str("job", job.id()).num("status", status).end();
    }

    /** PENDING → FAILED, with the sanitized error and the response headers if a response arrived. */
    public void markFailed(JobRecord job, UploadError error, SortedMap<String, String> headers) {
        requireState(job, JobState.PENDING);
        job.finish(false, error.httpStatus().orElse(null), headers, error);
        Trace.Line line = trace.at(now.getAsLong(), "job.failed").str("job", job.id()).num("code", error.code());
        error.httpStatus().ifPresent(status -> line.num("status", status));
        line.str("reason", error.description()).end();
    }

    private static void requireState(JobRecord job, JobState expected) {
        if (job.state() != expected || job.acknowledged()) {
            throw new IllegalStateException("simulator bug: " + job.id() + " is " + job.state()
                    + (job.acknowledged() ? " (acknowledged)" : "") + ", expected " + expected);
        }
    }

    // --- the extension's change blocks ----------------------------------------------------

    /** Opens a change block for the extension's activation {@code activation}. */
    public ChangeSet begin(int activation) {
        return new ChangeSet(nextBlock++, activation);
    }

    /** Why a block was rejected. */
    public record Rejection(PhotosErrorCode code, String reason) {
    }

    /**
     * The changes recorded by one {@code performChanges} block. Each change is validated against
     * the store as the earlier changes of the same block would leave it; the first problem
     * decides the rejection.
     */
    public final class ChangeSet {
        private final int block;
        private final int activation;
        private final List<Runnable> effects = new ArrayList<>();
        private final TreeMap<String, Shadow> shadows = new TreeMap<>();
        private Rejection firstProblem;
        private int creates;
        private int frees;
        private int acks;
        private int retries;
        private int cancels;
        private int illegal;

        private ChangeSet(int block, int activation) {
            this.block = block;
            this.activation = activation;
        }

        public int block() {
            return block;
        }

        /** Records a creation; returns the placeholder's local identifier. */
        public String create(AssetResource resource, UploadRequest destination) {
            String id = String.format("J%06d", nextSeq);
            long seq = nextSeq++;
            if (resource == null || destination == null) {
                problem("create", id, PhotosErrorCode.CHANGE_NOT_SUPPORTED, "resource and destination are required");
                return id;
            }
            if (!library.allowsJobCreation()) {
                problem("create", id, PhotosErrorCode.ACCESS_USER_DENIED, "authorization is " + library.authorization()
                        + (library.extensionEnabled() ? "" : ", extension disabled") + ": no job may be created");
                return id;
            }
            if (!library.isLive(resource)) {
                problem("create", id, PhotosErrorCode.IDENTIFIER_NOT_FOUND,
                        "no resource " + resource.key() + " in the library");
                return id;
            }
            creates++;
            shadows.put(id, new Shadow(JobState.REGISTERED, false, false));
            long createdAt = now.getAsLong();
            effects.add(() -> {
                JobRecord job = new JobRecord(id, seq, resource, destination, JobType.UPLOAD, createdAt, activation);
                live.put(id, job);
                all.add(job);
                everById.put(id, job);
                unacknowledged++;
                trace.at(now.getAsLong(), "job.create").str("job", id).str("resource", resource.key())
                        .str("method", destination.method()).url("url", destination.url()).end();
                listener.registered(job);
            });
            return id;
        }

        /** Records an acknowledgement. */
        public void acknowledge(String jobId) {
            Shadow shadow = shadow("acknowledge", jobId);
            if (shadow == null) {
                return;
            }
            if (!shadow.state.isFinished()) {
                problem("acknowledge", jobId, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                        "only succeeded or failed jobs can be acknowledged; " + jobId + " is " + shadow.state);
                return;
            }
            shadow.acknowledged = true;
            acks++;
            frees++;
            effects.add(() -> {
                JobRecord job = live.remove(jobId);
                job.acknowledge();
                unacknowledged--;
                trace.at(now.getAsLong(), "job.ack").str("job", jobId).str("state", job.state().name()).end();
            });
        }

        /** Records a retry; {@code destination} null keeps the original one. */
        public void retry(String jobId, UploadRequest destination) {
            Shadow shadow = shadow("retry", jobId);
            if (shadow == null) {
                return;
            }
            if (shadow.state != JobState.FAILED) {
                problem("retry", jobId, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                        "only failed jobs can be retried; " + jobId + " is " + shadow.state);
                return;
            }
            if (shadow.retried) {
                problem("retry", jobId, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                        jobId + " was already retried once; a job can be retried at most once");
                return;
            }
            shadow.retried = true;
            shadow.state = JobState.REGISTERED;
            retries++;
            effects.add(() -> {
                JobRecord job = live.get(jobId);
                job.retry(destination, activation);
                Trace.Line line = trace.at(now.getAsLong(), "job.retry").str("job", jobId);
                if (destination != null) {
                    line.url("url", destination.url());
                }
                line.end();
                listener.registered(job);
            });
        }

        /** Records a cancellation. */
        public void cancel(String jobId) {
            Shadow shadow = shadow("cancel", jobId);
            if (shadow == null) {
                return;
            }
            if (!shadow.state.isInFlight()) {
                problem("cancel", jobId, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                        "only registered or pending jobs can be cancelled; " + jobId + " is " + shadow.state);
                return;
            }
            JobState before = shadow.state;
            shadow.state = JobState.CANCELLED;
            shadow.acknowledged = true;
            cancels++;
            frees++;
            effects.add(() -> {
                JobRecord job = live.remove(jobId);
                if (job == null) {
                    // created and cancelled in the same block: the creation effect ran first
                    throw new IllegalStateException("simulator bug: cancelled job " + jobId + " missing");
                }
                job.cancel();
                unacknowledged--;
                trace.at(now.getAsLong(), "job.cancel").str("job", jobId).str("was", before.name()).end();
                listener.cancelled(job);
            });
        }

        /** How many changes were recorded (legal or not). */
        public int size() {
            return creates + acks + retries + cancels + illegal;
        }

        /**
         * Commits the block if every change was legal and the job limit holds; otherwise applies
         * nothing. Returns the rejection, if any.
         */
        public Optional<Rejection> commit() {
            Rejection rejection = firstProblem;
            if (rejection == null && creates > 0 && unacknowledged + creates - frees > jobLimit) {
                rejection = new Rejection(PhotosErrorCode.LIMIT_EXCEEDED, "the block would leave "
                        + (unacknowledged + creates - frees) + " unacknowledged jobs; jobLimit is " + jobLimit);
            }
            if (rejection != null) {
                trace.at(now.getAsLong(), "changes.rejected").num("block", block).str("code", rejection.code().name())
                        .num("changes", size()).str("reason", rejection.reason()).end();
                return Optional.of(rejection);
            }
            trace.at(now.getAsLong(), "changes.commit").num("block", block).num("create", creates).num("ack", acks)
                    .num("retry", retries).num("cancel", cancels).end();
            for (Runnable effect : effects) {
                effect.run();
            }
            return Optional.empty();
        }

        /** Discards the block (it threw); traced. */
        public void abandon(String why) {
            trace.at(now.getAsLong(), "changes.abandoned").num("block", block).num("changes", size())
                    .str("reason", why).end();
        }

        private Shadow shadow(String op, String jobId) {
            Shadow shadow = shadows.get(jobId);
            if (shadow == null) {
                JobRecord job = jobId == null ? null : live.get(jobId);
                if (job == null) {
                    problem(op, jobId, PhotosErrorCode.IDENTIFIER_NOT_FOUND,
                            "no unacknowledged job " + jobId + " (acknowledged, cancelled or never created)");
                    return null;
                }
                shadow = new Shadow(job.state(), job.retried(), job.acknowledged());
                shadows.put(jobId, shadow);
            }
            if (shadow.acknowledged) {
                problem(op, jobId, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                        jobId + " was already acknowledged or cancelled earlier in this block");
                return null;
            }
            return shadow;
        }

        private void problem(String op, String jobId, PhotosErrorCode code, String reason) {
            illegal++;
            trace.at(now.getAsLong(), "change.illegal").num("block", block).str("op", op).str("job", jobId)
                    .str("code", code.name()).str("reason", reason).end();
            if (firstProblem == null) {
                firstProblem = new Rejection(code, op + " " + jobId + ": " + reason);
            }
        }
    }

    /** A job's state as the earlier changes of the current block leave it. */
    private static final class Shadow {
        JobState state;
        boolean retried;
        boolean acknowledged;

        Shadow(JobState state, boolean retried, boolean acknowledged) {
            this.state = state;
            this.retried = retried;
            this.acknowledged = acknowledged;
        }
    }
}
