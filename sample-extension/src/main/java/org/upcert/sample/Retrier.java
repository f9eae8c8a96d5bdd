package org.upcert.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The retry step, first of the three (retry, acknowledge, create; reference §3).
 *
 * <p>The RETRY set holds failed jobs never retried; the system allows one retry per job
 * (JOB-03), so whatever is decided here is final for the job. By {@link FailureClassifier}:
 * <ul>
 *   <li>transient (no response): retry with the original destination ({@code null}), unless
 *       the server asked for a pause ({@code retry-after}, RTY-04) or the dialect knows the
 *       credentials in it were replaced since;
 *   <li>unexplained (iOS 26.1: no error, no headers): retry with a fresh destination, since an
 *       expired one cannot be told apart and resending it would meet the same refusal (RTY-03);
 *   <li>authentication ({@code USER_AUTHENTICATION_REQUIRED}): forget the rejected token, retry
 *       with fresh credentials;
 *   <li>expired destination (a presigned URL we know has expired): retry with a fresh
 *       destination, never the stale one (RTY-03);
 *   <li>refused (any other answer from the server), blocked, or stored despite the failure: no
 *       retry — the identical request would meet the same answer (RTY-02); the acknowledge
 *       step records it and a refused resource gets a new job later.
 * </ul>
 * A job not retried here is left to the acknowledge step; a job retried here leaves the
 * ACKNOWLEDGE set and must not be acknowledged in the same call (JOB-05). No retry is spent on
 * a resource the ledger says is uploaded, abandoned or gone.
 */
final class Retrier {

    private final ExtensionContext context;
    private final Ledger ledger;
    private final CloudDialect cloud;
    private final JobIdentity identity;
    private final AtomicBoolean cancelled;
    private final OsLevel os;

    Retrier(ExtensionContext context, Ledger ledger, CloudDialect cloud, JobIdentity identity, AtomicBoolean cancelled) {
        this.context = context;
        this.ledger = ledger;
        this.cloud = cloud;
        this.identity = identity;
        this.cancelled = cancelled;
        this.os = OsLevel.of(context);
    }

    /**
     * What the retry step did.
     *
     * @param offered ids of the jobs in the RETRY set (their retry was unspent)
     * @param retried ids of the jobs retried
     * @param freshDestinations how many of those got a new destination
     * @param deferred jobs not retried because of {@code Retry-After}
     * @param cloudProblem why fresh credentials could not be had, if that happened
     * @param limitExceeded whether the system refused a retry for the job limit
     * @param interrupted whether {@code willTerminate} stopped the step
     */
    record Outcome(TreeSet<String> offered, TreeSet<String> retried, int freshDestinations, int deferred,
            Optional<CloudUnavailableException> cloudProblem, boolean limitExceeded, boolean interrupted) {

        String describe() {
            return retried.size() + " of " + offered.size() + " (" + freshDestinations + " with a fresh destination"
                    + (deferred > 0 ? ", " + deferred + " deferred by Retry-After" : "") + ")";
        }
    }

    private record Planned(UploadJob job, UploadRequest destination) {
    }

    Outcome retry() {
        List<UploadJob> failed = context.library().fetchJobs(JobAction.RETRY);
        TreeSet<String> offered = new TreeSet<>();
        List<Planned> plan = new ArrayList<>();
        int deferred = 0;
        Optional<CloudUnavailableException> cloudProblem = Optional.empty();
        Instant now = context.clock().instant();
        for (UploadJob job : failed) {
            if (cancelled.get()) {
                // willTerminate: no sign-in and no new destination once told to stop (TRM-01; a sign-in answered
                // slowly outlived the grace on HydratingExtension, explore:1574); the round stops after this step
                break;
            }
            offered.add(job.localIdentifier());
            if (job.state() != JobState.FAILED || os.type(job) != JobType.UPLOAD) {
                continue; // download-only jobs are the host app's business: acknowledge them
            }
            if (identity.onFormerServer(job)) {
                continue; // sent to a server the account has left: acknowledged, a new job goes to the new one
            }
            Optional<LedgerEntry> entry = entryOf(job);
            if (entry.isPresent() && entry.get().status() != ResourceStatus.NEEDS_UPLOAD) {
                continue; // uploaded, abandoned or gone: a retry would only spend bytes
            }
            FailureKind kind = cloud.classify(os.view(job), now); // before iOS 26.4: nothing says why
            switch (kind) {
                case TRANSIENT -> {
                    if (RetryPolicy.retryAfter(os.headers(job), now).isPresent()) {
                        deferred++; // RTY-04: the acknowledge step schedules a new job after it
                        continue;
                    }
                    boolean unexplained = os.view(job).error().isEmpty() && os.view(job).responseHeaderFields().isEmpty();
                    if (unexplained && entry.isPresent() && entry.get().attempts() >= RetryPolicy.UNEXPLAINED_RETRIES_IN_PLACE) {
                        continue; // iOS 26.1 says nothing: after a few, spaced new jobs rather than resending at once
                    }
                    if (unexplained) {
                        // Nothing says why (iOS 26.1): the destination may have expired (RTY-03), and
                        // resending it as is would meet the same refusal. Renewing it costs nothing more.
                        if (cloudProblem.isPresent()) {
                            continue; // one failed sign-in per call is enough: a new job later
                        }
                        try {
                            plan.add(new Planned(job, cloud.freshDestination(job.destination(), context)));
                        } catch (CloudUnavailableException e) {
                            cloudProblem = Optional.of(e); // not retried: a new job later (RTY-01)
                        }
                        continue;
                    }
                    Optional<UploadRequest> replacement = cloud.destinationForRetry(job.destination(), context);
                    plan.add(new Planned(job, replacement.orElse(null)));
                }
                case REAUTHENTICATE, DESTINATION_EXPIRED -> {
                    if (cloudProblem.isPresent()) {
                        continue; // one failed sign-in per call is enough
                    }
                    if (kind == FailureKind.REAUTHENTICATE) {
                        cloud.credentialsRejected(job.destination());
                    }
                    try {
                        plan.add(new Planned(job, cloud.freshDestination(job.destination(), context)));
                    } catch (CloudUnavailableException e) {
                        cloudProblem = Optional.of(e); // not retried: a new job later (RTY-01)
                    }
                }
                case REFUSED, PERMANENT, STORED_DESPITE_FAILURE -> {
                    // Not retried: the identical request would meet the same answer (RTY-02). The
                    // acknowledge step records it; a refused resource gets a new job later.
                }
            }
        }
        if (plan.isEmpty()) {
            return new Outcome(offered, new TreeSet<>(), 0, deferred, cloudProblem, false, cancelled.get());
        }
        ChangeBlocks.Result<Planned> result = ChangeBlocks.apply(context.library(), plan, Batches.CHANGE_BLOCK,
                (changes, planned) -> changes.retry(planned.job(), planned.destination()), cancelled);
        TreeSet<String> retried = new TreeSet<>();
        int freshApplied = 0;
        List<LedgerEntry> inFlight = new ArrayList<>();
        Instant committed = context.clock().instant();
        for (Planned planned : result.applied()) {
            retried.add(planned.job().localIdentifier());
            if (planned.destination() != null) {
                freshApplied++;
            }
            if (!os.processSet()) { // no fetchJobs(.process) before iOS 26.5: the ledger remembers the job in flight
                Optional<LedgerEntry> entry = entryOf(planned.job());
                if (entry.isPresent()) {
                    inFlight.add(entry.get().withJobSince(committed));
                }
            }
        }
        if (!inFlight.isEmpty()) {
            ledger.record(inFlight, context.storage());
        }
        if (!result.refused().isEmpty() || result.stoppedBy().isPresent()) {
            context.log().warn("retrying " + (plan.size() - retried.size()) + " jobs was refused"
                    + result.stoppedBy().map(e -> ": " + e.getMessage()).orElse("") + "; they are acknowledged instead");
        }
        return new Outcome(offered, retried, freshApplied, deferred, cloudProblem, result.limitExceeded(),
                result.interrupted());
    }

    /** The ledger's entry of the resource {@code job} is for, if the job is ours and the ledger knows it. */
    private Optional<LedgerEntry> entryOf(UploadJob job) {
        Optional<String> key = identity.keyOf(job);
        return key.isPresent() ? ledger.get(key.get()) : Optional.empty();
    }
}
