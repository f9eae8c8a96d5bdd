package org.upcert.conformance.styles.cleanroom;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeOutcome;
import org.upcert.api.DroppedChange;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.conformance.styles.cleanroom.Book.Entry;
import org.upcert.conformance.styles.cleanroom.Book.Status;

/**
 * One call of {@code processJobs}: settle what the system finished (retry or acknowledge), follow
 * the host app, discover library changes, create jobs. Apple's order: retry, acknowledge, create.
 */
final class Activation {
    /** Below the 60 s runtime limit, leaving room for the blocks still to commit. */
    private static final long CREATE_BUDGET_MS = 20_000L;
    /** Below iOS 26.5 a create whose commit was never confirmed is taken as not made after this long, if nothing else of ours is in flight. */
    private static final long UNCERTAIN_CREATE_MS = 20 * 60_000L;

    private final ExtensionContext ctx;
    private final PhotoLibrary library;
    private final AppGroupStorage storage;
    private final AtomicBoolean stop;
    private final long start;
    private final boolean os264;
    private final boolean os265;
    private final String uploadBase;
    private final boolean freshUrlOnRetry;
    private final boolean failureWhenStuck;
    private final boolean trustEmptyFirstWalk;
    private boolean neverFound;
    private Journal journal;
    private Book book;
    private boolean consent;
    private boolean libraryFailed;
    private boolean limitHit;
    private boolean resynced;
    private boolean ackUnfinished;
    /** The app backend gave no URL this call (unreachable, refusing, or our credentials refused). */
    private boolean presignFailed;
    /** A change block of this call applied something. */
    private boolean changed;

    Activation(ExtensionContext ctx, AtomicBoolean stop, boolean freshUrlOnRetry, boolean failureWhenStuck,
            boolean trustEmptyFirstWalk) {
        this.trustEmptyFirstWalk = trustEmptyFirstWalk;
        this.freshUrlOnRetry = freshUrlOnRetry;
        this.failureWhenStuck = failureWhenStuck;
        this.ctx = ctx;
        this.library = ctx.library();
        this.storage = ctx.storage();
        this.stop = stop;
        this.start = ctx.clock().millis();
        this.os264 = ctx.osAtLeast("26.4");
        this.os265 = ctx.osAtLeast("26.5");
        this.uploadBase = ctx.uploadUrlBase().toString();
    }

    private long now() {
        return ctx.clock().millis();
    }

    private boolean stopped() {
        return stop.get();
    }

    ProcessingResult run() {
        journal = new Journal(storage);
        book = journal.load();
        followServer();
        consent = library.authorizationStatus() == AuthorizationStatus.AUTHORIZED && library.isUploadJobExtensionEnabled();

        // PROCESS before ACKNOWLEDGE: a job finishing between the two fetches shows in one or both, never neither.
        List<UploadJob> inFlight = os265 ? library.fetchJobs(JobAction.PROCESS) : null;
        List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
        Set<String> retryable = new HashSet<>();
        for (UploadJob job : library.fetchJobs(JobAction.RETRY)) {
            retryable.add(job.localIdentifier());
        }
        if (consent) {
            // without full access the sets show none of the jobs (reference §4): nothing can be inferred from their absence
            reconcile(inFlight, finished);
        }
        settle(finished, retryable);
        if (stopped()) {
            return ProcessingResult.PROCESSING;
        }
        if (inFlight != null) {
            cancelUnwanted(inFlight);
        }
        readHostUploads();
        if (consent && !stopped()) {
            discover();
        }
        if (consent && !stopped() && !libraryFailed && !limitHit) {
            create(inFlight, finished);
        }
        if (!stopped()) {
            journal.compactIfLong(book);
        }
        return answer();
    }

    // ---------------------------------------------------------------- the host app's word

    private void followServer() {
        Optional<String> text = storage.readString(AppGroupStorage.HOST_APP_SERVER);
        if (text.isEmpty()) {
            return;
        }
        long generation = 0;
        long lines = 0;
        for (String line : text.get().split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = line.substring(0, eq).trim();
            String v = line.substring(eq + 1).trim();
            try {
                if (k.equals("generation")) {
                    generation = Long.parseLong(v);
                } else if (k.equals("hostUploadedLines")) {
                    lines = Long.parseLong(v);
                }
            } catch (NumberFormatException ignored) {
                // leave the default
            }
        }
        if (generation != book.serverGeneration) {
            ctx.log().info("account moved to server generation " + generation + ": everything is to upload there");
            journal.add("SERVER", Long.toString(generation), Long.toString(lines));
            journal.flush(book);
        }
    }

    private void readHostUploads() {
        Optional<String> text = storage.readString(AppGroupStorage.HOST_APP_UPLOADS);
        if (text.isEmpty()) {
            return;
        }
        String[] lines = text.get().split("\n");
        long count = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            count++;
            if (count <= book.hostLinesRead) {
                continue;
            }
            String key = line.trim();
            Entry e = book.entries.get(key);
            if (e == null || e.status == Status.TODO || e.status == Status.GAVE_UP) {
                journal.add("HOSTDONE", key);
            }
        }
        if (count > book.hostLinesRead) {
            journal.add("HOSTLINES", Long.toString(count));
            journal.flush(book);
        }
    }

    private boolean underBase(String url) {
        return url != null && url.startsWith(uploadBase);
    }

    // ---------------------------------------------------------------- jobs the journal and the system disagree on

    private void reconcile(List<UploadJob> inFlight, List<UploadJob> finished) {
        Set<String> finishedUrls = urls(finished);
        Set<String> flyingUrls = inFlight == null ? Set.of() : urls(inFlight);
        boolean certainInFlight = false;
        for (Entry e : book.entries.values()) {
            if (e.status == Status.IN_FLIGHT && !e.uncertain && !e.hasOutcome()) {
                certainInFlight = true;
            }
        }
        long t = now();
        for (Entry e : book.entries.values()) {
            if (e.status != Status.IN_FLIGHT) {
                continue;
            }
            boolean presented = e.jobUrls.stream().anyMatch(finishedUrls::contains);
            boolean flying = e.jobUrls.stream().anyMatch(flyingUrls::contains);
            if (presented || flying) {
                continue;
            }
            if (e.hasOutcome()) {
                // outcome recorded, job no longer presented: our acknowledgement went through before a kill
                journal.add("ACKED", e.key, e.currentUrl());
            } else if (inFlight != null) {
                // the sets are complete from 26.5: the job was never made (a kill before the commit) or is gone
                journal.add("ABORT", e.key, e.currentUrl());
            } else if (e.uncertain && !certainInFlight && t - e.intentAt > UNCERTAIN_CREATE_MS) {
                journal.add("ABORT", e.key, e.currentUrl());
            }
        }
        journal.flush(book);
    }

    private static Set<String> urls(List<UploadJob> jobs) {
        Set<String> out = new HashSet<>();
        for (UploadJob job : jobs) {
            if (job.destination() != null) {
                out.add(job.destination().url().toString());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- retry, then acknowledge

    private record Presented(UploadJob job, Entry entry, String url) {
    }

    private void settle(List<UploadJob> finished, Set<String> retryable) {
        List<Presented> toRetry = new ArrayList<>();
        List<Presented> toAck = new ArrayList<>();
        long t = now();
        for (UploadJob job : finished) {
            if (!job.state().isFinished()) {
                continue;
            }
            UploadRequest destination = job.destination();
            boolean downloadOnly = destination == null || (os264 && job.type() == JobType.DOWNLOAD_ONLY);
            if (downloadOnly) {
                toAck.add(new Presented(job, null, null));
                continue;
            }
            String url = destination.url().toString();
            Optional<Entry> owner = book.byUrl(url);
            if (owner.isEmpty()) {
                // a job of ours the journal does not follow (an earlier attempt): a success under the current base still counts
                Optional<String> key = ObjectKeys.resourceKeyOf(destination.url());
                if (key.isPresent() && job.state() == JobState.SUCCEEDED && underBase(url)) {
                    Entry e = book.entries.get(key.get());
                    if (e == null || e.status == Status.TODO || e.status == Status.GAVE_UP) {
                        journal.add("HOSTDONE", key.get());
                    }
                }
                toAck.add(new Presented(job, null, url));
                continue;
            }
            Entry e = owner.get();
            boolean canRetry = consent && !stopped() && retryable.contains(job.localIdentifier()) && underBase(url)
                    && !e.goneMeanwhile;
            if (e.counted.contains(url)) {
                if (e.hasOutcome()) {
                    toAck.add(new Presented(job, e, url));
                } else if (canRetry) {
                    toRetry.add(new Presented(job, e, url));
                } else {
                    outcome(e, url, "AGAIN", Status.TODO, t);
                    toAck.add(new Presented(job, e, url));
                }
                continue;
            }
            if (!underBase(url)) {
                // sent to a server the account has left: it counts for nothing there
                outcome(e, url, "STALE", Status.TODO, t);
                toAck.add(new Presented(job, e, url));
                continue;
            }
            Policy.Reading reading;
            if (job.state() == JobState.SUCCEEDED) {
                reading = new Policy.Reading(Policy.Kind.OK, 0);
            } else {
                Optional<UploadError> error = os264 ? job.error() : Optional.empty();
                Optional<SortedMap<String, String>> headers = os264 ? job.responseHeaderFields() : Optional.empty();
                boolean expired = t >= e.presignedAt + e.expiresIn * 1000L;
                reading = Policy.readFailure(error, headers, expired, t);
            }
            Policy.Decision d = Policy.decide(e, reading, t, canRetry);
            journal.add("OUTCOME", e.key, url, reading.kind().name(), Long.toString(t), Integer.toString(d.refusalsInRow()),
                    Long.toString(d.firstRefusalAt()), Integer.toString(d.networkInRow()), d.afterAck().name(),
                    Long.toString(d.notBefore()));
            if (d.lengthenUrls()) {
                long longer = Math.min(Policy.MAX_EXPIRES, Math.max(book.expiresIn, e.expiresIn) * 2);
                journal.add("EXPIRES", Long.toString(longer));
            }
            if (d.retryNow()) {
                toRetry.add(new Presented(job, e, url));
            } else {
                toAck.add(new Presented(job, e, url));
            }
        }
        // every outcome is on disk before the change that would make its job disappear
        journal.flush(book);

        if (!toRetry.isEmpty()) {
            retry(toRetry, toAck);
        }
        acknowledge(toAck);
    }

    private void outcome(Entry e, String url, String kind, Status after, long t) {
        journal.add("OUTCOME", e.key, url, kind, Long.toString(t), Integer.toString(e.refusalsInRow), Long.toString(e.firstRefusalAt),
                Integer.toString(e.networkInRow), after.name(), Long.toString(t));
    }

    private void retry(List<Presented> toRetry, List<Presented> toAck) {
        Presigner presigner = new Presigner(ctx.http(), ctx.cloudSettings());
        List<Presented> going = new ArrayList<>();
        Map<String, UploadRequest> fresh = new TreeMap<>();
        for (Presented p : toRetry) {
            if (!freshUrlOnRetry) {
                // the twin's mistake: the refused request again, as is (retry(destination: nil))
                journal.add("RETRY", p.entry().key, p.url(), p.url(), Long.toString(p.entry().presignedAt), Long.toString(p.entry().expiresIn));
                fresh.put(p.job().localIdentifier(), null);
                going.add(p);
                continue;
            }
            Optional<Presigner.Presigned> url = stopped() ? Optional.empty() : presigner.presign(ObjectKeys.objectKey(p.entry().key), book.expiresIn);
            if (url.isEmpty()) {
                presignFailed = true;
                if (!p.entry().hasOutcome()) {
                    outcome(p.entry(), p.url(), "NOURL", Status.TODO, now());
                }
                toAck.add(p);
                continue;
            }
            String newUrl = url.get().request().url().toString();
            journal.add("RETRY", p.entry().key, p.url(), newUrl, Long.toString(now()), Long.toString(url.get().expiresInSeconds()));
            fresh.put(p.job().localIdentifier(), url.get().request());
            going.add(p);
        }
        journal.flush(book);
        if (going.isEmpty()) {
            return;
        }
        try {
            ChangeOutcome outcome = library.performChangesAndReport(changes -> {
                for (Presented p : going) {
                    changes.retry(p.job(), fresh.get(p.job().localIdentifier()));
                }
            });
            changed |= outcome.applied() > 0;
            Set<String> dropped = new HashSet<>();
            for (DroppedChange d : outcome.dropped()) {
                dropped.add(d.job());
            }
            for (Presented p : going) {
                if (dropped.contains(p.job().localIdentifier())) {
                    outcome(p.entry(), p.url(), "NORETRY", Status.TODO, now());
                    toAck.add(p);
                }
            }
        } catch (PhotosException e) {
            if (e.code() == PhotosErrorCode.LIMIT_EXCEEDED) {
                limitHit = true;
            }
            ctx.log().warn("retry block refused: " + e.getMessage());
            for (Presented p : going) {
                outcome(p.entry(), p.url(), "NORETRY", Status.TODO, now());
                toAck.add(p);
            }
        }
        journal.flush(book);
    }

    private void acknowledge(List<Presented> toAck) {
        if (toAck.isEmpty()) {
            return;
        }
        try {
            ChangeOutcome outcome = library.performChangesAndReport(changes -> {
                for (Presented p : toAck) {
                    changes.acknowledge(p.job());
                }
            });
            changed |= outcome.applied() > 0;
            Map<String, DroppedChange> dropped = new TreeMap<>();
            for (DroppedChange d : outcome.dropped()) {
                if (d.job() != null) {
                    dropped.put(d.job(), d);
                }
            }
            for (Presented p : toAck) {
                DroppedChange d = dropped.get(p.job().localIdentifier());
                if (d != null && d.code() != PhotosErrorCode.IDENTIFIER_NOT_FOUND) {
                    ackUnfinished = true;
                    continue;
                }
                if (p.entry() != null) {
                    journal.add("ACKED", p.entry().key, p.url());
                }
            }
        } catch (PhotosException e) {
            ctx.log().warn("acknowledge block refused: " + e.getMessage());
            ackUnfinished = true;
        }
        journal.flush(book);
    }

    private void cancelUnwanted(List<UploadJob> inFlight) {
        if (!os264) {
            return;
        }
        List<UploadJob> unwanted = new ArrayList<>();
        List<Entry> owners = new ArrayList<>();
        for (UploadJob job : inFlight) {
            if (job.destination() == null || !job.state().isInFlight()) {
                continue;
            }
            String url = job.destination().url().toString();
            Optional<Entry> owner = book.byUrl(url);
            if (owner.isPresent() && (owner.get().goneMeanwhile || !underBase(url))) {
                unwanted.add(job);
                owners.add(owner.get());
            }
        }
        if (unwanted.isEmpty() || stopped()) {
            return;
        }
        try {
            ChangeOutcome outcome = library.performChangesAndReport(changes -> unwanted.forEach(changes::cancel));
            changed |= outcome.applied() > 0;
            Set<String> dropped = new HashSet<>();
            for (DroppedChange d : outcome.dropped()) {
                dropped.add(d.job());
            }
            for (int i = 0; i < unwanted.size(); i++) {
                if (!dropped.contains(unwanted.get(i).localIdentifier())) {
                    journal.add("CANCELLED", owners.get(i).key, unwanted.get(i).destination().url().toString());
                }
            }
        } catch (PhotosException e) {
            ctx.log().warn("cancel block refused: " + e.getMessage());
        }
        journal.flush(book);
    }

    // ---------------------------------------------------------------- discovery

    private void discover() {
        if (book.changeToken == null || book.walkWanted) {
            walk();
            return;
        }
        List<PersistentChange> changes;
        try {
            changes = library.fetchPersistentChanges(org.upcert.api.ChangeToken.decode(book.changeToken));
        } catch (PhotosException.ChangeTokenExpired expired) {
            ctx.log().info("change token expired: walking the library again");
            journal.add("TOKEN", "-");
            journal.flush(book);
            resynced = true;
            walk();
            return;
        } catch (PhotosException other) {
            libraryFailed = true;
            return;
        }
        if (changes.isEmpty()) {
            return;
        }
        Set<String> wanted = new LinkedHashSet<>();
        Set<String> deleted = new LinkedHashSet<>();
        for (PersistentChange change : changes) {
            for (String id : change.insertedAssets()) {
                wanted.add(id);
                deleted.remove(id);
            }
            for (String id : change.updatedAssets()) {
                wanted.add(id);
            }
            for (String id : change.deletedAssets()) {
                wanted.remove(id);
                deleted.add(id);
            }
        }
        for (String id : deleted) {
            for (Entry e : book.entries.values()) {
                if (assetOf(e.key).equals(id)) {
                    journal.add("GONE", e.key);
                }
            }
        }
        if (!wanted.isEmpty()) {
            List<Asset> assets = library.fetchAssets(wanted);
            if (assets.isEmpty()) {
                // the library did not answer (or every one was deleted since, which a later change will say):
                // keep the token, ask again next call
                journal.flush(book);
                libraryFailed = true;
                return;
            }
            seen(assets);
        }
        journal.add("TOKEN", changes.get(changes.size() - 1).changeToken().encoded());
        journal.flush(book);
    }

    private void walk() {
        String token = library.currentChangeToken().encoded();
        List<Asset> assets = library.fetchAssets();
        if (assets.isEmpty()) {
            boolean knowsSomething = book.entries.values().stream().anyMatch(e -> e.status != Status.GONE);
            if (knowsSomething) {
                libraryFailed = true;
            } else if (book.entries.isEmpty() && !trustEmptyFirstWalk) {
                // no walk has ever found anything: an empty answer is as likely PhotoKit's silence as an
                // empty library, and COMPLETED would wait for a library change a quiet phone never makes
                // (explore:4038: the only call's walk answered nothing, 371 resources never uploaded)
                neverFound = true;
            }
            // an empty answer is never taken as the library's state: no token is kept from it
            return;
        }
        Set<String> present = new HashSet<>();
        for (Asset a : assets) {
            present.add(a.localIdentifier());
        }
        for (Entry e : book.entries.values()) {
            if (e.status != Status.GONE && !present.contains(assetOf(e.key))) {
                journal.add("GONE", e.key);
            }
        }
        seen(assets);
        journal.add("TOKEN", token);
        journal.add("WALK", "0");
        journal.flush(book);
    }

    private void seen(List<Asset> assets) {
        for (Asset a : assets) {
            for (AssetResource r : a.resources()) {
                Entry e = book.entries.get(r.key());
                if (e == null || e.status == Status.GONE) {
                    journal.add("SEEN", r.key());
                }
            }
        }
    }

    private static String assetOf(String resourceKey) {
        int hash = resourceKey.lastIndexOf('#');
        return hash < 0 ? resourceKey : resourceKey.substring(0, hash);
    }

    // ---------------------------------------------------------------- create

    private record Planned(Entry entry, AssetResource resource, UploadRequest destination, long expiresIn) {
    }

    private void create(List<UploadJob> inFlightAtStart, List<UploadJob> finishedAtStart) {
        int known = 0;
        for (Entry e : book.entries.values()) {
            if (e.status == Status.IN_FLIGHT) {
                known++;
            }
        }
        int free = library.jobLimit() - known - (ackUnfinished ? finishedAtStart.size() : 0);
        if (free <= 0) {
            return;
        }
        long t = now();
        List<Entry> due = new ArrayList<>();
        for (Entry e : book.entries.values()) {
            if (e.status == Status.TODO && e.notBefore <= t) {
                due.add(e);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        Presigner presigner = new Presigner(ctx.http(), ctx.cloudSettings());
        List<Planned> plan = new ArrayList<>();
        boolean missing = false;
        for (Entry e : due) {
            if (plan.size() >= free || stopped() || now() - start > CREATE_BUDGET_MS) {
                break;
            }
            Optional<AssetResource> resource = library.fetchResource(e.key);
            if (resource.isEmpty()) {
                missing = true;
                continue;
            }
            if (stopped()) {
                break;
            }
            Optional<Presigner.Presigned> url = presigner.presign(ObjectKeys.objectKey(e.key), book.expiresIn);
            if (url.isEmpty()) {
                ctx.log().warn("presign failed (" + presigner.trouble() + "); creating later");
                presignFailed = true;
                break;
            }
            plan.add(new Planned(e, resource.get(), url.get().request(), url.get().expiresInSeconds()));
        }
        if (missing) {
            journal.add("WALK", "1");
        }
        long at = now();
        for (Planned p : plan) {
            journal.add("INTENT", p.entry().key, p.destination().url().toString(), Long.toString(at), Long.toString(p.expiresIn()));
        }
        journal.flush(book);
        if (plan.isEmpty() || stopped()) {
            for (Planned p : plan) {
                journal.add("ABORT", p.entry().key, p.destination().url().toString());
            }
            journal.flush(book);
            return;
        }
        try {
            library.performChanges(changes -> {
                for (Planned p : plan) {
                    changes.createJob(p.resource(), p.destination());
                }
            });
            changed = true;
            for (Planned p : plan) {
                journal.add("CREATED", p.entry().key, p.destination().url().toString());
            }
        } catch (PhotosException e) {
            if (e.code() == PhotosErrorCode.LIMIT_EXCEEDED) {
                limitHit = true;
            } else if (e.code() == PhotosErrorCode.IDENTIFIER_NOT_FOUND) {
                journal.add("WALK", "1");
            }
            ctx.log().warn("create block refused: " + e.getMessage());
            for (Planned p : plan) {
                journal.add("ABORT", p.entry().key, p.destination().url().toString());
            }
        }
        journal.flush(book);
    }

    // ---------------------------------------------------------------- the answer

    private ProcessingResult answer() {
        if (stopped() || limitHit || resynced) {
            return ProcessingResult.PROCESSING;
        }
        boolean work = ackUnfinished;
        boolean flying = false;
        for (Entry e : book.entries.values()) {
            if (e.status == Status.TODO || e.status == Status.IN_FLIGHT) {
                work = true;
            }
            if (e.status == Status.IN_FLIGHT && !e.hasOutcome()) {
                flying = true;
            }
        }
        if (presignFailed && !changed && !flying && work && failureWhenStuck) {
            // the backend will not presign: nothing this extension can do about it now; the system calls again later
            return ProcessingResult.FAILURE;
        }
        if (libraryFailed) {
            return work ? ProcessingResult.FAILURE : ProcessingResult.PROCESSING;
        }
        if (neverFound && !work) {
            return ProcessingResult.FAILURE; // not up to date with a library that may not have answered: call again after a backoff
        }
        return work ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
    }
}
