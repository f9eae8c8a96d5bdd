package org.upcert.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadJob;

/**
 * The acknowledge step: stores what finished jobs mean, then acknowledges them.
 *
 * <p>Order matters (ACK-03): the job record disappears once acknowledged, so its outcome (and
 * the server id from its response headers) is appended to the ledger first, in one storage
 * call for the whole batch. A kill after that append but before the acknowledgement only means
 * the job is presented again and its outcome recorded again, which changes nothing (the one
 * thing counted twice is a failed attempt or a refusal, which {@link RetryPolicy#GIVE_UP_REFUSALS}
 * leaves a margin for).
 *
 * <p>Every presented job is acknowledged, including jobs no resource can be found for (CLD-02)
 * and download-only jobs, which are never counted as uploads (reference rule 24): a job left
 * unacknowledged costs its place under the job limit and, on a device, a 50008 deferral
 * (ACK-02).
 */
final class Acknowledger {

    private final ExtensionContext context;
    private final Ledger ledger;
    private final CloudDialect cloud;
    private final JobIdentity identity;
    private final AtomicBoolean cancelled;
    /**
     * At most this many server-id look-ups ({@link CloudDialect#lookUpServerId}) per acknowledge
     * step: each is a request of the call's own, and the id is a record, not a condition of the
     * upload; beyond it (or once termination is requested) the resource is stored without its id.
     */
    static final int MAX_ID_LOOKUPS = 25;
    private int idLookups;
    private final OsLevel os;
    private final QueueWindow window;

    Acknowledger(ExtensionContext context, Ledger ledger, CloudDialect cloud, JobIdentity identity, QueueWindow window,
            AtomicBoolean cancelled) {
        this.window = window;
        this.context = context;
        this.ledger = ledger;
        this.cloud = cloud;
        this.identity = identity;
        this.cancelled = cancelled;
        this.os = OsLevel.of(context);
    }

    /**
     * What one acknowledge step did.
     *
     * @param acknowledged ids of the jobs acknowledged
     * @param refused ids of the jobs whose acknowledgement was rejected
     * @param uploaded resources recorded as uploaded
     * @param again resources to upload again with a new job
     * @param abandoned resources given up (blocked by policy, or refused for long)
     * @param downloadOnly download-only jobs acknowledged without counting them
     * @param unidentified jobs no resource could be found for
     * @param interrupted whether {@code willTerminate} stopped the step
     */
    record Summary(TreeSet<String> acknowledged, TreeSet<String> refused, int uploaded, int again, int abandoned,
            int downloadOnly, int unidentified, boolean interrupted) {

        static Summary none() {
            return new Summary(new TreeSet<>(), new TreeSet<>(), 0, 0, 0, 0, 0, false);
        }

        Summary plus(Summary other) {
            TreeSet<String> acks = new TreeSet<>(acknowledged);
            acks.addAll(other.acknowledged);
            TreeSet<String> refusals = new TreeSet<>(refused);
            refusals.addAll(other.refused);
            return new Summary(acks, refusals, uploaded + other.uploaded, again + other.again, abandoned + other.abandoned,
                    downloadOnly + other.downloadOnly, unidentified + other.unidentified, interrupted || other.interrupted);
        }

        String describe() {
            StringBuilder text = new StringBuilder().append(acknowledged.size()).append(" (").append(uploaded)
                    .append(" uploaded, ").append(again).append(" to upload again, ").append(abandoned).append(" abandoned");
            if (downloadOnly > 0) {
                text.append(", ").append(downloadOnly).append(" download-only");
            }
            if (unidentified > 0) {
                text.append(", ").append(unidentified).append(" unidentified");
            }
            if (!refused.isEmpty()) {
                text.append(", ").append(refused.size()).append(" refused");
            }
            return text.append(')').toString();
        }
    }

    /** Every job's retry taken as unspent (where the RETRY set was not read this call). */
    static final Predicate<UploadJob> RETRY_UNSPENT = new RetryUnspent(null);

    /** A job's retry is unspent when it was offered in the RETRY set read this call ({@code ids}). */
    static Predicate<UploadJob> offeredIn(java.util.Set<String> ids) {
        return new RetryUnspent(ids);
    }

    private static final class RetryUnspent implements Predicate<UploadJob> {
        private final java.util.Set<String> offered; // null: every job

        RetryUnspent(java.util.Set<String> offered) {
            this.offered = offered;
        }

        @Override
        public boolean test(UploadJob job) {
            return offered == null || offered.contains(job.localIdentifier());
        }
    }

    /**
     * Records and acknowledges {@code jobs} (members of the ACKNOWLEDGE set not retried in this
     * call: JOB-05).
     *
     * @param retryUnspent whether a job's retry is known not to be spent; decides what an
     *     expired destination means (one fresh attempt, then the refusal is taken as final)
     */
    Summary acknowledge(List<UploadJob> jobs, Predicate<UploadJob> retryUnspent) {
        // (the callers pass RETRY_UNSPENT or offeredIn(…), classes rather than lambdas: a lambda is linked
        // again in every relaunched process, see Ledger)
        if (jobs.isEmpty()) {
            cloud.commitUploads(ledger, context, cancelled); // what an earlier call left uncommitted
            return Summary.none();
        }
        Instant now = context.clock().instant();
        TreeMap<String, LedgerEntry> staged = new TreeMap<>();
        int uploaded = 0;
        int again = 0;
        int abandoned = 0;
        int downloadOnly = 0;
        int unidentified = 0;
        List<String> abandonedKeys = new ArrayList<>();
        int succeeded = 0;
        boolean credentialsOutlived = false;
        for (UploadJob job : jobs) {
            if (os.type(job) == JobType.DOWNLOAD_ONLY) {
                // Fetched from iCloud only; the local copy may be purged soon. Not an upload.
                downloadOnly++;
                continue;
            }
            UploadJob seen = os.view(job);
            boolean former = identity.onFormerServer(job); // host.server: the old server's outcome counts for nothing
            if (former) {
                Optional<String> key = identity.keyOf(job);
                LedgerEntry current = key.isEmpty() ? null
                        : staged.containsKey(key.get()) ? staged.get(key.get()) : ledger.get(key.get()).orElse(null);
                if (current != null && current.jobInFlight()) {
                    staged.put(key.get(), current.withoutJob());
                }
                again++;
                continue;
            }
            if (seen.state() == JobState.SUCCEEDED) {
                succeeded++;
            } else if (seen.state() == JobState.FAILED && !retryUnspent.test(job)
                    && cloud.classify(seen, now) == FailureKind.REAUTHENTICATE) {
                credentialsOutlived = true; // refused its credentials even after the retry renewed them
            }
            Optional<String> key = identity.keyOf(job);
            if (key.isEmpty()) {
                unidentified++;
                continue;
            }
            LedgerEntry current = staged.containsKey(key.get()) ? staged.get(key.get()) : ledger.get(key.get()).orElse(null);
            LedgerEntry next = outcome(job, key.get(), current, now, retryUnspent.test(job));
            if (next == null && current != null && current.jobInFlight()) {
                next = current.withoutJob(); // its job finished: no longer in flight (before iOS 26.5)
            }
            if (next == null || next.equals(current)) {
                continue;
            }
            staged.put(key.get(), next);
            switch (next.status()) {
                case UPLOADED -> uploaded++;
                case NEEDS_UPLOAD -> again++;
                case ABANDONED -> {
                    abandoned++;
                    abandonedKeys.add(key.get() + " (" + os.error(job).map(Object::toString).orElse("no error") + ")");
                }
                default -> { }
            }
        }
        // ACK-03: durable before acknowledged. One append for the whole step.
        ledger.record(staged.values(), context.storage());
        window.update(context.storage(), () -> context.library().jobLimit(), credentialsOutlived, succeeded);
        // Two-phase clouds: commit what was uploaded (now durable) before acknowledging (CLD-01).
        cloud.commitUploads(ledger, context, cancelled);
        if (!abandonedKeys.isEmpty()) {
            context.log().warn("abandoned " + abandonedKeys.size() + " resources: "
                    + String.join("; ", abandonedKeys.subList(0, Math.min(5, abandonedKeys.size())))
                    + (abandonedKeys.size() > 5 ? "; …" : ""));
        }
        if (unidentified > 0) {
            context.log().warn(unidentified + " finished jobs name no resource (no resource, no asset, no "
                    + JobIdentity.RESOURCE_KEY_HEADER + "); acknowledged without a ledger entry");
        }

        ChangeBlocks.Result<UploadJob> result = ChangeBlocks.apply(context.library(), jobs, Batches.CHANGE_BLOCK,
                (changes, job) -> changes.acknowledge(job), cancelled);
        TreeSet<String> acknowledged = new TreeSet<>();
        for (UploadJob job : result.applied()) {
            acknowledged.add(job.localIdentifier());
        }
        TreeSet<String> refused = new TreeSet<>();
        for (UploadJob job : result.refused()) {
            refused.add(job.localIdentifier());
        }
        if (!refused.isEmpty()) {
            context.log().warn("acknowledging " + refused.size() + " jobs was refused (finished or removed meanwhile?): "
                    + String.join(", ", refused));
        }
        return new Summary(acknowledged, refused, uploaded, again, abandoned, downloadOnly, unidentified,
                result.interrupted());
    }

    /**
     * The ledger entry after {@code job}, or null to leave the resource as it is.
     *
     * @param current the resource's entry; null if the ledger does not know it
     */
    private LedgerEntry outcome(UploadJob fetched, String key, LedgerEntry current, Instant now, boolean retryUnspent) {
        UploadJob job = os.view(fetched); // before iOS 26.4: no type, error or headers to read
        if (job.state() == JobState.SUCCEEDED) {
            return stored(job, key, current);
        }
        if (job.state() != JobState.FAILED) {
            return null; // not a finished job: nothing to learn from it
        }
        FailureKind kind = cloud.classify(job, now);
        if (kind == FailureKind.STORED_DESPITE_FAILURE) {
            return stored(job, key, current);
        }
        if (current == null || current.status() != ResourceStatus.NEEDS_UPLOAD) {
            // Unknown to the ledger (not a resource discovery found: never re-upload it on our
            // own), or already uploaded, abandoned or gone: a failure changes none of that.
            return null;
        }
        if (kind == FailureKind.REFUSED && cloud.storedDespiteRefusal(job, context)) {
            return stored(job, key, current); // the server holds it already (a lost acknowledgement)
        }
        if (kind == FailureKind.PERMANENT) {
            return current.abandoned(); // the system will never send it
        }
        // RTY-01: a new job later (with a new destination and fresh credentials, by
        // construction), after backoff or the server's Retry-After (RTY-04). An expired
        // destination or a network-level failure is never a reason to give up.
        int attempts = current.attempts() + 1;
        Instant next = RetryPolicy.nextAttemptAt(now, attempts, RetryPolicy.retryAfter(job.responseHeaderFields(), now));
        // iOS 26.1 shows a failed job with neither error nor headers: a refusal cannot be told
        // from a dropped connection, so every such failure counts toward giving up (else a
        // resource the server never takes would be tried for ever).
        boolean unexplained = job.error().isEmpty() && job.responseHeaderFields().isEmpty();
        if (kind != FailureKind.REFUSED && !unexplained) {
            return current.failedAgain(next);
        }
        // A refusal: given up only once the server has kept refusing it for long (RTY-01, RTY-02).
        LedgerEntry refused = current.refusedAgain(now, next);
        if (RetryPolicy.givesUp(refused.refusals(), refused.firstRefusalMillis(), current.notBeforeMillis())) {
            return refused.withStatus(ResourceStatus.ABANDONED);
        }
        return refused;
    }

    /** The entry of a resource the server has confirmed; server id from lowercase headers (CLD-01). */
    private LedgerEntry stored(UploadJob job, String key, LedgerEntry current) {
        String serverId = os.outcomeFields() ? cloud.serverIdOf(job).orElse("") : ""; // headers: iOS 26.4
        boolean known = current != null && current.status() == ResourceStatus.UPLOADED && !current.serverId().isEmpty();
        if (serverId.isEmpty() && !known && idLookups < MAX_ID_LOOKUPS && !cancelled.get()) {
            // The headers name no item (the real services answer it in the body): ask the service.
            idLookups++;
            serverId = cloud.lookUpServerId(job, context).orElse("");
        }
        if (current != null && current.status() == ResourceStatus.UPLOADED && cloud.alreadyRecorded(current, serverId)) {
            return null; // seen again (not acknowledged last time): its commit is recorded already
        }
        LedgerEntry base = current != null ? current : LedgerEntry.discovered(key, ledger.allocateOrder());
        return base.uploaded(serverId);
    }
}
