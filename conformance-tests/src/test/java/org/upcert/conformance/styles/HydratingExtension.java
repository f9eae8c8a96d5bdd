package org.upcert.conformance.styles;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeOutcome;
import org.upcert.api.ChangeToken;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.JobChangeBlock;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.StorageUnavailableException;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.conformance.mutants.SampleMutant;
import org.upcert.sample.SampleUploadExtension;

/**
 * A correct extension in the <em>hydrating</em> style (NeutrinoDrive, reference §10): before an
 * original is uploaded it is brought onto the device by a download-only job
 * ({@code creationRequestForDownloadJob(resource:)}, iOS 26.4), and only after that job succeeded
 * does the resource get its upload job — here from the sample, which does the uploading in every
 * cloud dialect. PhotoKit gives an extension no "is this original offloaded?" flag, so every
 * original is hydrated first; a local one's download-only job succeeds after one round trip, an
 * offloaded one's after its iCloud download, and the upload that follows within the purge delay
 * skips that download.
 *
 * <p>The hydration layer sits between the sample and the system:
 * <ul>
 *   <li>it owns the download-only jobs: each call it records their outcomes in its own log
 *       ({@value #LOG}) and acknowledges them (ACK-01, ACK-02), retrying a failed one once;
 *       a failed retry releases the resource anyway (the upload job then fetches the original
 *       itself: hydration is an optimisation, never a condition for the upload);
 *   <li>the sample sees no download-only job ({@code fetchJobs} filters them by {@code type},
 *       checked only from iOS 26.4), a job limit less the download-only jobs outstanding, and
 *       only the assets whose every original is hydrated: the layer learns of the others from
 *       the sample's own reads of the library and creates their download-only jobs after the
 *       sample returns (never after a LIMIT_EXCEEDED in the call: CAP-01);
 *   <li>when assets are released to the sample, its next read of the change history is answered
 *       "token expired", so it rescans the library (its CHG-01 path) and finds them;
 *   <li>a resource never gets a second download-only job (DUP-01): one whose job a kill left
 *       unknown is released after {@link #UNKNOWN_WAIT}, or at once where the PROCESS set (26.5)
 *       shows it is not in flight;
 *   <li>released assets the sample was not yet told of, after a scan that found nothing, are asked
 *       for by a targeted fetch; when it returns none of them (the library emptied by deletions) they
 *       are GONE, nothing to announce, until a fetch or scan shows them again (explore:727);
 *   <li>each call it looks up every resource still to hydrate (not only as many as it has room for jobs: a library
 *       emptied by deletions released two a call, explore:2432) and releases the ones the lookup does not return as
 *       gone, when it returned some (the library answered) or when a lookup of an earlier call returned none of them
 *       either: one lookup that returns nothing cannot tell an emptied library from one that did not answer
 *       ({@code library.flaky}, explore:1689).
 * </ul>
 * Below iOS 26.4 download-only jobs do not exist: a run that starts there never hydrates (the
 * choice is stored at the first call, so an OS upgrade mid-run does not hide from the sample
 * assets it already knows).
 */
public class HydratingExtension implements UploadExtension {
    static final String LOG = "hydrating/ledger.log";
    static final String MODE = "hydrating/mode.txt";
    static final String ANNOUNCED = "hydrating/announced.txt";
    /** A download-only job the log names but no fetch shows is given up on (released) after this long. */
    static final Duration UNKNOWN_WAIT = Duration.ofMinutes(20);
    private static final int DOWNLOADS_PER_CALL = 20;
    /** At most this many resources still to hydrate are looked up per call to make their download-only jobs (the gone among them released). */
    private static final int LOOKED_AT_PER_CALL = 500;

    /**
     * A resource's hydration: known, a job asked for (id once known), or done (released to the sample); GONE: no fetch
     * found its asset (hydrated anew if the library shows it again); FORGOTTEN: released, then no fetch found its asset
     * (released again, READY, if the library shows it again: the sample may already hold it).
     */
    public enum State { NEW, ASKED, DOWNLOADING, READY, UPLOADED, GONE, FORGOTTEN }

    record Entry(State state, String job, long at) {
    }

    private final SampleUploadExtension sample = new SampleUploadExtension();
    private volatile boolean stopping;
    private TreeMap<String, Entry> ledger;
    private Boolean hydrating;
    private int announced = -1;
    /** Resources to hydrate a lookup of an earlier call of this process found none of: gone if a later one finds none either. */
    private final TreeSet<String> unanswered = new TreeSet<>();

    @Override
    public void willTerminate() {
        stopping = true;
        if (passesTheNotice()) {
            sample.willTerminate();
        }
    }

    /** Whether the layer tells the sample of a termination notice (at once, and again at its first library read). */
    protected boolean passesTheNotice() {
        return true;
    }

    /** Whether a scan that found no asset (the library not answering, or empty) counts as the sample having seen the released assets. */
    protected boolean announcesOnAnEmptyScan() {
        return false;
    }

    /**
     * Whether the layer writes down that released assets were announced at the sample's scan itself, before the sample
     * has recorded what the scan showed (a kill in between hides them from the sample for good).
     */
    protected boolean recordsTheAnnouncementAtTheScan() {
        return false;
    }

    /**
     * Whether assets found gone when their download-only jobs are to be made count against the jobs' room (the twin): the
     * layer as it was before explore:2432, which also trusted every lookup that found nothing ({@link #trustsOneEmptyLookup}).
     */
    protected boolean goneAssetsTakeTheRoom() {
        return false;
    }

    /**
     * Whether one lookup that finds none of the resources to hydrate releases them all as gone at once (the twins): a
     * library that emptied and one that did not answer in this call ({@code library.flaky}) look the same to it.
     */
    protected boolean trustsOneEmptyLookup() {
        return false;
    }

    /**
     * Whether a released resource that no fetch found (GONE) goes back to NEW when the library shows it again (the
     * twin): hydrated anew and hidden from the sample meanwhile, though the sample may already hold it.
     */
    protected boolean forgottenReleasesComeBackNew() {
        return false;
    }

    /**
     * Whether forgetting a released asset makes its resources not released GONE as well (the twin, this fix's first
     * draft): one downloading loses its job, comes back NEW and gets a second download-only job (DUP-01, explore:3169).
     */
    protected boolean forgetsTheAssetsDownloads() {
        return false;
    }

    /** Whether this OS level has download-only jobs. */
    protected boolean downloadJobsExist(ExtensionContext context) {
        return context.osAtLeast("26.4");
    }

    /** What a download-only job's success makes of its resource: hydrated, released to the sample for upload. */
    protected State afterDownload() {
        return State.READY;
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        stopping = false;
        try {
            return round(context);
        } catch (StorageUnavailableException locked) {
            // Protected app-group files before the first unlock, or the host app's file lock: touch
            // nothing more, as the sample does; the system calls again later.
            context.log().warn("app group unavailable: " + locked.getMessage());
            return ProcessingResult.FAILURE;
        } catch (RuntimeException unexpected) {
            context.log().error("unexpected: " + unexpected);
            ledger = null; // read again from storage next call
            return ProcessingResult.FAILURE;
        }
    }

    private ProcessingResult round(ExtensionContext context) {
        if (hydrating == null) {
            String mode = context.storage().readString(MODE).map(String::strip).orElse("");
            if (mode.isEmpty()) {
                mode = downloadJobsExist(context) ? "on" : "off";
                context.storage().writeString(MODE, mode);
            }
            hydrating = mode.equals("on");
        }
        if (!hydrating) {
            return sample.processJobs(context);
        }
        if (ledger == null) {
            ledger = load(context.storage());
            announced = context.storage().readString(ANNOUNCED).map(String::strip).filter(s -> !s.isEmpty())
                    .map(Integer::parseInt).orElse(0);
        }
        long now = context.clock().millis();
        PhotoLibrary real = context.library();
        boolean consent = real.authorizationStatus() == AuthorizationStatus.AUTHORIZED && real.isUploadJobExtensionEnabled();

        settleDownloads(context, now);
        if (consent && !stopping) {
            findTheGoneAgain(context);
        }
        Layer layer = new Layer(real, context);
        ProcessingResult answer = sample.processJobs(layer.context());
        if (layer.announcementToRecord) {
            context.storage().writeString(ANNOUNCED, Integer.toString(announced)); // the sample has kept what its scan showed
        }
        if (consent && !stopping && !layer.limitExceeded) {
            createDownloads(context, now);
        }
        if (consent && !stopping && layer.scanFoundNothing && releasedAssets() > announced) {
            forgetReleasesNoFetchFinds(context, now);
        }
        boolean hydrationLeft = hydrationLeft() || releasedAssets() > announced;
        // While assets are held back, the sample may read the library as not answering (a scan with
        // nothing, inserted assets that come back as nothing) and answer FAILURE; the layer knows
        // better: the library answered, and downloads are under way.
        return hydrationLeft ? ProcessingResult.PROCESSING : answer;
    }

    /** Records and acknowledges finished download-only jobs (retrying a first failure once); resolves unknown ones. */
    private void settleDownloads(ExtensionContext context, long now) {
        PhotoLibrary library = context.library();
        TreeMap<String, String> keyOfJob = new TreeMap<>();
        ledger.forEach((key, entry) -> {
            if (entry.job() != null) {
                keyOfJob.put(entry.job(), key);
            }
        });
        TreeSet<String> retryable = new TreeSet<>();
        for (UploadJob job : library.fetchJobs(JobAction.RETRY)) {
            if (job.type() == JobType.DOWNLOAD_ONLY) {
                retryable.add(job.localIdentifier());
            }
        }
        List<UploadJob> acknowledge = new ArrayList<>();
        List<UploadJob> retry = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        TreeSet<String> seen = new TreeSet<>();
        for (UploadJob job : library.fetchJobs(JobAction.ACKNOWLEDGE)) {
            if (job.type() != JobType.DOWNLOAD_ONLY) {
                continue; // the sample's
            }
            String key = keyOfJob.get(job.localIdentifier());
            if (key == null) {
                key = job.resource().map(AssetResource::key).orElse(null);
            }
            if (key != null) {
                seen.add(key);
            }
            if (job.state() == JobState.FAILED && retryable.contains(job.localIdentifier())) {
                retry.add(job); // -1008: iCloud did not deliver this time; once more
                continue;
            }
            acknowledge.add(job);
            if (key != null) {
                State next = job.state() == JobState.SUCCEEDED ? afterDownload() : State.READY;
                put(key, new Entry(next, null, now), lines);
            }
        }
        // Jobs a kill left unknown: released where the PROCESS set says they are not in flight, else after a wait.
        TreeSet<String> inFlight = null;
        if (context.osAtLeast("26.5")) {
            inFlight = new TreeSet<>();
            for (UploadJob job : library.fetchJobs(JobAction.PROCESS)) {
                if (job.type() == JobType.DOWNLOAD_ONLY) {
                    inFlight.add(job.localIdentifier());
                }
            }
        }
        for (Map.Entry<String, Entry> e : new ArrayList<>(ledger.entrySet())) {
            Entry entry = e.getValue();
            boolean open = entry.state() == State.ASKED || entry.state() == State.DOWNLOADING;
            if (!open || seen.contains(e.getKey())) {
                continue;
            }
            boolean gone = inFlight != null ? entry.job() == null || !inFlight.contains(entry.job())
                    : now - entry.at() > UNKNOWN_WAIT.toMillis();
            if (gone) {
                put(e.getKey(), new Entry(State.READY, null, now), lines);
            }
        }
        if (lines.length() > 0) {
            context.storage().appendString(LOG, lines.toString()); // durable before the records disappear (ACK-03)
        }
        if (acknowledge.isEmpty() && retry.isEmpty()) {
            return;
        }
        try {
            library.performChanges(changes -> {
                retry.forEach(job -> changes.retry(job, null));
                acknowledge.forEach(changes::acknowledge);
            });
        } catch (PhotosException e) {
            context.log().warn("settling download-only jobs failed: " + e.getMessage());
        }
    }

    /**
     * Released assets the sample has not been told of, none of which a targeted fetch returns (explore:727:
     * the library emptied by deletions; a download-only job that succeeded before its asset went, or an
     * asset found gone when its job was to be made, was still released). No scan of an empty library can
     * announce them, and PROCESSING every 5 minutes for them moved nothing (RES-03). Asked only after a
     * scan in the call found nothing (else that scan announced them). A fetch that returns
     * none of the released assets (the library emptied, or not answering in this call) makes them GONE:
     * not released, nothing to announce; {@link #findTheGoneAgain} and every scan bring back any that
     * the library shows again. A fetch that returns some of them changes nothing: the library answered,
     * and the next scan announces them. {@link KeepsReleasesOfDeletedAssets} keeps them.
     *
     * <p>The released resources among them are FORGOTTEN, not GONE: the fetch asks for every released asset, those the
     * sample was told of too, and in a call whose library does not answer ({@code library.flaky}) it returns none of
     * them. Brought back as NEW, a present asset the sample held was hidden from it until hydrated again; a rescan of
     * the sample in between recorded it gone (and cancelled its job), and the count of announced assets no longer
     * made it rescan once the asset was released again: COMPLETED with 32 resources never uploaded (two flaky calls in
     * a row, the second releasing every resource to hydrate as gone, {@code hydrating-RES-01-two-flaky-calls.yaml};
     * twin {@link ForgottenReleasesComeBackNew}). A FORGOTTEN resource the library shows again is READY at once. Only
     * released resources are forgotten: the asset's others keep their state, a download-only job in flight its id
     * (explore:3169; twin {@link ForgetsTheAssetsDownloads}).
     */
    private void forgetReleasesNoFetchFinds(ExtensionContext context, long now) {
        if (!forgetsReleasesNoFetchFinds()) {
            return;
        }
        TreeSet<String> assets = new TreeSet<>();
        ledger.forEach((key, entry) -> {
            if (entry.state() == State.READY) {
                assets.add(AssetResource.Key.parse(key).assetLocalIdentifier());
            }
        });
        if (assets.isEmpty() || !context.library().fetchAssets(assets).isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, Entry> e : new ArrayList<>(ledger.entrySet())) {
            State state = e.getValue().state();
            if (!assets.contains(AssetResource.Key.parse(e.getKey()).assetLocalIdentifier())) {
                continue;
            }
            if (forgottenReleasesComeBackNew()) {
                if (state != State.GONE) { // the layer before: every resource of the asset, its jobs in flight too
                    put(e.getKey(), new Entry(State.GONE, null, now), lines);
                }
            } else if (state == State.READY) {
                put(e.getKey(), new Entry(State.FORGOTTEN, null, now), lines);
            } else if (forgetsTheAssetsDownloads() && state != State.GONE && state != State.FORGOTTEN) {
                put(e.getKey(), new Entry(State.GONE, null, now), lines);
            } // a resource of the asset not released keeps its state: one downloading keeps its job (DUP-01 on explore:3169)
        }
        context.storage().appendString(LOG, lines.toString());
        announced = Math.min(announced, releasedAssets());
        context.storage().writeString(ANNOUNCED, Integer.toString(announced));
    }

    /** Whether released assets no fetch finds are forgotten; {@link KeepsReleasesOfDeletedAssets} does not. */
    protected boolean forgetsReleasesNoFetchFinds() {
        return true;
    }

    /** GONE and FORGOTTEN assets a targeted fetch returns again (the library did not answer when they were forgotten). */
    private void findTheGoneAgain(ExtensionContext context) {
        TreeSet<String> assets = new TreeSet<>();
        ledger.forEach((key, entry) -> {
            if (entry.state() == State.GONE || entry.state() == State.FORGOTTEN) {
                assets.add(AssetResource.Key.parse(key).assetLocalIdentifier());
            }
        });
        if (!assets.isEmpty()) {
            learnAndFilter(context.library().fetchAssets(assets), context.storage());
        }
    }

    /** Download-only jobs that may exist: asked for (a kill may have hidden the commit) or downloading. */
    private long outstandingDownloads() {
        return ledger.values().stream().filter(e -> e.state() == State.ASKED || e.state() == State.DOWNLOADING).count();
    }

    private boolean hydrationLeft() {
        return ledger.values().stream().anyMatch(e -> e.state() == State.NEW || e.state() == State.ASKED
                || e.state() == State.DOWNLOADING);
    }

    /**
     * The share of the job limit kept for download-only jobs while hydration is left: half of it
     * (at least one). The sample is shown the rest, so the two together stay under the limit.
     */
    private static int downloadShare(int jobLimit) {
        return Math.max(1, (jobLimit + 1) / 2);
    }

    /** Creates download-only jobs for resources the layer learnt of; logged as asked before the block, with their ids after. */
    private void createDownloads(ExtensionContext context, long now) {
        long room = Math.min(DOWNLOADS_PER_CALL, downloadShare(context.library().jobLimit()) - outstandingDownloads());
        if (room <= 0) {
            return;
        }
        // The room is for jobs: what a fetch finds gone takes none of it. Looked at `room` at a time, a library emptied
        // by deletions released two gone assets a call and answered PROCESSING every 5 minutes with nothing moved
        // (RES-03 on explore:2432; twin GoneAssetsTakeTheRoom).
        long looked = goneAssetsTakeTheRoom() ? room : LOOKED_AT_PER_CALL;
        List<String> wanted = new ArrayList<>();
        for (Map.Entry<String, Entry> e : ledger.entrySet()) {
            if (e.getValue().state() == State.NEW && wanted.size() < looked) {
                wanted.add(e.getKey());
            }
        }
        if (wanted.isEmpty()) {
            return;
        }
        TreeMap<String, AssetResource> found = new TreeMap<>();
        TreeSet<String> assets = new TreeSet<>();
        wanted.forEach(key -> assets.add(AssetResource.Key.parse(key).assetLocalIdentifier()));
        for (Asset asset : context.library().fetchAssets(assets)) {
            for (AssetResource resource : asset.resources()) {
                if (wanted.contains(resource.key())) {
                    found.put(resource.key(), resource);
                }
            }
        }
        TreeMap<String, AssetResource> resources = new TreeMap<>();
        for (Map.Entry<String, AssetResource> e : found.entrySet()) {
            if (resources.size() < room) {
                resources.put(e.getKey(), e.getValue());
            }
        }
        // A lookup that found none of them: the library emptied (deletions), or did not answer in this call (a flaky
        // fetchAssets returns nothing). Released as gone only when a lookup of an earlier call found none of them either;
        // the others wait a call (explore:1689: released at once, a flaky call's present assets went GONE, hidden from
        // the sample, and it answered COMPLETED with 44 of them never uploaded). One that found some answered.
        boolean answered = !found.isEmpty() || trustsOneEmptyLookup() || goneAssetsTakeTheRoom();
        StringBuilder asked = new StringBuilder();
        for (String key : wanted) {
            if (resources.containsKey(key)) {
                put(key, new Entry(State.ASKED, null, now), asked);
            } else if (!found.containsKey(key) && (answered || unanswered.contains(key))) {
                // an asset gone since: nothing to hydrate; released (the sample learns of the deletion)
                put(key, new Entry(State.READY, null, now), asked);
            } // found beyond the room, or not found by the first lookup that found nothing: stays NEW, asked for again
        }
        unanswered.clear();
        if (!answered) {
            wanted.stream().filter(key -> ledger.get(key).state() == State.NEW).forEach(unanswered::add);
        }
        context.storage().appendString(LOG, asked.toString());
        if (resources.isEmpty()) {
            return;
        }
        TreeMap<String, String> ids = new TreeMap<>();
        try {
            context.library().performChanges(changes -> {
                for (AssetResource resource : resources.values()) {
                    ids.put(resource.key(), changes.createDownloadJob(resource));
                }
            });
        } catch (PhotosException e) {
            // nothing of the block happened (LIMIT_EXCEEDED, consent withdrawn): asked again later
            StringBuilder undo = new StringBuilder();
            resources.keySet().forEach(key -> put(key, new Entry(State.NEW, null, now), undo));
            context.storage().appendString(LOG, undo.toString());
            return;
        }
        StringBuilder done = new StringBuilder();
        ids.forEach((key, id) -> put(key, new Entry(State.DOWNLOADING, id, now), done));
        context.storage().appendString(LOG, done.toString());
    }

    private void put(String key, Entry entry, StringBuilder lines) {
        ledger.put(key, entry);
        lines.append(key).append('\t').append(entry.state()).append('\t').append(entry.job() == null ? "-" : entry.job())
                .append('\t').append(entry.at()).append('\n');
    }

    /** Assets whose every original is hydrated, counted once the library's resources are known. */
    private int releasedAssets() {
        TreeMap<String, Boolean> ready = new TreeMap<>();
        ledger.forEach((key, entry) -> ready.merge(AssetResource.Key.parse(key).assetLocalIdentifier(),
                entry.state() == State.READY, Boolean::logicalAnd));
        return (int) ready.values().stream().filter(Boolean::booleanValue).count();
    }

    private boolean released(Asset asset) {
        for (AssetResource resource : asset.resources()) {
            Entry entry = ledger.get(resource.key());
            if (entry == null || entry.state() != State.READY) {
                return false;
            }
        }
        return true;
    }

    /** Learns of assets' resources (new ones need hydrating) and keeps those not yet released from the sample. */
    private List<Asset> learnAndFilter(List<Asset> assets, AppGroupStorage storage) {
        StringBuilder lines = new StringBuilder();
        List<Asset> shown = new ArrayList<>();
        for (Asset asset : assets) {
            for (AssetResource resource : asset.resources()) {
                Entry known = ledger.get(resource.key());
                if (known == null || known.state() == State.GONE) { // GONE: the library shows it again
                    put(resource.key(), new Entry(State.NEW, null, 0), lines);
                } else if (known.state() == State.FORGOTTEN) { // released before: released again, not hidden
                    put(resource.key(), new Entry(State.READY, null, 0), lines);
                }
            }
            if (released(asset)) {
                shown.add(asset);
            }
        }
        if (lines.length() > 0) {
            storage.appendString(LOG, lines.toString());
        }
        return shown;
    }

    /**
     * A notice that came while the layer worked, before the sample's call began: the sample clears
     * its flag at the start of each call, so the notice is passed on at its first library read.
     */
    private void passNotice() {
        if (stopping && passesTheNotice()) {
            sample.willTerminate();
        }
    }

    /** The library and context the sample sees. */
    private final class Layer {
        private final PhotoLibrary real;
        private final ExtensionContext context;
        boolean limitExceeded;
        /** A scan in this call announced released assets: recorded once the sample's call returned. */
        boolean announcementToRecord;
        /** A scan in this call found no asset: the library emptied, or not answering. */
        boolean scanFoundNothing;

        Layer(PhotoLibrary real, ExtensionContext context) {
            this.real = real;
            this.context = context;
        }

        ExtensionContext context() {
            PhotoLibrary library = new SampleMutant.ForwardingLibrary(real) {
                @Override
                public List<Asset> fetchAssets() {
                    int releasedBefore = releasedAssets();
                    List<Asset> all = real.fetchAssets();
                    scanFoundNothing |= all.isEmpty();
                    List<Asset> shown = learnAndFilter(all, context.storage());
                    // Announced only by a scan that answered: PhotoKit's fetchAssets returns nothing at
                    // times (YAIIU #50), the sample trusts no empty scan, and this layer's "token
                    // expired" is said once per release; announced on an empty scan, the released
                    // assets were never seen by the sample, which kept its token and answered
                    // COMPLETED with them not uploaded (RES-01 on explore:218; twin AnnouncesOnAnEmptyScan).
                    // Written down once the sample's call has returned, not here: the sample records what the
                    // scan showed (its ledger, its change token) after this read, and a kill in between left the
                    // release recorded as announced with the sample never having kept it: no "token expired"
                    // again, COMPLETED with the released assets not uploaded (RES-01 on explore:1658; twin
                    // RecordsTheAnnouncementAtTheScan).
                    if (releasedBefore > announced && (!all.isEmpty() || announcesOnAnEmptyScan())
                            && real.authorizationStatus() == AuthorizationStatus.AUTHORIZED) {
                        announced = releasedBefore;
                        if (recordsTheAnnouncementAtTheScan()) {
                            context.storage().writeString(ANNOUNCED, Integer.toString(announced));
                        } else {
                            announcementToRecord = true;
                        }
                    }
                    return shown;
                }

                @Override
                public List<Asset> fetchAssets(Collection<String> localIdentifiers) {
                    return learnAndFilter(real.fetchAssets(localIdentifiers), context.storage());
                }

                @Override
                public List<PersistentChange> fetchPersistentChanges(ChangeToken token) throws PhotosException {
                    if (releasedAssets() > announced) {
                        // Assets hydrated since the sample last scanned: make it rescan to find them.
                        throw PhotosException.of(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED,
                                "assets were released by the hydration layer");
                    }
                    return real.fetchPersistentChanges(token);
                }

                @Override
                public int jobLimit() {
                    int limit = real.jobLimit();
                    long kept = hydrationLeft() ? Math.max(downloadShare(limit), outstandingDownloads()) : outstandingDownloads();
                    return (int) Math.max(1, limit - kept);
                }

                @Override
                public List<UploadJob> fetchJobs(JobAction action) {
                    passNotice();
                    List<UploadJob> uploads = new ArrayList<>();
                    for (UploadJob job : real.fetchJobs(action)) {
                        if (job.type() != JobType.DOWNLOAD_ONLY) {
                            uploads.add(job);
                        }
                    }
                    return uploads;
                }

                @Override
                public void performChanges(JobChangeBlock block) throws PhotosException {
                    performChangesAndReport(block);
                }

                @Override
                public ChangeOutcome performChangesAndReport(JobChangeBlock block) throws PhotosException {
                    passNotice();
                    try {
                        return real.performChangesAndReport(block);
                    } catch (PhotosException e) {
                        limitExceeded |= e.code() == PhotosErrorCode.LIMIT_EXCEEDED;
                        throw e;
                    }
                }
            };
            return new SampleMutant.ForwardingContext(context) {
                @Override
                public PhotoLibrary library() {
                    return library;
                }
            };
        }
    }

    /** The log, replayed: the last complete line of each key wins; a torn last line is ignored. */
    private static TreeMap<String, Entry> load(AppGroupStorage storage) {
        TreeMap<String, Entry> out = new TreeMap<>();
        String text = storage.readString(LOG).orElse("");
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return out;
        }
        for (String line : text.substring(0, end).split("\n")) {
            String[] f = line.split("\t");
            if (f.length != 4) {
                continue;
            }
            try {
                out.put(f[0], new Entry(State.valueOf(f[1]), f[2].equals("-") ? null : f[2], Long.parseLong(f[3])));
            } catch (IllegalArgumentException torn) {
                // skip it
            }
        }
        return out;
    }

    /**
     * Broken twin of explore:727: keeps released assets no fetch finds, so in a library emptied by deletions
     * the release it cannot announce keeps every call answering PROCESSING, five minutes apart (RES-03).
     */
    public static final class KeepsReleasesOfDeletedAssets extends HydratingExtension {
        @Override
        protected boolean forgetsReleasesNoFetchFinds() {
            return false;
        }
    }

    /**
     * Broken twin: counts a scan that found nothing as the sample having seen the released assets,
     * as this style did before exploring it. A flaky empty scan right after a release hides the
     * released assets from the sample for good: it answers COMPLETED with them not uploaded
     * (RES-01 on explore:218).
     */
    public static final class AnnouncesOnAnEmptyScan extends HydratingExtension {
        @Override
        protected boolean announcesOnAnEmptyScan() {
            return true;
        }

        // As the layer was at explore:218: with every gone asset released at once (explore:2432) the pinned profile's
        // flaky empty scan no longer meets a release, and this twin would pass it
        @Override
        protected boolean goneAssetsTakeTheRoom() {
            return true;
        }
    }

    /**
     * Broken twin: writes the announcement down at the sample's scan, as this style did before explore:1658. A kill
     * after the scan and before the sample recorded it (its ledger, its change token) leaves the released assets
     * announced and never kept: the sample's next change read is not answered "token expired", and it answers
     * COMPLETED with them not uploaded (RES-01).
     */
    public static final class RecordsTheAnnouncementAtTheScan extends HydratingExtension {
        @Override
        protected boolean recordsTheAnnouncementAtTheScan() {
            return true;
        }
    }

    /**
     * Broken twin: keeps a termination notice from the sample, which goes on as if none had come and signs in when a
     * retry needs it; on the pinned explore:1574 a slow sign-in outlives the grace period (TRM-01), what the sample
     * itself did before it stopped starting sign-ins once told to stop.
     */
    public static final class KeepsTheNoticeFromTheSample extends HydratingExtension {
        @Override
        protected boolean passesTheNotice() {
            return false;
        }
    }

    /**
     * Broken twin of explore:2432: looks up only as many resources to hydrate per call as it may make jobs for, so in a
     * library emptied by deletions it releases a couple of gone assets a call and answers PROCESSING every 5 minutes
     * with nothing moved (RES-03).
     */
    public static final class GoneAssetsTakeTheRoom extends HydratingExtension {
        @Override
        protected boolean goneAssetsTakeTheRoom() {
            return true;
        }
    }

    /**
     * Broken twin of explore:1689 (the fix 3d0d9f1 tried for explore:2432): looks up every resource to hydrate, and one
     * lookup that finds none of them releases them all as gone. In a call whose library does not answer
     * ({@code library.flaky}) present assets are released, then forgotten (GONE) by the same call, hidden from the
     * sample, and the sample answers COMPLETED with them never uploaded (RES-01).
     */
    public static final class TrustsOneEmptyLookup extends HydratingExtension {
        @Override
        protected boolean trustsOneEmptyLookup() {
            return true;
        }

        // As the layer was at explore:1689: forgotten releases came back NEW (else this twin passes its pinned profile)
        @Override
        protected boolean forgottenReleasesComeBackNew() {
            return true;
        }
    }

    /**
     * Broken twin of two flaky calls in a row: a released resource no fetch found goes back to NEW when the library
     * shows it again, hidden from the sample until hydrated anew. The second flaky call releases every resource to
     * hydrate as gone and its empty fetch forgets every released asset, those the sample held too; the sample's rescan
     * records them gone and it answers COMPLETED with 32 never uploaded (RES-01,
     * {@code hydrating-RES-01-two-flaky-calls.yaml}).
     */
    public static final class ForgottenReleasesComeBackNew extends HydratingExtension {
        @Override
        protected boolean forgottenReleasesComeBackNew() {
            return true;
        }
    }

    /**
     * Broken twin (the first draft of the fix above, explored over 2601..3931): forgetting a released asset makes its
     * other resources GONE too; a live photo's paired video whose download-only job had succeeded but was not yet shown
     * (fetch-set lag) came back NEW after a flaky call and got a second download-only job (DUP-01, explore:3169).
     */
    public static final class ForgetsTheAssetsDownloads extends HydratingExtension {
        @Override
        protected boolean forgetsTheAssetsDownloads() {
            return true;
        }
    }
}
