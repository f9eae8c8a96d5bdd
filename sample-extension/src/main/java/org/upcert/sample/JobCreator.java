package org.upcert.sample;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.JobType;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The create step, last of the three: fills free capacity with jobs for the resources that
 * need an upload, oldest first.
 *
 * <p><b>Which resources already have a job</b> is read from the system, not remembered: the
 * union of the PROCESS and ACKNOWLEDGE sets (every unacknowledged job is in one of them),
 * identified through {@link JobIdentity}. A ledger line "job created" could never be written
 * atomically with the {@code performChanges} commit; a kill between the two would, after
 * relaunch, create a second job for the same resource. The system's job store is the one
 * record that cannot disagree with itself (DUP-01, TRM-03).
 *
 * <p><b>Capacity</b> = {@code jobLimit()} − unacknowledged jobs (PROCESS + ACKNOWLEDGE, read
 * after this call's acknowledgements and cancellations). Creating beyond it is refused as a
 * whole block; if it happens anyway (someone else created jobs), stop and answer PROCESSING,
 * never try again in the same call (CAP-01).
 *
 * <p><b>Before iOS 26.5</b> there is no PROCESS set ({@code fetchJobs(.process)} does not exist):
 * the jobs in flight are those the ledger marks ({@link LedgerEntry#jobInFlight()}, written right
 * after each create or retry commit, cleared when the job's outcome is recorded), and no in-flight
 * job can be cancelled (there is no handle to one). See {@link OsLevel}.
 *
 * <p>Before creating, it tidies what the fresh job sets show: jobs that finished since the
 * acknowledge step are acknowledged too (ACK-02 in its strictest reading), and in-flight
 * upload jobs that are no longer wanted (asset deleted, resource already uploaded, a second
 * job for one resource) are cancelled rather than left to run (E2E-03, reference rule 13).
 */
final class JobCreator {

    /** Simulated time a call may spend obtaining destinations (a third of a 60 s runtime). */
    static final java.time.Duration DESTINATION_BUDGET = java.time.Duration.ofSeconds(20);

    private final ExtensionContext context;
    private final Ledger ledger;
    private final CloudDialect cloud;
    private final JobIdentity identity;
    private final Acknowledger acknowledger;
    private final AtomicBoolean cancelled;
    private final OsLevel os;
    private final QueueWindow window;

    JobCreator(ExtensionContext context, Ledger ledger, CloudDialect cloud, JobIdentity identity,
            Acknowledger acknowledger, QueueWindow window, AtomicBoolean cancelled) {
        this.window = window;
        this.context = context;
        this.ledger = ledger;
        this.cloud = cloud;
        this.identity = identity;
        this.acknowledger = acknowledger;
        this.cancelled = cancelled;
        this.os = OsLevel.of(context);
    }

    /**
     * What the create step did.
     *
     * @param created jobs created
     * @param cancelledJobs unwanted in-flight jobs cancelled
     * @param lateAcknowledgements jobs that finished during the call, acknowledged here
     * @param unacknowledged unacknowledged jobs after the step (in flight or finished)
     * @param jobLimit the system's job limit
     * @param limitExceeded whether the system refused a block with LIMIT_EXCEEDED
     * @param cloudProblem why no destination could be made, if that happened
     * @param interrupted whether {@code willTerminate} stopped the step
     */
    record Outcome(int created, int cancelledJobs, Acknowledger.Summary lateAcknowledgements, int unacknowledged,
            int jobLimit, boolean limitExceeded, Optional<CloudUnavailableException> cloudProblem, boolean interrupted) {
    }

    private record Creation(AssetResource resource, UploadRequest destination) {
    }

    /** Whether this step asked the library for its candidates' assets and was given none at all. */
    private boolean noCandidateFound;

    /**
     * Whether {@link #create} asked the library for its candidates' assets and was given none: the
     * library not answering, or every candidate's asset deleted. Discovery marks gone only what still
     * needed an upload, so an asset deleted after its upload stays uploaded in the ledger until a move
     * of the account to another server puts it back to upload; the oldest candidates can then all be
     * deleted ones, asked for call after call (RES-03, E2E-01: explore:1024 on HydratingExtension,
     * {@code styles-corpus/sample-RES-03-deleted-then-moved.yaml}). The caller has discovery rescan the
     * library next call, which tells the two apart (an answer with assets marks the missing ones gone).
     */
    boolean noCandidateFound() {
        return noCandidateFound;
    }

    /**
     * Runs the step.
     *
     * @param handled ids of the jobs this call already retried, acknowledged or failed to
     *     acknowledge: not acknowledged again here
     * @param knownCloudProblem a sign-in failure earlier in the call: create nothing, do not
     *     sign in again (one failed attempt per call, no spinning)
     */
    Outcome create(Set<String> handled, Optional<CloudUnavailableException> knownCloudProblem) {
        PhotoLibrary library = context.library();
        int jobLimit = library.jobLimit();
        // PROCESS before ACKNOWLEDGE: a job finishing between the two fetches then shows up in
        // both rather than in neither.
        List<UploadJob> inFlight = os.processSet() ? new ArrayList<>(library.fetchJobs(JobAction.PROCESS)) : new ArrayList<>();
        List<UploadJob> finished = new ArrayList<>(library.fetchJobs(JobAction.ACKNOWLEDGE));
        // A job in both finished in between: it is finished, not in flight (cancelling it after
        // acknowledging it below would be refused: JOB-04).
        TreeSet<String> finishedIds = new TreeSet<>();
        for (UploadJob job : finished) {
            finishedIds.add(job.localIdentifier());
        }
        for (Iterator<UploadJob> jobs = inFlight.iterator(); jobs.hasNext();) {
            if (finishedIds.contains(jobs.next().localIdentifier())) {
                jobs.remove();
            }
        }

        List<UploadJob> late = new ArrayList<>();
        for (UploadJob job : finished) {
            if (!handled.contains(job.localIdentifier())) {
                late.add(job);
            }
        }
        // Their retry may be unspent: an expiry counts as one more attempt, not as final.
        Acknowledger.Summary lateAcks = late.isEmpty() ? Acknowledger.Summary.none()
                : acknowledger.acknowledge(late, Acknowledger.RETRY_UNSPENT);
        if (!late.isEmpty()) {
            for (Iterator<UploadJob> jobs = finished.iterator(); jobs.hasNext();) {
                if (lateAcks.acknowledged().contains(jobs.next().localIdentifier())) {
                    jobs.remove();
                }
            }
            if (lateAcks.interrupted()) {
                return new Outcome(0, 0, lateAcks, inFlight.size() + finished.size() + remembered(finished).size(), jobLimit,
                        false, knownCloudProblem, true);
            }
        }

        // Which resources have a live job, and which in-flight jobs are not wanted any more.
        TreeSet<String> live = new TreeSet<>();
        for (UploadJob job : finished) {
            addKey(job, live);
        }
        TreeSet<String> running = new TreeSet<>();
        List<UploadJob> unwanted = new ArrayList<>();
        for (UploadJob job : inFlight) { // oldest first: of two jobs for one resource, the older stays
            Optional<String> key = identity.keyOf(job);
            if (key.isEmpty()) {
                continue; // not ours to judge; it still counts against the limit
            }
            Optional<LedgerEntry> entry = ledger.get(key.get());
            ResourceStatus status = entry.isPresent() ? entry.get().status() : null;
            boolean redundant = running.contains(key.get())
                    || identity.onFormerServer(job) // queued for a server the account has left (host.server)
                    || status == ResourceStatus.GONE
                    || status == ResourceStatus.UPLOADED;
            if (redundant && os.type(job) == JobType.UPLOAD && job.state().isInFlight()) {
                unwanted.add(job); // JOB-04: only registered or pending jobs (PROCESS) are cancelled
            } else {
                running.add(key.get());
            }
        }
        live.addAll(running);
        TreeSet<String> remembered = remembered(finished); // before iOS 26.5: the ledger's jobs in flight
        live.addAll(remembered);
        int cancelledJobs = 0;
        if (!unwanted.isEmpty()) {
            ChangeBlocks.Result<UploadJob> cancellation = ChangeBlocks.apply(library, unwanted, Batches.CHANGE_BLOCK,
                    (changes, job) -> changes.cancel(job), cancelled);
            cancelledJobs = cancellation.applied().size();
            inFlight.removeAll(cancellation.applied());
            for (UploadJob job : cancellation.refused()) {
                addKey(job, live); // still running: still live
            }
            context.log().info("cancelled " + cancelledJobs + " in-flight jobs of deleted or already uploaded resources"
                    + (cancellation.refused().isEmpty() ? "" : " (" + cancellation.refused().size() + " refused)"));
            if (cancellation.interrupted()) {
                return new Outcome(0, cancelledJobs, lateAcks, inFlight.size() + finished.size(), jobLimit, false,
                        knownCloudProblem, true);
            }
        }

        int unacknowledged = inFlight.size() + finished.size() + remembered.size();
        // Below jobLimit when jobs have outlived their credentials waiting in the system's queue
        // (QueueWindow): a queue no longer than the uplink carries within a token's life.
        int capacity = window.limit(context.storage(), jobLimit) - unacknowledged;
        Instant now = context.clock().instant();
        List<LedgerEntry> candidates = new ArrayList<>();
        if (capacity > 0 && knownCloudProblem.isEmpty()) {
            for (LedgerEntry entry : ledger.needingUpload()) { // oldest discovered first
                if (candidates.size() == capacity) {
                    break;
                }
                if (!live.contains(entry.key()) && entry.dueAt(now)) {
                    candidates.add(entry);
                }
            }
        }
        if (candidates.isEmpty()) {
            return new Outcome(0, cancelledJobs, lateAcks, unacknowledged, jobLimit, false, knownCloudProblem, false);
        }

        // Fresh resource details (filename, UTI) from the library; a resource whose asset is
        // gone gets no job (and no destination: nothing uploaded that is not in the library,
        // E2E-02).
        TreeSet<String> assetIds = new TreeSet<>();
        for (LedgerEntry entry : candidates) {
            assetIds.add(entry.assetLocalIdentifier());
        }
        TreeMap<String, AssetResource> resources = new TreeMap<>();
        for (Asset asset : library.fetchAssets(assetIds)) {
            for (AssetResource resource : asset.resources()) {
                resources.put(resource.key(), resource);
            }
        }
        // Asked for assets and given none at all: the library did not answer (it "returns nothing at
        // times" inside an extension). Their resources stay to upload; a real deletion reaches the
        // ledger through discovery. Only an answer that has assets makes the missing ones gone.
        boolean libraryAnswered = !resources.isEmpty();
        noCandidateFound = !libraryAnswered;
        List<LedgerEntry> gone = new ArrayList<>();
        List<Creation> creations = new ArrayList<>();
        Optional<CloudUnavailableException> cloudProblem = Optional.empty();
        Instant destinationsStarted = context.clock().instant();
        boolean outOfTime = false;
        for (LedgerEntry entry : candidates) {
            AssetResource resource = resources.get(entry.key());
            if (resource == null) {
                if (libraryAnswered) {
                    gone.add(entry.withStatus(ResourceStatus.GONE));
                }
                continue;
            }
            if (cloudProblem.isPresent() || outOfTime) {
                continue;
            }
            // A destination may cost a round trip (a presigned URL per job): on a slow network
            // a full job limit of them would outlast the call's runtime (RES-05) and create
            // nothing. Stop asking after the budget; the next call creates the rest.
            if (cancelled.get() || java.time.Duration.between(destinationsStarted, context.clock().instant())
                    .compareTo(DESTINATION_BUDGET) > 0) {
                outOfTime = true;
                continue;
            }
            try {
                creations.add(new Creation(resource, cloud.destinationFor(resource, context)));
            } catch (CloudUnavailableException e) {
                cloudProblem = Optional.of(e); // the first failure ends creating for this call
            }
        }
        ledger.record(gone, context.storage());

        ChangeBlocks.Result<Creation> result = os.processSet() ? ChangeBlocks.apply(library, creations, Batches.CREATE_BLOCK,
                (changes, creation) -> changes.createJob(creation.resource(), creation.destination()), cancelled)
                : createRecordingEachBlock(library, creations);
        if (result.stoppedBy().isPresent()) {
            context.log().info("creating stopped: " + result.stoppedBy().get().getMessage()
                    + (result.limitExceeded() ? " (job limit reached; answering PROCESSING)" : ""));
        }
        if (!result.refused().isEmpty()) {
            context.log().warn("creating " + result.refused().size() + " jobs was refused (asset removed meanwhile?)");
        }
        int created = result.applied().size();
        return new Outcome(created, cancelledJobs, lateAcks, unacknowledged + created, jobLimit,
                result.limitExceeded(), cloudProblem, result.interrupted());
    }

    /**
     * Before iOS 26.5 (no fetchJobs(.process)): creates block by block and, after each block that
     * committed, records in the ledger which resources now have a job in flight, before the next
     * block. Recorded only after the last block, a kill inside a later block left the earlier
     * blocks' jobs unknown to the next process, which made second ones (explore:790: DUP-01,
     * TRM-03). Only a kill between a commit and its record remains, which no API before 26.5 lets
     * an extension see (upcert does not hold it against it).
     */
    private ChangeBlocks.Result<Creation> createRecordingEachBlock(PhotoLibrary library, List<Creation> creations) {
        List<Creation> applied = new ArrayList<>();
        List<Creation> refused = new ArrayList<>();
        for (List<Creation> block : Batches.of(creations, Batches.CREATE_BLOCK)) {
            ChangeBlocks.Result<Creation> one = ChangeBlocks.apply(library, block, Batches.CREATE_BLOCK,
                    (changes, creation) -> changes.createJob(creation.resource(), creation.destination()), cancelled);
            applied.addAll(one.applied());
            refused.addAll(one.refused());
            if (!one.applied().isEmpty()) {
                Instant committed = context.clock().instant();
                List<LedgerEntry> inFlightNow = new ArrayList<>();
                for (Creation creation : one.applied()) {
                    Optional<LedgerEntry> entry = ledger.get(creation.resource().key());
                    if (entry.isPresent()) {
                        inFlightNow.add(entry.get().withJobSince(committed));
                    }
                }
                ledger.record(inFlightNow, context.storage());
            }
            if (one.stoppedBy().isPresent() || one.interrupted()) {
                return new ChangeBlocks.Result<>(applied, refused, one.stoppedBy(), one.interrupted());
            }
        }
        return new ChangeBlocks.Result<>(applied, refused, Optional.empty(), false);
    }

    /**
     * Before iOS 26.5: the resources the ledger marks as having a job in flight, except those
     * whose job is among {@code finished} (it counts there). Empty from 26.5 (the PROCESS set says).
     */
    private TreeSet<String> remembered(List<UploadJob> finished) {
        TreeSet<String> keys = new TreeSet<>();
        if (os.processSet()) {
            return keys;
        }
        for (LedgerEntry entry : ledger.withJobInFlight()) {
            keys.add(entry.key());
        }
        for (UploadJob job : finished) {
            Optional<String> key = identity.keyOf(job);
            if (key.isPresent()) {
                keys.remove(key.get());
            }
        }
        return keys;
    }

    /**
     * Adds the resource key of {@code job} to {@code keys}, if the job is ours. (Plain code rather than
     * {@code ifPresent(keys::add)} on this step's paths: every relaunched process bootstraps each lambda
     * again, docs/performance.md.)
     */
    private void addKey(UploadJob job, Set<String> keys) {
        Optional<String> key = identity.keyOf(job);
        if (key.isPresent()) {
            keys.add(key.get());
        }
    }
}
