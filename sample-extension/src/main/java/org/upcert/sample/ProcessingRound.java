package org.upcert.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionLog;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadJob;

/**
 * One call of {@code processJobs}, in the order the system expects:
 * <ol>
 *   <li>consent: without full access and an enabled extension, acknowledge only (CNS-01);
 *   <li>discovery: bring the ledger up to date with the library (CHG-01, CHG-02), and with what
 *       the host app uploaded itself ({@link HostAppUploads});
 *   <li>retry failed jobs ({@link Retrier});
 *   <li>acknowledge finished jobs, outcome stored first, then committed for two-phase clouds
 *       ({@link Acknowledger}, {@link CloudDialect#commitUploads});
 *   <li>create jobs into the free capacity ({@link JobCreator});
 *   <li>answer: PROCESSING while anything remains, COMPLETED when nothing does, FAILURE for
 *       what a later call cannot fix either, and when the cloud cannot be reached for our own
 *       requests and the call could move nothing (RES-01, RES-02, RES-03).
 * </ol>
 * The cancellation flag is checked between steps and between change blocks; once set, the
 * call answers PROCESSING at once (TRM-01) and the next activation picks up where this one
 * stopped, from the job sets and the ledger.
 *
 * <p>Made per call; it holds the call's context, which must not outlive the call (TRM-04).
 */
final class ProcessingRound {

    private final ExtensionContext context;
    private final PhotoLibrary library;
    private final ExtensionLog log;
    private final Ledger ledger;
    private final Discovery discovery;
    private final HostAppUploads hostApp;
    private final CloudDialect cloud;
    private final AtomicBoolean cancelled;
    private final JobIdentity identity;
    private final Acknowledger acknowledger;
    private final QueueWindow window;
    private final ServerChange server;

    ProcessingRound(ExtensionContext context, Ledger ledger, Discovery discovery, HostAppUploads hostApp, QueueWindow window,
            ServerChange server, CloudDialect cloud, AtomicBoolean cancelled) {
        this.server = server;
        this.window = window;
        this.context = context;
        this.library = context.library();
        this.log = context.log();
        this.ledger = ledger;
        this.discovery = discovery;
        this.hostApp = hostApp;
        this.cloud = cloud;
        this.cancelled = cancelled;
        this.identity = new JobIdentity(library, cloud, context.uploadUrlBase(), OsLevel.of(context).assetResource());
        this.acknowledger = new Acknowledger(context, ledger, cloud, identity, window, cancelled);
    }

    ProcessingResult run() {
        // First of all, before anything reads the ledger: did the host app move the account to
        // another server? Then the new server holds nothing of ours (host/server).
        server.follow(context, ledger);
        identity.afterServerChange(server.changedEver());
        AuthorizationStatus access = library.authorizationStatus();
        boolean enabled = library.isUploadJobExtensionEnabled();
        if (access != AuthorizationStatus.AUTHORIZED || !enabled) {
            return withoutConsent(access, enabled);
        }

        Discovery.Result found = discovery.synchronise(context, ledger);
        Optional<String> description = found.describe();
        if (description.isPresent()) {
            log.info(description.get());
        }
        if (found.kind() == Discovery.Result.Kind.ABORTED) {
            // Access was withdrawn while the library was being read: from here on this is a
            // call without consent (no retry, no create).
            return withoutConsent(library.authorizationStatus(), library.isUploadJobExtensionEnabled());
        }
        if (cancelled.get()) {
            return interrupted("discovery");
        }
        int byHostApp = hostApp.fold(context.storage(), ledger, server.hostUploadsBefore());
        if (byHostApp > 0) {
            log.info("the host app uploaded " + byHostApp + " resources itself (" + org.upcert.api.AppGroupStorage.HOST_APP_UPLOADS
                    + "): recorded as uploaded");
        }
        // The library not answering changes nothing about the jobs: retry, acknowledge and create
        // from the ledger as usual (ACK-02 holds in this call too); only the answer differs.
        boolean libraryUnread = found.unread();

        Retrier.Outcome retry = new Retrier(context, ledger, cloud, identity, cancelled).retry();
        if (retry.interrupted()) {
            return interrupted("retrying");
        }

        List<UploadJob> finished = new ArrayList<>();
        for (UploadJob job : library.fetchJobs(JobAction.ACKNOWLEDGE)) {
            if (!retry.retried().contains(job.localIdentifier())) { // JOB-05: retried or acknowledged, never both
                finished.add(job);
            }
        }
        Acknowledger.Summary acks = acknowledger.acknowledge(finished, Acknowledger.offeredIn(retry.offered()));
        if (acks.interrupted()) {
            return interrupted("acknowledging");
        }

        TreeSet<String> handled = new TreeSet<>(retry.retried());
        handled.addAll(acks.acknowledged());
        handled.addAll(acks.refused());
        Optional<CloudUnavailableException> knownProblem = retry.cloudProblem();
        JobCreator creator = new JobCreator(context, ledger, cloud, identity, acknowledger, window, cancelled);
        JobCreator.Outcome creation = creator.create(handled, knownProblem);
        if (creator.noCandidateFound()) {
            discovery.rescanNextCall(); // deleted, or the library not answering: a scan tells (JobCreator)
        }
        acks = acks.plus(creation.lateAcknowledgements());
        if (creation.interrupted()) {
            return interrupted("creating");
        }

        if (ledger.compactIfDue(context.storage())) {
            log.info("ledger compacted into generation " + ledger.generation());
        }

        Optional<CloudUnavailableException> cloudProblem = creation.cloudProblem().isPresent() ? creation.cloudProblem()
                : knownProblem;
        int toUpload = ledger.needingUploadCount();
        ProcessingResult result;
        if (creation.limitExceeded() || retry.limitExceeded()) {
            // CAP-01, RES-02: after LIMIT_EXCEEDED the answer is PROCESSING, whatever else failed in
            // the call (the library not answering, our own server): the limit is the system's to
            // lift, and it calls again soon after PROCESSING (found by exploration, explore:130:
            // a call that met LIMIT_EXCEEDED and a library failing with 3300 answered FAILURE).
            result = ProcessingResult.PROCESSING;
        } else if (libraryUnread && creation.created() == 0
                && (toUpload > 0 || found.kind() == Discovery.Result.Kind.UNRELIABLE || ledger.all().isEmpty())) {
            // The library did not answer (or a scan found nothing although the ledger knows photos
            // to upload, or knows no resource at all: no scan has ever found one) and nothing could
            // be created: the extension is not up to date with the library, so not COMPLETED;
            // FAILURE lets the system call again after its backoff, where PROCESSING would be
            // another call in ~5 min that may meet the same silence. With an empty ledger a COMPLETED
            // waited for a library change that a quiet phone never makes: the first call's scan
            // found nothing (library.flaky) and 371 resources were never uploaded (E2E-01 on
            // explore:4038). An empty library costs calls after a backoff, not photos.
            // (A scan that found nothing once the ledger knows resources, none left to upload,
            // answers as usual: COMPLETED, and the next library change scans again.)
            result = ProcessingResult.FAILURE;
        } else if (cloudProblem.isPresent() && cloudProblem.get().permanent() && toUpload > 0) {
            // Nothing a later call could do differently until the host app fixes its settings.
            result = ProcessingResult.FAILURE;
        } else if (cloudProblem.isPresent() && toUpload > 0 && handled.isEmpty() && creation.created() == 0
                && creation.unacknowledged() == 0 && !found.demandsProcessing()
                && !creation.limitExceeded() && !retry.limitExceeded()) {
            // (After LIMIT_EXCEEDED the answer is PROCESSING whatever else failed: CAP-01.)
            // Our own server cannot be reached (sign-in, upload sessions) and nothing moved: a
            // PROCESSING now would be answered with another call in ~5 min that fails the same way,
            // forever (RES-03). FAILURE lets the system back off (growing) and call again later.
            result = ProcessingResult.FAILURE;
        } else if (toUpload > 0 || creation.unacknowledged() > 0 || found.demandsProcessing()
                || cloud.uncommittedUploads(ledger) > 0 // two-phase clouds: commits still to make
                || creation.limitExceeded() || retry.limitExceeded()) {
            // RES-02: work remains (or LIMIT_EXCEEDED, CAP-01; or a resync, CHG-01).
            result = ProcessingResult.PROCESSING;
        } else {
            result = ProcessingResult.COMPLETED; // RES-01: nothing to upload, no job outstanding
        }
        if (cloudProblem.isPresent()) {
            CloudUnavailableException problem = cloudProblem.get();
            log.warn("cloud unavailable (" + (problem.permanent() ? "permanent" : "temporary") + "): " + problem.getMessage());
        }
        log.info("retried " + retry.describe() + "; acknowledged " + acks.describe() + "; created "
                + creation.created() + (creation.cancelledJobs() > 0 ? ", cancelled " + creation.cancelledJobs() : "")
                + "; " + creation.unacknowledged() + " of " + creation.jobLimit() + " jobs outstanding; "
                + summary() + " -> " + result);
        return result;
    }

    /**
     * CNS-01: no full library access or the extension disabled. Create nothing, retry nothing
     * (a retry would upload while consent is withdrawn, E2E-02), but store and acknowledge what
     * the system presents (reference rule 26). Discovery is skipped: without access
     * {@code fetchAssets()} is empty and would look like a library emptied by the user.
     */
    private ProcessingResult withoutConsent(AuthorizationStatus access, boolean enabled) {
        Acknowledger.Summary acks = acknowledger.acknowledge(library.fetchJobs(JobAction.ACKNOWLEDGE), Acknowledger.RETRY_UNSPENT);
        log.info("no consent (access " + access + ", extension " + (enabled ? "enabled" : "disabled")
                + "): created nothing; acknowledged " + acks.describe());
        if (acks.interrupted()) {
            return interrupted("acknowledging without consent");
        }
        return ProcessingResult.COMPLETED;
    }

    private ProcessingResult interrupted(String step) {
        log.info("termination requested: stopped while " + step + "; " + summary() + " -> PROCESSING");
        return ProcessingResult.PROCESSING;
    }

    private String summary() {
        Map<ResourceStatus, Integer> counts = ledger.counts();
        return "ledger " + counts.get(ResourceStatus.NEEDS_UPLOAD) + " to upload, " + counts.get(ResourceStatus.UPLOADED)
                + " uploaded, " + counts.get(ResourceStatus.ABANDONED) + " abandoned, " + counts.get(ResourceStatus.GONE)
                + " gone";
    }
}
