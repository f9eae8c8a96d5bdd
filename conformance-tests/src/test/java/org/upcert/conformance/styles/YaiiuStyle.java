package org.upcert.conformance.styles;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeToken;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.StorageUnavailableException;
import org.upcert.api.UploadError;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * An extension in the style of YAIIU, an Immich uploader (FawenYo/YAIIU, reference §10), written
 * apart from the sample, on upcert's {@code generic-put} dialect:
 *
 * <ul>
 *   <li><b>Every call in one order</b>: retry → acknowledge → cancel → create, each its own
 *       {@code performChanges} block (discovery between acknowledge and cancel).
 *   <li><b>Capacity</b> {@code jobLimit − (|PROCESS| + |ACKNOWLEDGE|)}, fetched just before creating
 *       (the PROCESS action exists from iOS 26.5: declared {@code deploymentTarget: "26.5"},
 *       {@link #SCOPE}).
 *   <li><b>A persistent-change-token queue in the app group</b>: the change token
 *       ({@value #TOKEN}), the asset ids the changes named and that are still to be looked at
 *       ({@value #ASSET_QUEUE}), and a ledger of resources ({@value #LEDGER}). The changes are
 *       appended to the queue before the token moves on; an expired token is dropped and the
 *       library scanned again (PROCESSING).
 *   <li><b>A 20 s discovery budget per call</b>: once {@value #DISCOVERY_BUDGET_MS} ms of simulated
 *       time have passed since the call began, it stops discovering (the queue keeps the rest) and
 *       answers PROCESSING.
 *   <li><b>Job identity in {@value #ID_HEADER}</b> on the destination: a job whose
 *       {@code resource} is nil (the 26.x quirk) or whose asset is gone is identified by it.
 * </ul>
 *
 * <p>Failures: no response (network) or {@code -1013} → the PhotoKit retry with a fresh destination
 * (fresh credentials); anything else a server answered → acknowledged, a new job after
 * {@value #REFUSAL_WAIT_S} s (or its {@code retry-after}), given up after {@value #GIVE_UP_REFUSALS}
 * refusals spanning {@value #GIVE_UP_SPAN_MIN} minutes. Assets deleted from the library have their
 * jobs in flight cancelled. Kill-safe: a create is an intent before its block; an intent or an
 * upload whose key is in neither the PROCESS set (fetched first) nor the ACKNOWLEDGE set has no job.
 *
 * <p>Servers: Immich is self-hosted, and the user may point the app at another server ({@code
 * host/server}, host.server). The new server holds nothing of ours: every resource not in flight is
 * pending again, the old server's API key is dropped, and a job that went to the old server (its
 * destination not under {@code uploadUrlBase()}) is neither retried nor counted, whatever it
 * answered ({@value #SERVER} keeps the change followed).
 */
public class YaiiuStyle implements UploadExtension {
    /** The declared scope: the PROCESS set (iOS 26.5) is what its capacity counts. */
    public static final String SCOPE = "deploymentTarget: \"26.5\"\n";
    static final String TOKEN = "yaiiu/change-token";
    static final String ASSET_QUEUE = "yaiiu/asset-queue";
    static final String LEDGER = "yaiiu/ledger.tsv";
    static final String CREDENTIALS = "yaiiu/api-key";
    static final String ID_HEADER = "X-Device-Asset-Id";
    static final String SERVER = "yaiiu/server";
    static final long DISCOVERY_BUDGET_MS = 20_000;
    static final int NETWORK_WAIT_S = 20;
    static final int REFUSAL_WAIT_S = 150;
    static final int GIVE_UP_REFUSALS = 7;
    static final int GIVE_UP_SPAN_MIN = 32;
    private static final int CHUNK = 50;
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");

    enum Status { PENDING, INTENT, INFLIGHT, UPLOADED, GIVEN_UP, GONE }

    /**
     * A resource in the ledger: status, when it may be tried next, refusals and the first one's time,
     * and the job whose outcome was recorded last (a process killed between recording and
     * acknowledging leaves the job to the next one, which must not count its refusal twice).
     */
    record Entry(Status status, long notBefore, int refusals, long firstRefusal, String counted) {
        static final Entry NEW = new Entry(Status.PENDING, 0, 0, 0, "-");

        Entry with(Status s) {
            return new Entry(s, notBefore, refusals, firstRefusal, counted);
        }
    }

    private volatile boolean stopping;
    /** The host app's change of server last followed (host/server's generation); -1 before it is read. */
    private long server = -1;
    private TreeMap<String, Entry> ledger;
    private String token;
    private long tokenRenewAt;

    @Override
    public void willTerminate() {
        stopping = true;
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        stopping = false;
        try {
            return round(context);
        } catch (StorageUnavailableException locked) {
            ledger = null;
            return ProcessingResult.FAILURE;
        } catch (RuntimeException unexpected) {
            context.log().error("unexpected: " + unexpected);
            ledger = null;
            return ProcessingResult.FAILURE;
        }
    }

    private ProcessingResult round(ExtensionContext context) {
        PhotoLibrary library = context.library();
        long start = context.clock().millis();
        if (ledger == null) {
            ledger = load(context);
        }
        followServer(context);
        // The jobs in flight first: a job finishing between two fetches then shows in one set or both.
        TreeMap<String, UploadJob> processing = byKey(library.fetchJobs(JobAction.PROCESS));

        // 1. Retry: failures with no response, or refused credentials, get the one PhotoKit retry
        //    with a fresh destination.
        List<UploadJob> retries = new ArrayList<>();
        TreeSet<String> firstFailures = new TreeSet<>(); // failed jobs never retried: their first attempt
        for (UploadJob job : library.fetchJobs(JobAction.RETRY)) {
            firstFailures.add(job.localIdentifier());
            if (onFormerServer(context, job)) {
                continue; // the old server's: acknowledged below, a new job goes to the new one
            }
            Optional<String> key = keyOf(job);
            int code = job.error().map(UploadError::code).orElse(0);
            boolean network = job.responseHeaderFields().isEmpty() && code != UploadError.BLOCKED_BY_POLICY
                    && code != UploadError.FILE_DOES_NOT_EXIST;
            if (code == UploadError.USER_AUTHENTICATION_REQUIRED) {
                token = null;
            }
            Entry entry = key.map(k -> ledger.getOrDefault(k, Entry.NEW)).orElse(null);
            if (key.isPresent() && entry.status() != Status.GONE && (network || code == UploadError.USER_AUTHENTICATION_REQUIRED)) {
                retries.add(job);
            }
        }
        long now = context.clock().millis();
        if (!retries.isEmpty() && !stopping && consent(library)) {
            Optional<String> bearer = credentials(context, now);
            if (bearer.isPresent()) {
                try {
                    library.performChanges(changes -> {
                        for (UploadJob job : retries) {
                            changes.retry(job, destination(context, keyOf(job).orElseThrow(), bearer.get()));
                        }
                    });
                    for (UploadJob job : retries) {
                        processing.put(keyOf(job).orElseThrow(), job);
                    }
                } catch (PhotosException e) {
                    context.log().warn("retrying: " + e.getMessage()); // acknowledged below instead
                }
            }
        }

        // 2. Acknowledge everything finished, its outcome in the ledger first.
        List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
        now = context.clock().millis();
        TreeSet<String> finishedKeys = new TreeSet<>();
        for (UploadJob job : finished) {
            Optional<String> key = keyOf(job);
            if (key.isEmpty()) {
                continue;
            }
            finishedKeys.add(key.get());
            processing.remove(key.get());
            Entry before = ledger.getOrDefault(key.get(), Entry.NEW);
            if (onFormerServer(context, job)) {
                if (before.status() != Status.UPLOADED && before.status() != Status.GONE) {
                    ledger.put(key.get(), Entry.NEW); // nothing of it counts on the new server
                }
                continue;
            }
            String attempt = job.localIdentifier() + (job.state() == JobState.SUCCEEDED ? "#ok"
                    : firstFailures.contains(job.localIdentifier()) ? "#1" : "#2");
            ledger.put(key.get(), outcome(job, attempt, before, now));
        }
        if (!finished.isEmpty()) {
            save(context);
            try {
                library.performChanges(changes -> finished.forEach(changes::acknowledge));
            } catch (PhotosException e) {
                context.log().warn("acknowledging: " + e.getMessage());
                return ProcessingResult.PROCESSING;
            }
        }
        // An intent or an upload with no job in either set never became one (or was dropped): pending again.
        boolean repaired = false;
        for (Map.Entry<String, Entry> e : new ArrayList<>(ledger.entrySet())) {
            Status s = e.getValue().status();
            if ((s == Status.INTENT || s == Status.INFLIGHT) && !processing.containsKey(e.getKey())) {
                ledger.put(e.getKey(), e.getValue().with(Status.PENDING));
                repaired = true;
            } else if (s == Status.INTENT) {
                ledger.put(e.getKey(), e.getValue().with(Status.INFLIGHT));
                repaired = true;
            }
        }
        if (repaired) {
            save(context);
        }
        if (!consent(library)) {
            return ProcessingResult.PROCESSING; // create nothing without consent (CNS-01); back when it returns
        }

        // 3. Discovery, within the budget.
        Discovery discovery = discover(context, start);

        // 4. Cancel the jobs of deleted assets.
        List<UploadJob> cancels = new ArrayList<>();
        for (Map.Entry<String, UploadJob> e : processing.entrySet()) {
            if (ledger.getOrDefault(e.getKey(), Entry.NEW).status() == Status.GONE) {
                cancels.add(e.getValue());
            }
        }
        if (!cancels.isEmpty() && !stopping) {
            try {
                library.performChanges(changes -> cancels.forEach(changes::cancel));
                cancels.forEach(job -> processing.remove(keyOf(job).orElseThrow()));
            } catch (PhotosException e) {
                context.log().warn("cancelling: " + e.getMessage());
            }
        }

        // 5. Create, up to jobLimit − (|PROCESS| + |ACKNOWLEDGE|).
        now = context.clock().millis();
        List<String> due = new ArrayList<>();
        boolean waiting = false;
        for (Map.Entry<String, Entry> e : ledger.entrySet()) {
            Entry entry = e.getValue();
            if (entry.status() == Status.PENDING && !processing.containsKey(e.getKey())) {
                if (entry.notBefore() <= now) {
                    due.add(e.getKey());
                } else {
                    waiting = true;
                }
            }
        }
        int created = 0;
        if (!due.isEmpty() && !stopping) {
            int capacity = library.jobLimit() - (library.fetchJobs(JobAction.PROCESS).size()
                    + library.fetchJobs(JobAction.ACKNOWLEDGE).size());
            List<AssetResource> batch = resources(context, due, Math.max(0, capacity));
            if (!batch.isEmpty() && !stopsBeforeSigningIn()) {
                Optional<String> bearer = credentials(context, now);
                if (bearer.isEmpty()) {
                    boolean idle = processing.isEmpty() && finished.isEmpty() && !discovery.moved();
                    return idle ? ProcessingResult.FAILURE : ProcessingResult.PROCESSING;
                }
                for (AssetResource resource : batch) {
                    ledger.put(resource.key(), ledger.getOrDefault(resource.key(), Entry.NEW).with(Status.INTENT));
                }
                save(context);
                try {
                    library.performChanges(changes -> {
                        for (AssetResource resource : batch) {
                            changes.createJob(resource, destination(context, resource.key(), bearer.get()));
                        }
                    });
                } catch (PhotosException e) {
                    for (AssetResource resource : batch) {
                        ledger.put(resource.key(), ledger.get(resource.key()).with(Status.PENDING));
                    }
                    save(context);
                    return ProcessingResult.PROCESSING;
                }
                for (AssetResource resource : batch) {
                    ledger.put(resource.key(), ledger.get(resource.key()).with(Status.INFLIGHT));
                }
                save(context);
                created = batch.size();
            }
        }
        if (discovery.unreliable() && processing.isEmpty() && created == 0 && !waiting && due.isEmpty()) {
            return ProcessingResult.FAILURE; // the library did not answer: not known to be up to date
        }
        boolean more = discovery.unfinished() || due.size() > created || waiting || !processing.isEmpty() || created > 0;
        return more ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
    }

    /**
     * The user moved the app to another server ({@code host/server} names a change not followed
     * yet): every resource neither in flight nor gone is pending again, the old server's API key
     * dropped. The ledger first, then the change followed.
     */
    private void followServer(ExtensionContext context) {
        long named = generationIn(context.storage().readString(org.upcert.api.AppGroupStorage.HOST_APP_SERVER).orElse(""));
        if (server < 0) {
            server = named == 0 ? 0 : generationIn(context.storage().readString(SERVER).orElse(""));
        }
        if (named <= server) {
            return;
        }
        for (Map.Entry<String, Entry> e : new ArrayList<>(ledger.entrySet())) {
            Status s = e.getValue().status();
            if (s == Status.UPLOADED || s == Status.GIVEN_UP || s == Status.PENDING) {
                ledger.put(e.getKey(), Entry.NEW);
            }
        }
        save(context);
        context.storage().delete(CREDENTIALS);
        token = null;
        context.storage().writeString(SERVER, "generation=" + named + "\n");
        server = named;
    }

    /** Whether {@code job} went to a server the account has left (never before a change of server). */
    private boolean onFormerServer(ExtensionContext context, UploadJob job) {
        return server > 0 && !job.destination().url().toString().startsWith(base(context));
    }

    private static long generationIn(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("generation=")) {
                try {
                    return Long.parseLong(line.substring("generation=".length()).strip());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** What discovery did: moved (recorded something), unfinished (queue or resync left), unreliable (the library failed). */
    record Discovery(boolean moved, boolean unfinished, boolean unreliable) {
    }

    private Discovery discover(ExtensionContext context, long start) {
        PhotoLibrary library = context.library();
        Optional<ChangeToken> token = context.storage().readString(TOKEN).map(String::strip).filter(t -> !t.isEmpty())
                .map(ChangeToken::decode);
        boolean moved = false;
        boolean resync = false; // the token expired: the full scan below, and PROCESSING (CHG-01)
        if (token.isPresent()) {
            try {
                List<PersistentChange> changes = library.fetchPersistentChanges(token.get());
                if (!changes.isEmpty()) {
                    LinkedHashSet<String> queue = queue(context);
                    boolean gone = false;
                    for (PersistentChange change : changes) {
                        queue.addAll(change.insertedAssets());
                        queue.addAll(change.updatedAssets());
                        for (String id : change.deletedAssets()) {
                            queue.remove(id);
                            for (Map.Entry<String, Entry> e : ledger.subMap(id + "#", id + "#\uffff").entrySet()) {
                                Status s = e.getValue().status();
                                if (s != Status.UPLOADED && s != Status.GIVEN_UP) {
                                    e.setValue(e.getValue().with(Status.GONE));
                                    gone = true;
                                }
                            }
                        }
                    }
                    if (gone) {
                        save(context);
                    }
                    writeQueue(context, queue); // the queue first, then the token: a kill between reads the changes again
                    context.storage().writeString(TOKEN, changes.get(changes.size() - 1).changeToken().encoded());
                    moved = true;
                }
            } catch (PhotosException e) {
                if (e.code() != PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED
                        && e.code() != PhotosErrorCode.PERSISTENT_CHANGE_DETAILS_UNAVAILABLE) {
                    return new Discovery(false, false, true); // 3300, -1: the history is still there next call
                }
                context.storage().delete(TOKEN);
                token = Optional.empty();
                resync = true;
            }
        }
        if (token.isEmpty()) {
            ChangeToken before = library.currentChangeToken();
            List<Asset> assets = library.fetchAssets();
            if (assets.isEmpty() || library.authorizationStatus() != AuthorizationStatus.AUTHORIZED) {
                return new Discovery(false, resync, true); // not "no photos": scanned again next call
            }
            record(context, assets);
            // What a scan that found assets did not find is gone (deleted while the token had expired).
            TreeSet<String> present = new TreeSet<>();
            assets.forEach(a -> a.resources().forEach(r -> present.add(r.key())));
            boolean gone = false;
            for (Map.Entry<String, Entry> e : ledger.entrySet()) {
                if (e.getValue().status() == Status.PENDING && !present.contains(e.getKey())) {
                    e.setValue(e.getValue().with(Status.GONE));
                    gone = true;
                }
            }
            if (gone) {
                save(context);
            }
            context.storage().writeString(TOKEN, before.encoded());
            return new Discovery(true, true, false); // a scan, or a resync (CHG-01): PROCESSING
        }
        // Drain the queue while the budget lasts.
        LinkedHashSet<String> queue = queue(context);
        boolean unreliable = false;
        boolean first = true; // one chunk in every call, so a call that spent its budget before discovery still moves the queue
        while (!queue.isEmpty() && !stopping && (first || context.clock().millis() - start < discoveryBudgetMs())) {
            first = false;
            List<String> chunk = new ArrayList<>();
            for (String id : queue) {
                chunk.add(id);
                if (chunk.size() == discoveryChunk()) {
                    break;
                }
            }
            List<Asset> assets = library.fetchAssets(chunk);
            if (assets.isEmpty()) {
                unreliable = true; // inserted assets that come back as nothing: the library did not answer
                break;
            }
            record(context, assets);
            chunk.forEach(queue::remove);
            writeQueue(context, queue);
            moved = true;
        }
        return new Discovery(moved, !queue.isEmpty(), unreliable);
    }

    private void record(ExtensionContext context, List<Asset> assets) {
        boolean added = false;
        for (Asset asset : assets) {
            for (AssetResource resource : asset.resources()) {
                if (!ledger.containsKey(resource.key()) || ledger.get(resource.key()).status() == Status.GONE) {
                    ledger.put(resource.key(), Entry.NEW);
                    added = true;
                }
            }
        }
        if (added) {
            save(context);
        }
    }

    /**
     * The resources of up to {@code capacity} due keys, looked up a chunk of assets at a time. A due
     * resource the library does not return is skipped, and the change token dropped: the next call
     * scans the library, which tells a deleted asset (marked gone) from one PhotoKit did not return.
     */
    private static List<AssetResource> resources(ExtensionContext context, List<String> due, int capacity) {
        List<AssetResource> out = new ArrayList<>();
        boolean missing = false;
        for (int from = 0; from < due.size() && out.size() < capacity && from < 10 * CHUNK; from += CHUNK) {
            List<String> keys = due.subList(from, Math.min(due.size(), from + CHUNK));
            TreeSet<String> ids = new TreeSet<>();
            keys.forEach(k -> ids.add(AssetResource.Key.parse(k).assetLocalIdentifier()));
            TreeMap<String, AssetResource> found = new TreeMap<>();
            for (Asset asset : context.library().fetchAssets(ids)) {
                asset.resources().forEach(r -> found.put(r.key(), r));
            }
            for (String key : keys) {
                AssetResource resource = found.get(key);
                if (resource == null) {
                    missing = true;
                } else if (out.size() < capacity) {
                    out.add(resource);
                }
            }
        }
        if (missing) {
            context.storage().delete(TOKEN);
        }
        return out;
    }

    /**
     * The resource after its job finished; {@code attempt} names the outcome ({@code J12#1} the job's
     * first attempt failed, {@code #2} its retry, {@code #ok} it succeeded), so that the same outcome
     * seen again after a kill is not counted twice, and a job recorded as failed, then retried (its
     * acknowledgement never committed), is recorded again when the retry ends.
     */
    Entry outcome(UploadJob job, String attempt, Entry before, long now) {
        if (attempt.equals(before.counted())) {
            return before; // recorded by a process killed before it acknowledged the job
        }
        String id = attempt;
        if (job.state() == JobState.SUCCEEDED) {
            return new Entry(Status.UPLOADED, 0, before.refusals(), before.firstRefusal(), id);
        }
        if (before.status() == Status.GONE) {
            return before;
        }
        int code = job.error().map(UploadError::code).orElse(0);
        if (code == UploadError.BLOCKED_BY_POLICY || code == UploadError.FILE_DOES_NOT_EXIST) {
            return before.with(Status.GIVEN_UP);
        }
        Optional<SortedMap<String, String>> headers = job.responseHeaderFields();
        if (headers.isEmpty() || code == UploadError.USER_AUTHENTICATION_REQUIRED) {
            return new Entry(Status.PENDING, now + NETWORK_WAIT_S * 1000L, before.refusals(), before.firstRefusal(), id);
        }
        String retryAfter = headers.get().get("retry-after");
        if (retryAfter != null) {
            return new Entry(Status.PENDING, now + Math.max(NETWORK_WAIT_S, seconds(retryAfter)) * 1000L, before.refusals(),
                    before.firstRefusal(), id);
        }
        int refusals = before.refusals() + 1;
        long first = before.firstRefusal() > 0 ? before.firstRefusal() : now;
        if (refusals >= GIVE_UP_REFUSALS && now - first >= GIVE_UP_SPAN_MIN * 60_000L) {
            return new Entry(Status.GIVEN_UP, 0, refusals, first, id);
        }
        return new Entry(Status.PENDING, now + REFUSAL_WAIT_S * 1000L, refusals, first, id);
    }

    private static long seconds(String value) {
        try {
            return Math.max(0, Long.parseLong(value.strip()));
        } catch (NumberFormatException httpDate) {
            return 120;
        }
    }

    private static boolean consent(PhotoLibrary library) {
        return library.authorizationStatus() == AuthorizationStatus.AUTHORIZED && library.isUploadJobExtensionEnabled();
    }

    /** How many queued asset ids discovery looks at in one fetch. */
    int discoveryChunk() {
        return CHUNK;
    }

    /** The discovery budget of a call, from its start ({@value #DISCOVERY_BUDGET_MS} ms). */
    long discoveryBudgetMs() {
        return DISCOVERY_BUDGET_MS;
    }

    /** The resource a job uploads: from its {@value #ID_HEADER} header, present in every state of the job. */
    Optional<String> keyOf(UploadJob job) {
        return job.destination().header(ID_HEADER);
    }

    private TreeMap<String, UploadJob> byKey(List<UploadJob> jobs) {
        TreeMap<String, UploadJob> out = new TreeMap<>();
        for (UploadJob job : jobs) {
            keyOf(job).ifPresent(key -> out.put(key, job));
        }
        return out;
    }

    private static UploadRequest destination(ExtensionContext context, String key, String bearer) {
        return UploadRequest.put(URI.create(base(context) + "files/immich/" + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .withHeader("Authorization", "Bearer " + bearer)
                .withHeader(ID_HEADER, key);
    }

    private Optional<String> credentials(ExtensionContext context, long now) {
        if (token != null && now < tokenRenewAt) {
            return Optional.of(token);
        }
        token = null;
        Map<String, String> config = context.configuration();
        String form = "grant_type=client_credentials&client_id=" + enc(config.getOrDefault("cloud.clientId", ""))
                + "&client_secret=" + enc(config.getOrDefault("cloud.clientSecret", ""));
        try {
            ExtensionHttp.Response response = context.http().send(UploadRequest.post(URI.create(
                    config.getOrDefault("cloud.tokenUrl", base(context) + "auth/token")))
                    .withHeader("Content-Type", "application/x-www-form-urlencoded"), form);
            Matcher access = ACCESS_TOKEN.matcher(response.bodyText());
            if (!response.isSuccessful() || !access.find()) {
                return Optional.empty();
            }
            Matcher expires = EXPIRES_IN.matcher(response.bodyText());
            long life = expires.find() ? Long.parseLong(expires.group(1)) * 1000 : 600_000;
            token = access.group(1);
            tokenRenewAt = now + life / 2;
            return Optional.of(token);
        } catch (ExtensionHttp.TransportException offline) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code willTerminate} came since the capacity check: then no sign-in starts (a token request answered
     * slowly outlives the 5 s grace: TRM-01 on explore:350, where the notice came during discovery and a sign-in
     * answered by cloud.slow 23 s later was started after it). The jobs wait for the next call.
     */
    boolean stopsBeforeSigningIn() {
        return stopping;
    }

    private static LinkedHashSet<String> queue(ExtensionContext context) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String line : context.storage().readString(ASSET_QUEUE).orElse("").split("\n")) {
            if (!line.isBlank()) {
                out.add(line.strip());
            }
        }
        return out;
    }

    private static void writeQueue(ExtensionContext context, LinkedHashSet<String> queue) {
        context.storage().writeString(ASSET_QUEUE, queue.isEmpty() ? "" : String.join("\n", queue) + "\n");
    }

    private void save(ExtensionContext context) {
        StringBuilder text = new StringBuilder();
        ledger.forEach((key, e) -> text.append(key).append('\t').append(e.status()).append('\t').append(e.notBefore())
                .append('\t').append(e.refusals()).append('\t').append(e.firstRefusal()).append('\t').append(e.counted())
                .append('\n'));
        context.storage().writeString(LEDGER, text.toString());
    }

    private static TreeMap<String, Entry> load(ExtensionContext context) {
        TreeMap<String, Entry> out = new TreeMap<>();
        for (String line : context.storage().readString(LEDGER).orElse("").split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 6) {
                out.put(f[0], new Entry(Status.valueOf(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]),
                        f[5]));
            }
        }
        return out;
    }

    private static String base(ExtensionContext context) {
        String base = context.uploadUrlBase().toString();
        return base.endsWith("/") ? base : base + "/";
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * A broken twin that identifies a finished job by {@code job.resource()} instead of its
     * {@value #ID_HEADER} header. On iOS 26.x a succeeded job's resource is nil (measured on
     * devices): its outcome is never recorded, the resource looks unfinished and gets a new job
     * although the first had uploaded it — CLD-02 FAIL on {@code device-quirks-26x}.
     */
    public static final class IdentifiesByResource extends YaiiuStyle {
        @Override
        Optional<String> keyOf(UploadJob job) {
            return job.resource().map(AssetResource::key);
        }
    }

    /**
     * Not a twin: the same style with a budget every call has spent before it discovers (0 ms) and
     * chunks of 5, so that discovery stops after one chunk in every call and the queue in the app
     * group carries the rest, as on a slow device where YAIIU's 20 s run out.
     */
    public static final class SpentBudget extends YaiiuStyle {
        @Override
        long discoveryBudgetMs() {
            return 0;
        }

        @Override
        int discoveryChunk() {
            return 5;
        }
    }

    /**
     * The broken twin: the style before explore:350 found it. It signs in to create jobs although
     * {@code willTerminate} came during the call; a slow token endpoint keeps the call past the 5 s grace
     * and the process is killed (TRM-01).
     */
    public static final class SignsInAfterTheNotice extends YaiiuStyle {
        @Override
        boolean stopsBeforeSigningIn() {
            return false;
        }
    }
}
