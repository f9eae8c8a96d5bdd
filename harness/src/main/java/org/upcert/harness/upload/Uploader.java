package org.upcert.harness.upload;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.harness.cloud.CloudDialect;
import org.upcert.harness.jobs.JobRecord;
import org.upcert.harness.jobs.JobStore;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.scheduler.DeviceConditions;
import org.upcert.harness.sim.EventQueue;
import org.upcert.harness.sim.VirtualClock;
import org.upcert.harness.trace.Trace;

/**
 * The system's uploader: takes registered jobs in registration order, runs up to
 * {@link SystemPolicy#transferSlots()} transfers at once, and finishes each job with the HTTP
 * outcome. One transfer attempt per job: what happens after a failure is the extension's call.
 *
 * <p>Time is virtual: a transfer takes two latencies plus its declared size over the slot's share
 * of the uplink. The real HTTP request is sent when the transfer completes in virtual time, so
 * the cloud sees requests in the same order on every run. A job registered during a call waits
 * until the call returns (measured on devices: uploads start only afterwards).
 *
 * <p><b>Resumable uploads</b> (draft-ietf-httpbis-resumable-upload, reference §3), as the system
 * does them and the extension never sees: before the first transfer to an origin the system sends
 * an {@code OPTIONS} preflight and caches the answer for the run ({@code transfer.preflight}): 200
 * with {@code Upload-Limit} means resumable, 501 (or anything else) plain uploads. To a resumable
 * origin (and a resource within its {@code max-size}) every upload carries
 * {@code Upload-Incomplete: ?0}, and the server's {@code 104 Upload Resumption Supported} arrives
 * one round trip after the request starts. A {@code network.drop} after that 104 does not fail
 * the job: the system asks the upload resource for its offset (one round trip) and sends the rest
 * ({@code transfer.resumed}, with the offset), and the job ends with the server's answer. A drop
 * before the 104, or any drop to a plain origin, fails the job as before. (upcert decides: the
 * preflight costs no virtual time and no fault reaches it; the resumption's offset request and
 * append are charged in time but not sent to the stub, which receives the whole body once.)
 */
public final class Uploader implements JobStore.Listener {

    /** Told when the last transfer ended and nothing is queued. */
    public interface IdleListener {
        void uploaderIdle();
    }

    private final VirtualClock clock;
    private final EventQueue events;
    private final JobStore store;
    private final RequestTransport transport;
    private final Payloads payloads;
    private final SystemPolicy policy;
    private final DeviceConditions conditions;
    private final DestinationPolicy destinations;
    private final Trace trace;
    private final LinkedHashSet<JobRecord> queued = new LinkedHashSet<>();
    private final TreeMap<String, EventQueue.Event> inFlight = new TreeMap<>();
    private IntPredicate held = activation -> false;
    private RequestFaults faults = RequestFaults.NONE;
    private org.upcert.harness.library.SimulatedLibrary library;
    private final TreeMap<String, RequestFaults.Fate> fates = new TreeMap<>();
    /** When each transfer's request reaches the server (its headers): what the stub authenticates at. */
    private final TreeMap<String, Long> requestStarts = new TreeMap<>();
    private ServerClock serverClock;
    /** Transfers whose original failed to come down from iCloud ({@code icloud.download}). */
    private final java.util.TreeSet<String> iCloudFailed = new java.util.TreeSet<>();
    /**
     * Jobs of one resource in a row that ended without bringing it to the cloud, with nothing in
     * the plan to explain it, before the run ends ({@code run.cut} budget {@code churn}): a failure
     * the cloud gave on its own (no planned fault on the request: a 404, a stale URL's 403, a 204
     * counted as failure) or a success for a resource the device had already seen succeed. A
     * planned fault (a drop, a lost response, an injected 5xx or 429, a timeout, a failed iCloud
     * download), a deleted asset, the resource's first seen success or a change of server ({@link #serverChanged}) starts the count again. The sample's most is 5 (every
     * standard profile, both clouds); RTY-02 calls an attempt after 20 refusals in a row a loop,
     * so the rule has its evidence before the cut.
     */
    public static final int CHURN_IN_A_ROW = 30;
    private final TreeMap<String, Integer> futileInARow = new TreeMap<>();
    private final java.util.TreeSet<String> seenSucceeded = new java.util.TreeSet<>();
    private String churning;
    private IdleListener idleListener = () -> { };
    private org.upcert.harness.cloud.CloudInventory inventory;
    private org.upcert.harness.cloud.CloudInventory otherInventory;
    private long bytesDeclared;
    private long bytesSent;
    private long transfers;
    private long blocked;
    /** Per origin, the preflight's answer: the {@code Upload-Limit} max-size if resumable, -1 if not. */
    private final TreeMap<String, Long> resumableLimit = new TreeMap<>();
    /** Jobs whose transfer was cut after the 104 and resumed: the byte offset and the virtual time of the cut. */
    private final TreeMap<String, long[]> resumed = new TreeMap<>();
    /** The request header of an upload to a resumable origin (the draft's interop version of iOS 17). */
    static final String UPLOAD_INCOMPLETE = "Upload-Incomplete";

    public Uploader(VirtualClock clock, EventQueue events, JobStore store, RequestTransport transport, Payloads payloads,
            SystemPolicy policy, DeviceConditions conditions, DestinationPolicy destinations, Trace trace) {
        this.clock = clock;
        this.events = events;
        this.store = store;
        this.transport = transport;
        this.payloads = payloads;
        this.policy = policy;
        this.conditions = conditions;
        this.destinations = destinations;
        this.trace = trace;
    }

    /** Jobs registered in an activation for which this is true wait (the call is still running). */
    public void holdWhile(IntPredicate activationStillRunning) {
        this.held = activationStillRunning;
    }

    /** The fault engine to consult for each transfer, and the library (deleted and offloaded assets). */
    public void setFaults(RequestFaults requestFaults, org.upcert.harness.library.SimulatedLibrary lib) {
        this.faults = requestFaults;
        this.library = lib;
    }

    /**
     * The cloud's inventory: when a transfer is refused, the stub's reason (the newest refusal
     * recorded while the request was served) goes into the {@code job.failed} line.
     */
    public void setInventory(org.upcert.harness.cloud.CloudInventory cloudInventory) {
        this.inventory = cloudInventory;
    }

    /**
     * A second server's inventory (host.server): a refusal recorded there gives its reason too
     * (a job created for the old server is refused by it after the change).
     */
    public void addInventory(org.upcert.harness.cloud.CloudInventory cloudInventory) {
        this.otherInventory = cloudInventory;
    }

    /** The clock the cloud stub reads: a transfer's request is authenticated at its start, not at its end. */
    public void setServerClock(ServerClock clock) {
        this.serverClock = clock;
    }

    public void setIdleListener(IdleListener listener) {
        this.idleListener = listener;
    }

    public boolean isIdle() {
        return queued.isEmpty() && inFlight.isEmpty();
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    /** Transfers refused because their destination lies outside {@code uploadUrlBase} ({@code transfer.blocked}). */
    public long blockedTransfers() {
        return blocked;
    }

    public long transfers() {
        return transfers;
    }

    public long bytesDeclared() {
        return bytesDeclared;
    }

    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public void registered(JobRecord job) {
        queued.add(job);
    }

    @Override
    public void cancelled(JobRecord job) {
        queued.remove(job);
        EventQueue.Event transfer = inFlight.remove(job.id());
        requestStarts.remove(job.id());
        fates.remove(job.id());
        iCloudFailed.remove(job.id());
        resumed.remove(job.id());
        if (transfer != null) {
            transfer.cancel();
            trace.at(clock.now(), "transfer.aborted").str("job", job.id()).str("reason", "cancelled").end();
            pump();
        }
    }

    /** Starts as many queued transfers as slots and conditions allow. */
    public void pump() {
        if (conditions.withheldBecause(policy).isPresent()) {
            return;
        }
        Iterator<JobRecord> it = queued.iterator();
        while (inFlight.size() < policy.transferSlots() && it.hasNext()) {
            JobRecord job = it.next();
            if (held.test(job.registeredInActivation())) {
                continue;
            }
            it.remove();
            start(job);
        }
    }

    /** The network went away: every transfer in flight fails as the device reports it. */
    public void networkLost() {
        failInFlight(UploadError.transport(UploadError.NOT_CONNECTED_TO_INTERNET, "the Internet connection appears to be offline"));
    }

    /** Only an expensive network is left and the options forbid it: transfers in flight fail. */
    public void expensiveOnly() {
        failInFlight(UploadError.transport(UploadError.DATA_NOT_ALLOWED, "only an expensive network is available"));
    }

    private void failInFlight(UploadError error) {
        List<String> ids = new ArrayList<>(inFlight.keySet());
        for (String id : ids) {
            EventQueue.Event transfer = inFlight.remove(id);
            requestStarts.remove(id);
            transfer.cancel();
            fates.remove(id);
            iCloudFailed.remove(id);
            resumed.remove(id);
            store.find(id).ifPresent(job -> store.markFailed(job, error, null));
        }
        if (!ids.isEmpty() && isIdle()) {
            idleListener.uploaderIdle();
        }
    }

    private void start(JobRecord job) {
        store.markPending(job);
        if (job.type() == JobType.DOWNLOAD_ONLY) {
            startDownload(job);
            return;
        }
        long size = job.resource().fileSize();
        var refusal = destinations.refusal(job.destination().url());
        long duration;
        if (refusal.isPresent() || resourceGone(job)) {
            duration = conditions.latencyMs(policy);
        } else {
            if (offloaded(job) && faults.iCloudDownloadFails(clock.now())) {
                // The original never came down from iCloud: the job fails before anything is sent.
                duration = conditions.latencyMs(policy) + iCloudDownloadMillis(job) / 2;
                iCloudFailed.add(job.id());
                trace.at(clock.now(), "transfer.start").str("job", job.id()).num("size", size).num("ms", duration).end();
                inFlight.put(job.id(), events.schedule(clock.now() + duration, "transfer " + job.id(), () -> complete(job)));
                return;
            }
            boolean resumable = resumable(job); // the first transfer to an origin preflights it
            RequestFaults.Fate fate = faults.decide("transfer", clock.now());
            duration = transferMillis(size) + iCloudDownloadMillis(job);
            if (fate instanceof RequestFaults.Fate.Drop drop && drop.afterBytes() < size) {
                long cut = conditions.latencyMs(policy) + transferMillis(drop.afterBytes()) - 2 * conditions.latencyMs(policy);
                duration = cut;
                // The 104 comes back one round trip after the request starts: a cut after it resumes.
                if (resumable && cut >= 2 * conditions.latencyMs(policy)) {
                    duration = cut + 2 * conditions.latencyMs(policy) + transferMillis(size - drop.afterBytes());
                    resumed.put(job.id(), new long[] {drop.afterBytes(), clock.now() + cut});
                    fate = RequestFaults.Fate.NORMAL;
                }
            } else if (fate instanceof RequestFaults.Fate.Slow slow) {
                duration = slow.delayMs() >= REQUEST_TIMEOUT_MS ? REQUEST_TIMEOUT_MS + duration : duration + slow.delayMs();
            }
            if (!(fate instanceof RequestFaults.Fate.Normal)
                    && !(fate instanceof RequestFaults.Fate.Drop drop && drop.afterBytes() >= size)) {
                fates.put(job.id(), fate);
            }
            // the original comes down from iCloud first; the request's headers then take one latency
            requestStarts.put(job.id(), clock.now() + iCloudDownloadMillis(job) + conditions.latencyMs(policy));
        }
        trace.at(clock.now(), "transfer.start").str("job", job.id()).num("size", size).num("ms", duration).end();
        EventQueue.Event done = events.schedule(clock.now() + duration, "transfer " + job.id(), () -> complete(job));
        inFlight.put(job.id(), done);
    }

    /**
     * A download-only job: no HTTP request, no destination. An offloaded original comes down from
     * iCloud (its download time; an {@code icloud.download} fault fails it halfway, as it fails an
     * upload's download); an original already on the device takes one latency (upcert decides:
     * the system only confirms it). Traced {@code transfer.start} with {@code type}.
     */
    private void startDownload(JobRecord job) {
        long duration = conditions.latencyMs(policy);
        if (!resourceGone(job) && offloaded(job)) {
            if (faults.iCloudDownloadFails(clock.now())) {
                duration += iCloudDownloadMillis(job) / 2;
                iCloudFailed.add(job.id());
            } else {
                duration += iCloudDownloadMillis(job);
            }
        }
        trace.at(clock.now(), "transfer.start").str("job", job.id()).num("size", job.resource().fileSize()).num("ms", duration)
                .str("type", JobType.DOWNLOAD_ONLY.name()).end();
        inFlight.put(job.id(), events.schedule(clock.now() + duration, "download " + job.id(), () -> complete(job)));
    }

    /**
     * The end of a download-only job: failed with the same sanitized errors an upload's download
     * gets (the original could not come down from iCloud, the asset is gone), or succeeded; an
     * offloaded original's copy then stays on the device for
     * {@link org.upcert.harness.library.SimulatedLibrary#LOCAL_COPY_MS} ({@code resource.local}),
     * so an upload of the resource in that time skips the iCloud download. Nothing reaches the
     * cloud; the resource's cloud inventory is untouched.
     */
    private void completeDownload(JobRecord job) {
        if (iCloudFailed.remove(job.id())) {
            store.markFailed(job, UploadError.transport(UploadError.RESOURCE_UNAVAILABLE,
                    "the original could not be downloaded from iCloud"), null);
        } else if (resourceGone(job)) {
            store.markFailed(job, UploadError.transport(UploadError.FILE_DOES_NOT_EXIST,
                    "the resource no longer exists"), null);
        } else {
            if (offloaded(job)) {
                long until = clock.now() + org.upcert.harness.library.SimulatedLibrary.LOCAL_COPY_MS;
                library.keepLocalCopy(job.resource(), until);
                trace.at(clock.now(), "resource.local").str("job", job.id()).str("resource", job.resource().key())
                        .num("until", until).end();
            }
            store.markDownloaded(job);
        }
    }

    /**
     * Whether {@code job}'s upload goes to a resumable origin within its limit; the first transfer
     * to an origin sends the preflight ({@code OPTIONS}) and caches its answer for the run.
     */
    private boolean resumable(JobRecord job) {
        java.net.URI url = job.destination().url();
        String origin = url.getScheme() + "://" + url.getRawAuthority();
        Long limit = resumableLimit.get(origin);
        if (limit == null) {
            limit = -1L;
            int status = 0;
            try {
                RequestTransport.Exchange answer = transport.send(new org.upcert.api.UploadRequest(url, "OPTIONS",
                        new TreeMap<>()), new byte[0], java.util.Map.of(), clock.now());
                status = answer.status();
                String uploadLimit = answer.headers().getOrDefault("upload-limit", "");
                java.util.regex.Matcher max = java.util.regex.Pattern.compile("max-size=(\\d+)").matcher(uploadLimit);
                if (status == 200) {
                    limit = max.find() ? Long.parseLong(max.group(1)) : Long.MAX_VALUE;
                }
            } catch (RequestTransport.Failure e) {
                limit = -1L; // no answer: plain uploads
            }
            resumableLimit.put(origin, limit);
            trace.at(clock.now(), "transfer.preflight").url("url", url).num("status", status).bool("resumable", limit >= 0).end();
        }
        return limit >= 0 && job.resource().fileSize() <= limit;
    }

    /** A request unanswered for this long times out (URLSession's default request timeout is 60 s). */
    static final long REQUEST_TIMEOUT_MS = 60_000;

    /** Offloaded originals come down from iCloud first, at 100 Mbit/s. */
    private long iCloudDownloadMillis(JobRecord job) {
        return offloaded(job) ? org.upcert.harness.host.DeviceCosts.iCloudDownloadMillis(job.resource().fileSize()) : 0;
    }

    /** The original must come down from iCloud now: offloaded, and no download-only job's copy of it is still here. */
    private boolean offloaded(JobRecord job) {
        return library != null && library.needsICloudDownload(job.resource(), clock.now());
    }

    private boolean resourceGone(JobRecord job) {
        return library != null && library.asset(job.resource().assetLocalIdentifier()).isEmpty();
    }

    /** Two latencies plus the declared bytes over this slot's share of the uplink. */
    long transferMillis(long bytes) {
        long bitsPerSecondPerSlot = conditions.uplinkKbps(policy) * 1000 / policy.transferSlots();
        return 2 * conditions.latencyMs(policy) + Math.max(1, (bytes * 8 * 1000) / Math.max(1, bitsPerSecondPerSlot));
    }

    private void complete(JobRecord job) {
        inFlight.remove(job.id());
        Long requestStart = requestStarts.remove(job.id());
        if (job.state() != JobState.PENDING || job.acknowledged()) {
            throw new IllegalStateException("simulator bug: transfer completed for " + job.id() + " in " + job.state());
        }
        if (job.type() == JobType.DOWNLOAD_ONLY) {
            completeDownload(job);
            pump();
            if (isIdle()) {
                idleListener.uploaderIdle();
            }
            return;
        }
        var refusal = destinations.refusal(job.destination().url());
        RequestFaults.Fate fate = fates.remove(job.id());
        if (iCloudFailed.remove(job.id())) {
            explained(job); // a planned icloud.download fault
            store.markFailed(job, UploadError.transport(UploadError.RESOURCE_UNAVAILABLE,
                    "the original could not be downloaded from iCloud"), null);
        } else if (refusal.isPresent()) {
            blocked++;
            trace.at(clock.now(), "transfer.blocked").str("job", job.id()).url("url", job.destination().url())
                    .str("reason", refusal.get()).end();
            store.markFailed(job, UploadError.transport(UploadError.BLOCKED_BY_POLICY,
                    "destination not allowed by BackgroundUploadURLBase"), null);
        } else if (resourceGone(job)) {
            explained(job);
            store.markFailed(job, UploadError.transport(UploadError.FILE_DOES_NOT_EXIST,
                    "the resource no longer exists"), null);
        } else if (fate instanceof RequestFaults.Fate.Drop) {
            explained(job);
            store.markFailed(job, UploadError.transport(UploadError.NETWORK_CONNECTION_LOST,
                    "the network connection was lost"), null);
        } else if (fate instanceof RequestFaults.Fate.Slow slow && slow.delayMs() >= REQUEST_TIMEOUT_MS) {
            explained(job);
            store.markFailed(job, UploadError.transport(UploadError.TIMED_OUT, "the request timed out"), null);
        } else {
            long[] resumption = resumed.remove(job.id());
            if (resumption != null) {
                trace.at(clock.now(), "transfer.resumed").str("job", job.id()).num("offset", resumption[0])
                        .num("cutAt", resumption[1]).end();
            }
            send(job, fate, requestStart == null ? clock.now() : Math.min(requestStart, clock.now()));
        }
        pump();
        if (isIdle()) {
            idleListener.uploaderIdle();
        }
    }

    private void explained(JobRecord job) {
        futileInARow.remove(job.resource().key());
    }

    /**
     * The account moved to another server (a planned {@code host.server}): every resource starts
     * its count again. After a move an extension must send what the new server may lack, and it
     * cannot see what that server holds (on iOS 26.1 not even whether a failed job's answer was a
     * 204): re-sending is no churn of its own. explore:1358 (the sample, eight moves in 66 min at
     * iOS 26.1 with 204 counted as failure) was cut as churning and judged unconverged on four rules.
     */
    public void serverChanged() {
        futileInARow.clear();
    }

    private void futile(JobRecord job) {
        String key = job.resource().key();
        if (futileInARow.merge(key, 1, Integer::sum) >= CHURN_IN_A_ROW && churning == null) {
            churning = key;
        }
    }

    /**
     * The first resource whose jobs ended {@link #CHURN_IN_A_ROW} times in a row without bringing
     * it to the cloud and with nothing planned to explain it, or null.
     */
    public String churning() {
        return churning;
    }

    /** The stub's reason for the newest refusal after the first {@code before}; null if none. */
    private String refusalSince(int before, int otherBefore) {
        if (otherInventory != null && otherInventory.refusalCount() > otherBefore) {
            return otherInventory.refusal(otherInventory.refusalCount() - 1).reason();
        }
        if (inventory == null) {
            return null;
        }
        int count = inventory.refusalCount();
        return count > before ? inventory.refusal(count - 1).reason() : null;
    }

    private void send(JobRecord job, RequestFaults.Fate fate, long requestStart) {
        byte[] body = payloads.bytesToSend(job.resource());
        transfers++;
        bytesDeclared += job.resource().fileSize();
        bytesSent += body.length;
        TreeMap<String, String> extra = new TreeMap<>();
        if (payloads.mode() == org.upcert.harness.plan.PayloadMode.COMPACT) {
            extra.put(CloudDialect.DECLARED_LENGTH_HEADER, Long.toString(job.resource().fileSize()));
        }
        String injection = RequestFaults.injection(fate);
        if (injection != null) {
            extra.put(RequestFaults.INJECT_HEADER, injection);
        }
        if (resumable(job)) {
            extra.put(UPLOAD_INCOMPLETE, "?0"); // the draft's marker: this request carries the whole upload
        }
        int refusalsBefore = inventory == null ? 0 : inventory.refusalCount();
        int otherRefusalsBefore = otherInventory == null ? 0 : otherInventory.refusalCount();
        try {
            RequestTransport.Exchange exchange = serverClock == null
                    ? transport.send(job.destination(), body, extra, clock.now(), injection == null)
                    : serverClock.at(requestStart, () -> transport.send(job.destination(), body, extra, clock.now(), injection == null));
            if (fate instanceof RequestFaults.Fate.ResponseLost) {
                // The server handled it; the answer never came back. The device sees a lost connection;
                // the trace keeps what the server answered (lostStatus), for the checkers.
                explained(job);
                store.markResponseLost(job, UploadError.transport(UploadError.NETWORK_CONNECTION_LOST,
                        "the network connection was lost"), exchange.status());
                return;
            }
            int status = exchange.status();
            boolean success = status >= 200 && status < 300 && !(status == 204 && policy.count204AsFailure());
            if (success) {
                if (seenSucceeded.add(job.resource().key())) {
                    explained(job); // its first success: progress
                } else {
                    futile(job); // the device had seen it succeed already
                }
                store.markSucceeded(job, status, exchange.headers());
            } else {
                if (injection == null) {
                    futile(job); // the cloud refused it on its own
                } else {
                    explained(job);
                }
                store.markFailed(job, UploadError.httpStatus(status), exchange.headers(), refusalSince(refusalsBefore, otherRefusalsBefore));
            }
        } catch (RequestTransport.Failure failure) {
            explained(job);
            store.markFailed(job, failure.error(), null);
        }
    }
}
