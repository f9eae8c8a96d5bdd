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
 *   <li>change blocks commit what can apply: an acknowledgement, retry or cancellation the job's
 *       state no longer allows at the commit is <em>dropped</em> and the rest commits (on a device
 *       {@code PHAssetResourceUploadJobChangeRequest(for:)} is nil for a job that cannot be
 *       changed); a creation the system refuses, or a block that would leave more unacknowledged
 *       jobs than the limit, rejects the block whole and nothing in it happens;
 *   <li>retry at most once, only failed and unacknowledged; cancel only registered or pending
 *       (then acknowledged automatically); acknowledge only succeeded or failed.
 * </ul>
 *
 * <p>Where the reference is silent, upcert decides (documented in ARCHITECTURE.md): a retried job
 * re-enters REGISTERED and keeps its place under the limit, so a retry never raises
 * LIMIT_EXCEEDED; the limit is judged on the block's net effect (acknowledgements in the same
 * block make room for its creations). The extension's own changes show in the fetch sets at once;
 * the system's own transitions after the fetch-set lag ({@link #setFetchLag}), while the store
 * itself (change blocks, the limit, the transfers) always works on the true state.
 *
 * <p>Every change is traced: {@code job.create}, {@code job.ack}, {@code job.retry},
 * {@code job.cancel} on commit; {@code change.illegal} for each refused creation;
 * {@code change.dropped} for each dropped change, with the job's state at the commit and as the
 * extension last saw it (its {@link ExtensionView}), and whether the extension could have known
 * ({@code cause}); {@code changes.commit} / {@code changes.rejected} for the block.
 */
public final class JobStore {

    /** Told about jobs the system must transfer or stop transferring. */
    public interface Listener {
        /** A job entered REGISTERED (created or retried): it needs a transfer. */
        void registered(JobRecord job);

        /** A registered or pending job was cancelled: drop or abort its transfer. */
        void cancelled(JobRecord job);
    }

    private int jobLimit;
    /** The device's OS level, stamped on every job created ({@link JobRecord#createdUnderOs()}). */
    private String osLevel;
    private final SimulatedLibrary library;
    private final Trace trace;
    private final LongSupplier now;
    /** Unacknowledged jobs in creation order (by sequence number, not id text, which stops sorting past J999999). */
    private final TreeMap<Long, JobRecord> live = new TreeMap<>();
    private final TreeMap<String, JobRecord> jobsById = new TreeMap<>();
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

    private long progress;

    /** Schedules a deferred action of the store at a virtual time (the simulation's event queue). */
    @FunctionalInterface
    public interface Deferrer {
        void at(long time, Runnable action);
    }

    private long fetchLagMinMs;
    private long fetchLagMaxMs;
    private org.upcert.harness.sim.SimRandom fetchLagRandom;
    private Deferrer deferrer;

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

    /** Changes the limit (a {@code jobs.limit} fault); jobs already over it stay, new blocks are judged against it. */
    /** The device's OS level from now on: new jobs record it as their origin. */
    public void setOsLevel(String level) {
        this.osLevel = level;
    }

    public void setJobLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("jobLimit must be >= 1");
        }
        this.jobLimit = limit;
    }

    /**
     * The fetch-set lag (reference §2, [3p-measured]: "the sets update 0.1–5 s after a create or
     * retry"): each of the system's own transitions (REGISTERED → PENDING, PENDING → SUCCEEDED or
     * FAILED) shows in {@link #fetch} and in the job's state only after a lag drawn uniformly in
     * [{@code minMs}, {@code maxMs}] from {@code random} (the run's own sub-stream), and never before
     * the job's previous transition shows. The extension's own changes show at once (ARCHITECTURE:
     * a correct extension re-fetches right after its own block). Each finish (SUCCEEDED, FAILED)
     * that shows later is traced {@code job.visible} when it shows; a PENDING shows after its lag
     * too but is not traced: no rule tells REGISTERED from PENDING (both in flight, in the PROCESS
     * set, cancellable), and those lines were half of all {@code job.visible} lines (docs/trace.md).
     * {@code maxMs} 0 switches the lag off: every transition shows at once and no
     * {@code job.visible} line is written.
     */
    public void setFetchLag(long minMs, long maxMs, org.upcert.harness.sim.SimRandom random, Deferrer deferrer) {
        if (minMs < 0 || maxMs < minMs) {
            throw new IllegalArgumentException("fetch lag must satisfy 0 <= min <= max: " + minMs + ", " + maxMs);
        }
        this.fetchLagMinMs = minMs;
        this.fetchLagMaxMs = maxMs;
        this.fetchLagRandom = random;
        this.deferrer = deferrer;
    }

    /** Whether the system's transitions show in the fetch sets only after a lag. */
    public boolean fetchLagOn() {
        return fetchLagMaxMs > 0 && deferrer != null;
    }

    /** Makes the transition {@code job} just made show now, or after the lag. */
    private void reveal(JobRecord job) {
        if (!fetchLagOn()) {
            job.showNow();
            return;
        }
        long t = now.getAsLong();
        long lag = fetchLagRandom.between(fetchLagMinMs, fetchLagMaxMs);
        long at = Math.max(t + lag, job.showsAt());
        job.showsAt(at);
        JobState state = job.state();
        SortedMap<String, String> headers = job.headersNow();
        UploadError error = job.errorNow();
        int epoch = job.epoch();
        deferrer.at(at, () -> {
            if (job.epoch() != epoch || job.acknowledged()) {
                return; // the extension retried, acknowledged or cancelled it since: its own change shows
            }
            job.show(state, headers, error);
            if (state != JobState.PENDING) { // what the rules read: when a finish showed (docs/trace.md)
                typed(trace.at(now.getAsLong(), "job.visible").str("job", job.id()), job).str("state", state.name())
                        .num("lag", now.getAsLong() - t).end();
            }
        });
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

    /** Membership as the extension is shown it: by the job's {@link JobRecord#shownState()}. */
    static boolean inSet(JobRecord job, JobAction action) {
        if (job.acknowledged()) {
            return false;
        }
        JobState shown = job.shownState();
        return switch (action) {
            case ACKNOWLEDGE -> shown.isFinished();
            case RETRY -> shown == JobState.FAILED && !job.retried();
            case PROCESS -> shown.isInFlight();
        };
    }

    /** A job the store still holds (not acknowledged), by local identifier. */
    public Optional<JobRecord> find(String id) {
        return Optional.ofNullable(id == null ? null : jobsById.get(id));
    }

    /** Any job ever created, acknowledged or not, by local identifier. */
    public Optional<JobRecord> findEver(String id) {
        return Optional.ofNullable(id == null ? null : everById.get(id));
    }

    /** Every job ever created, acknowledged or not, in creation order. */
    public List<JobRecord> allJobs() {
        return Collections.unmodifiableList(all);
    }

    // --- the system's transitions ---------------------------------------------------------

    private boolean exposeHttpStatus;

    /**
     * Whether failed jobs show the extension the HTTP status ({@code UploadError.httpStatus()}):
     * false by default, as PhotoKit documents nothing of the kind; true only in a run that states
     * the {@code http-status} assumption. The trace and {@link JobRecord#httpStatus()} keep the
     * status either way (the checkers may know it).
     */
    public void exposeHttpStatus(boolean expose) {
        this.exposeHttpStatus = expose;
    }

    /**
     * How many times the jobs moved so far: transitions (pending, succeeded, failed) and changes
     * committed by the extension. Only grows; a run whose jobs stop moving has stalled
     * (the simulator's stall stop).
     */
    public long progress() {
        return progress;
    }

    /** REGISTERED → PENDING: the system starts the transfer. */
    public void markPending(JobRecord job) {
        requireState(job, JobState.REGISTERED);
        progress++;
        job.pending();
        typed(trace.at(now.getAsLong(), "job.pending").str("job", job.id()), job).end();
        reveal(job);
    }

    /** PENDING → SUCCEEDED. */
    public void markSucceeded(JobRecord job, int status, SortedMap<String, String> headers) {
        requireState(job, JobState.PENDING);
        progress++;
        job.finish(true, status, headers, null);
        trace.at(now.getAsLong(), "job.succeeded").str("job", job.id()).num("status", status).end();
        reveal(job);
    }

    /**
     * PENDING → SUCCEEDED for a download-only job: the original is on the device; no HTTP status,
     * no response headers. Traced {@code job.succeeded} with {@code type} DOWNLOAD_ONLY.
     */
    public void markDownloaded(JobRecord job) {
        requireState(job, JobState.PENDING);
        if (job.type() != JobType.DOWNLOAD_ONLY) {
            throw new IllegalStateException("simulator bug: " + job.id() + " is an upload job");
        }
        progress++;
        job.finish(true, null, null, null);
        typed(trace.at(now.getAsLong(), "job.succeeded").str("job", job.id()), job).end();
        reveal(job);
    }

    /** Adds {@code type} to a job line of a download-only job; upload jobs' lines carry none (the default). */
    private static Trace.Line typed(Trace.Line line, JobRecord job) {
        return job != null && job.type() == JobType.DOWNLOAD_ONLY ? line.str("type", JobType.DOWNLOAD_ONLY.name()) : line;
    }

    /** PENDING → FAILED, with the sanitized error and the response headers if a response arrived. */
    public void markFailed(JobRecord job, UploadError error, SortedMap<String, String> headers) {
        markFailed(job, error, headers, null);
    }

    /**
     * PENDING → FAILED, as {@link #markFailed(JobRecord, UploadError, SortedMap)}, with the cloud
     * stub's reason for refusing the request ({@code cloudReason}, null if the stub refused
     * nothing, e.g. no response or a transport error). The trace line carries what the device
     * never sees but the checkers need to tell failures apart: {@code status} (the HTTP status,
     * which the extension sees only under the {@code http-status} assumption, {@link #exposeHttpStatus}),
     * {@code retryAfter} (the response's
     * {@code retry-after} header, verbatim) and {@code cloud} (the stub's reason, e.g.
     * {@code "AccessDenied: Request has expired"}, {@code "token expired"}).
     */
    public void markFailed(JobRecord job, UploadError error, SortedMap<String, String> headers, String cloudReason) {
        markFailed(job, error, headers, cloudReason, null);
    }

    /**
     * PENDING → FAILED for a request whose answer was lost ({@code network.response-lost}): the
     * server handled it and answered {@code servedStatus}, the device saw only {@code error} (a lost
     * connection). The trace line carries that status as {@code lostStatus} (not {@code status}: no
     * response arrived), for the checkers to know whether the server stored the bytes then, on the
     * server the request went to (a Dropbox style that asks {@code get_metadata} learns it did).
     */
    public void markResponseLost(JobRecord job, UploadError error, int servedStatus) {
        markFailed(job, error, null, null, servedStatus);
    }

    private void markFailed(JobRecord job, UploadError error, SortedMap<String, String> headers, String cloudReason,
            Integer lostStatus) {
        requireState(job, JobState.PENDING);
        progress++;
        job.finish(false, error.httpStatus().orElse(null), headers, exposeHttpStatus ? error : error.withoutHttpStatus());
        Trace.Line line = typed(trace.at(now.getAsLong(), "job.failed").str("job", job.id()), job).num("code", error.code());
        error.httpStatus().ifPresent(status -> line.num("status", status));
        line.str("reason", error.description());
        String retryAfter = headers == null ? null : headers.get("retry-after");
        if (retryAfter != null) {
            line.str("retryAfter", retryAfter);
        }
        if (cloudReason != null) {
            line.str("cloud", cloudReason);
        }
        if (lostStatus != null) {
            line.num("lostStatus", lostStatus);
        }
        line.end();
        reveal(job);
    }

    private static void requireState(JobRecord job, JobState expected) {
        if (job.state() != expected || job.acknowledged()) {
            throw new IllegalStateException("simulator bug: " + job.id() + " is " + job.state()
                    + (job.acknowledged() ? " (acknowledged)" : "") + ", expected " + expected);
        }
    }

    // --- the extension's change blocks ----------------------------------------------------

    /**
     * The sequence number the next created job will get: its identifier is {@code J} and the
     * number in six digits. A change block's placeholders are predicted from it (the protocol's
     * {@code nextJob}); only the extension creates jobs, one block at a time.
     */
    public long nextJobSeq() {
        return nextSeq;
    }

    /** Opens a change block for the extension's activation {@code activation}. */
    public ChangeSet begin(int activation) {
        return new ChangeSet(nextBlock++, activation);
    }

    /** Why a block was rejected. */
    public record Rejection(PhotosErrorCode code, String reason) {
    }

    /**
     * What the extension last saw of a job in the current call: its state at its last fetch of the
     * job, with the extension's own committed changes since applied (a job it created is
     * REGISTERED, one it retried REGISTERED and retried).
     */
    public record Seen(JobState state, boolean retried) {
    }

    /** The extension's knowledge of jobs in the current call; null for a job it has not seen in it. */
    @FunctionalInterface
    public interface ExtensionView {
        /** Knows no job: every drop is judged against the store alone (the extension's cause). */
        ExtensionView NONE = id -> null;

        Seen seen(String jobId);
    }

    /**
     * A change dropped at commit.
     *
     * @param index the change's position in its block (creations count)
     * @param op {@code acknowledge}, {@code retry} or {@code cancel}
     * @param job the job's identifier (null if none was given)
     * @param code CHANGE_NOT_SUPPORTED or IDENTIFIER_NOT_FOUND
     * @param reason why
     * @param state the job's state at the commit; null if the store holds no such unacknowledged job
     * @param seen what the extension last saw of the job; null if it saw nothing of it in the call
     * @param avoidable whether the change was illegal already as the extension saw the job (its
     *     mistake), rather than made illegal by the system since (a race it could not avoid)
     * @param shown the job's state as the fetch sets show it at the commit (behind {@code state}
     *     while a transition of the system's has not shown yet: the fetch-set lag); null as {@code state}
     */
    public record Dropped(int index, String op, String job, PhotosErrorCode code, String reason, JobState state, Seen seen,
            boolean avoidable, JobState shown) {

        /**
         * Why, in words the extension may read: {@link #reason} names the job's true state, which
         * the extension must not learn from a dropped change before the fetch sets show it (on a
         * device the change request is simply nil).
         */
        public String reasonAsShown() {
            return java.util.Objects.equals(state, shown) ? reason
                    : op + " " + job + ": the job's state no longer allows it (changed by the system since it was fetched)";
        }
    }

    /**
     * The changes recorded by one {@code performChanges} block. A creation is validated when
     * recorded and again at commit (consent or the asset may have gone meanwhile); the first
     * problem decides the rejection. Acknowledgements, retries and cancellations are judged at
     * the commit only, against the store as it is then and as the block's earlier applied changes
     * leave it: the system's own transitions may have moved a job since the extension fetched it
     * (a pending job the block cancels may have succeeded), and such a change is dropped.
     */
    public final class ChangeSet {
        private final int block;
        private final int activation;
        private final List<Op> ops = new ArrayList<>();
        private final TreeMap<String, Shadow> shadows = new TreeMap<>();
        private Rejection firstProblem;
        private boolean finished;
        private int illegal;
        private int recorded;
        private final List<Dropped> dropped = new ArrayList<>();
        private int applied;
        private int registering;

        private ChangeSet(int block, int activation) {
            this.block = block;
            this.activation = activation;
        }

        public int block() {
            return block;
        }

        /** Records a creation; returns the placeholder's local identifier. */
        public String create(AssetResource resource, UploadRequest destination) {
            requireOpen();
            long seq = nextSeq++;
            String id = org.upcert.protocol.Protocol.jobId(seq); // the one spelling of a job id, shared with the hosts
            record(new Op(recorded++, Kind.CREATE, id, seq, resource, destination, now.getAsLong(), JobType.UPLOAD));
            return id;
        }

        /**
         * Records the creation of a download-only job ({@code creationRequestForDownloadJob(resource:)},
         * iOS 26.4): no destination; returns the placeholder's local identifier.
         */
        public String createDownload(AssetResource resource) {
            requireOpen();
            long seq = nextSeq++;
            String id = org.upcert.protocol.Protocol.jobId(seq); // the one spelling of a job id, shared with the hosts
            record(new Op(recorded++, Kind.CREATE, id, seq, resource, null, now.getAsLong(), JobType.DOWNLOAD_ONLY));
            return id;
        }

        /** Records an acknowledgement. */
        public void acknowledge(String jobId) {
            requireOpen();
            record(new Op(recorded++, Kind.ACKNOWLEDGE, jobId, 0, null, null, 0, null));
        }

        /** Records a retry; {@code destination} null keeps the original one. */
        public void retry(String jobId, UploadRequest destination) {
            requireOpen();
            record(new Op(recorded++, Kind.RETRY, jobId, 0, null, destination, 0, null));
        }

        /** Records a cancellation. */
        public void cancel(String jobId) {
            requireOpen();
            record(new Op(recorded++, Kind.CANCEL, jobId, 0, null, null, 0, null));
        }

        /** The changes dropped at the commit, in block order (empty before it). */
        public List<Dropped> dropped() {
            return Collections.unmodifiableList(dropped);
        }

        /** The creations and retries applied by the commit: jobs put into REGISTERED. */
        public int registering() {
            return registering;
        }

        /** The changes applied by the commit (0 if the block was rejected or not yet committed). */
        public int applied() {
            return applied;
        }

        /** How many changes were recorded (legal or not). */
        public int size() {
            return ops.size() + illegal;
        }

        /** As {@link #commit(ExtensionView)} with no knowledge of what the extension saw. */
        public Optional<Rejection> commit() {
            return commit(ExtensionView.NONE);
        }

        /**
         * Commits the block: every creation must be legal now and the job limit must hold, or the
         * block is rejected and nothing applies. An acknowledgement, retry or cancellation the
         * job's state does not allow now (as the block's earlier applied changes leave it) is
         * dropped, traced {@code change.dropped} with {@code cause} {@code extension} when it was
         * illegal already as {@code view} says the extension saw the job, else {@code system}.
         * The limit is judged on the applied changes. Returns the rejection, if any. A block
         * commits at most once.
         */
        public Optional<Rejection> commit(ExtensionView view) {
            requireOpen();
            finished = true;
            Rejection rejection = firstProblem;
            shadows.clear();
            TreeMap<String, Shadow> seenShadows = new TreeMap<>();
            List<Op> applying = new ArrayList<>();
            for (Op op : ops) {
                if (op.kind == Kind.CREATE) {
                    Rejection problem = rejection == null ? validate(op, shadows, this::storeShadow) : null;
                    if (problem != null) {
                        traceIllegal(op, problem, "changed before commit: ");
                        rejection = problem;
                    }
                    shadows.put(op.jobId, new Shadow(JobState.REGISTERED, false, false));
                    seenShadows.put(op.jobId, new Shadow(JobState.REGISTERED, false, false));
                    applying.add(op);
                    continue;
                }
                Rejection problem = validate(op, shadows, this::storeShadow);
                Rejection asSeen = validate(op, seenShadows, id -> seenShadow(view, id));
                if (problem == null) {
                    applying.add(op);
                    continue;
                }
                JobRecord job = op.jobId == null ? null : jobsById.get(op.jobId);
                Seen seen = op.jobId == null ? null : view.seen(op.jobId);
                Dropped drop = new Dropped(op.index, op.kind.label, op.jobId, problem.code(), problem.reason(),
                        job == null ? null : job.state(), seen, asSeen != null, job == null ? null : job.shownState());
                dropped.add(drop);
                Trace.Line line = trace.at(now.getAsLong(), "change.dropped").num("block", block).str("op", drop.op())
                        .str("job", drop.job()).str("code", drop.code().name()).str("reason", drop.reason())
                        .str("state", drop.state() == null ? "NONE" : drop.state().name())
                        .str("fetched", seen == null ? "NONE" : seen.state().name());
                if (seen != null && seen.retried()) {
                    line.bool("retried", true);
                }
                line.str("cause", drop.avoidable() ? "extension" : "system").end();
            }
            int creates = 0;
            int frees = 0;
            int[] counts = new int[Kind.values().length];
            for (Op op : applying) {
                counts[op.kind.ordinal()]++;
                if (op.kind == Kind.CREATE) {
                    creates++;
                } else if (op.kind == Kind.ACKNOWLEDGE || op.kind == Kind.CANCEL) {
                    frees++;
                }
            }
            if (rejection == null && creates > 0 && unacknowledged + creates - frees > jobLimit) {
                rejection = new Rejection(PhotosErrorCode.LIMIT_EXCEEDED, "the block would leave "
                        + (unacknowledged + creates - frees) + " unacknowledged jobs; jobLimit is " + jobLimit);
            }
            if (rejection != null) {
                trace.at(now.getAsLong(), "changes.rejected").num("block", block).str("code", rejection.code().name())
                        .num("changes", size()).str("reason", rejection.reason()).end();
                return Optional.of(rejection);
            }
            Trace.Line line = trace.at(now.getAsLong(), "changes.commit").num("block", block).num("create", counts[Kind.CREATE.ordinal()])
                    .num("ack", counts[Kind.ACKNOWLEDGE.ordinal()]).num("retry", counts[Kind.RETRY.ordinal()])
                    .num("cancel", counts[Kind.CANCEL.ordinal()]);
            if (!dropped.isEmpty()) {
                line.num("dropped", dropped.size());
            }
            line.end();
            for (Op op : applying) {
                apply(op);
            }
            applied = applying.size();
            progress += applied;
            registering = counts[Kind.CREATE.ordinal()] + counts[Kind.RETRY.ordinal()];
            return Optional.empty();
        }

        /** Discards the block (it threw); traced. */
        public void abandon(String why) {
            requireOpen();
            finished = true;
            trace.at(now.getAsLong(), "changes.abandoned").num("block", block).num("changes", size())
                    .str("reason", why).end();
        }

        private void requireOpen() {
            if (finished) {
                throw new IllegalStateException("simulator bug: change block " + block + " already committed or abandoned");
            }
        }

        private void record(Op op) {
            if (op.kind != Kind.CREATE) {
                ops.add(op); // judged at the commit, against the store as it is then: dropped if it cannot apply
                return;
            }
            Rejection problem = validate(op, shadows, this::storeShadow);
            if (problem != null) {
                illegal++;
                traceIllegal(op, problem, "");
                if (firstProblem == null) {
                    firstProblem = problem;
                }
                return;
            }
            ops.add(op);
        }

        private Shadow storeShadow(String jobId) {
            JobRecord job = jobsById.get(jobId);
            return job == null ? null : new Shadow(job.state(), job.retried(), job.acknowledged());
        }

        private static Shadow seenShadow(ExtensionView view, String jobId) {
            Seen seen = view.seen(jobId);
            return seen == null ? null : new Shadow(seen.state(), seen.retried(), false);
        }

        private void traceIllegal(Op op, Rejection problem, String prefix) {
            trace.at(now.getAsLong(), "change.illegal").num("block", block).str("op", op.kind.label)
                    .str("job", op.jobId).str("code", problem.code().name()).str("reason", prefix + problem.reason()).end();
        }

        /**
         * Checks {@code op} against {@code base} (the store, or what the extension saw) and the
         * block's earlier changes in {@code shadows}; updates the shadows if legal.
         */
        private Rejection validate(Op op, TreeMap<String, Shadow> shadows, java.util.function.Function<String, Shadow> base) {
            if (op.kind == Kind.CREATE) {
                if (op.resource == null || (op.destination == null && op.type != JobType.DOWNLOAD_ONLY)) {
                    return reject(op, PhotosErrorCode.CHANGE_NOT_SUPPORTED, op.type == JobType.DOWNLOAD_ONLY
                            ? "a resource is required" : "resource and destination are required");
                }
                if (!library.allowsJobCreation()) {
                    return reject(op, PhotosErrorCode.ACCESS_USER_DENIED, "authorization is " + library.authorization()
                            + (library.extensionEnabled() ? "" : ", extension disabled") + ": no job may be created");
                }
                if (!library.isLive(op.resource)) {
                    return reject(op, PhotosErrorCode.IDENTIFIER_NOT_FOUND, "no resource " + op.resource.key() + " in the library");
                }
                shadows.put(op.jobId, new Shadow(JobState.REGISTERED, false, false));
                return null;
            }
            Shadow shadow = op.jobId == null ? null : shadows.get(op.jobId);
            if (shadow == null) {
                Shadow known = op.jobId == null ? null : base.apply(op.jobId);
                if (known == null) {
                    return reject(op, PhotosErrorCode.IDENTIFIER_NOT_FOUND,
                            "no unacknowledged job " + op.jobId + " (acknowledged, cancelled or never created)");
                }
                shadow = new Shadow(known.state, known.retried, known.acknowledged);
                shadows.put(op.jobId, shadow);
            }
            if (shadow.acknowledged) {
                return reject(op, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                        op.jobId + " was already acknowledged or cancelled earlier in this block");
            }
            switch (op.kind) {
                case ACKNOWLEDGE -> {
                    if (!shadow.state.isFinished()) {
                        return reject(op, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                                "only succeeded or failed jobs can be acknowledged; " + op.jobId + " is " + shadow.state);
                    }
                    shadow.acknowledged = true;
                }
                case RETRY -> {
                    if (shadow.state != JobState.FAILED) {
                        return reject(op, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                                "only failed jobs can be retried; " + op.jobId + " is " + shadow.state);
                    }
                    if (shadow.retried) {
                        return reject(op, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                                op.jobId + " was already retried once; a job can be retried at most once");
                    }
                    shadow.retried = true;
                    shadow.state = JobState.REGISTERED;
                }
                case CANCEL -> {
                    if (!shadow.state.isInFlight()) {
                        return reject(op, PhotosErrorCode.CHANGE_NOT_SUPPORTED,
                                "only registered or pending jobs can be cancelled; " + op.jobId + " is " + shadow.state);
                    }
                    shadow.state = JobState.CANCELLED;
                    shadow.acknowledged = true;
                }
                default -> throw new IllegalStateException("unreachable");
            }
            return null;
        }

        private Rejection reject(Op op, PhotosErrorCode code, String reason) {
            return new Rejection(code, op.kind.label + " " + op.jobId + ": " + reason);
        }

        private void apply(Op op) {
            long t = now.getAsLong();
            switch (op.kind) {
                case CREATE -> {
                    JobRecord job = new JobRecord(op.jobId, op.seq, op.resource, op.destination, op.type,
                            op.createdAt, activation);
                    job.createdUnder(osLevel);
                    live.put(op.seq, job);
                    jobsById.put(op.jobId, job);
                    all.add(job);
                    everById.put(op.jobId, job);
                    unacknowledged++;
                    if (op.type == JobType.DOWNLOAD_ONLY) {
                        // nothing is sent anywhere: no method, no url; the type says so
                        trace.at(t, "job.create").str("job", op.jobId).str("resource", op.resource.key())
                                .str("type", JobType.DOWNLOAD_ONLY.name()).end();
                    } else {
                        trace.at(t, "job.create").str("job", op.jobId).str("resource", op.resource.key())
                                .str("method", op.destination.method()).url("url", op.destination.url()).end();
                    }
                    listener.registered(job);
                }
                case ACKNOWLEDGE -> {
                    JobRecord job = remove(op.jobId);
                    job.acknowledge();
                    unacknowledged--;
                    typed(trace.at(t, "job.ack").str("job", op.jobId).str("state", job.state().name()), job).end();
                }
                case RETRY -> {
                    JobRecord job = jobsById.get(op.jobId);
                    job.retry(op.destination, activation);
                    Trace.Line line = typed(trace.at(t, "job.retry").str("job", op.jobId), job);
                    if (op.destination != null) {
                        line.url("url", op.destination.url());
                    }
                    line.end();
                    listener.registered(job);
                }
                case CANCEL -> {
                    JobRecord job = remove(op.jobId);
                    JobState before = job.state();
                    job.cancel();
                    unacknowledged--;
                    typed(trace.at(t, "job.cancel").str("job", op.jobId).str("was", before.name()), job).end();
                    listener.cancelled(job);
                }
            }
        }
    }

    private JobRecord remove(String id) {
        JobRecord job = jobsById.remove(id);
        live.remove(job.seq());
        return job;
    }

    private enum Kind {
        CREATE("create"), ACKNOWLEDGE("acknowledge"), RETRY("retry"), CANCEL("cancel");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One recorded change. */
    private record Op(int index, Kind kind, String jobId, long seq, AssetResource resource, UploadRequest destination,
            long createdAt, JobType type) {
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
