package org.upcert.conformance.styles;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.StorageUnavailableException;
import org.upcert.api.UploadError;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A correct extension written the way a new author might, independently of the sample: it walks
 * the whole library on every call instead of reading change tokens, never cancels a job, reads
 * one response header only ({@code retry-after}: a throttle is no refusal), and never retries a
 * job in place — a failed job is acknowledged and the resource gets a new job after a back-off.
 * Only the {@code generic-put} cloud.
 *
 * <p>Its memory is an append-only log in the app group ({@value #LOG}): one line per change of a
 * resource's state, the last line of a key wins, a torn last line (no newline) is ignored. A
 * create is logged as an intent before its block and as in flight after it, so a kill between
 * the two leaves an intent the next process resolves (from the PROCESS set where the OS has it,
 * else after {@link #UNCERTAIN_WAIT}: a job that exists shows up finished by then, and waiting longer
 * would answer PROCESSING call after call with nothing moving, RES-03).
 *
 * <p>It exists to show that the suite certifies styles other than the sample's: the optional
 * APIs it never uses make their rules NOT_APPLICABLE, not INCOMPLETE. {@link CancelsFinishedJobs}
 * is its broken twin.
 */
public class FullWalkExtension implements UploadExtension {
    static final String LOG = "fullwalk/ledger.log";
    static final String KEY_HEADER = "X-Fullwalk-Key";
    /** Refusals after which a resource is given up: 10 spaced by the back-off span over half an hour (RTY-01, RTY-02). */
    private static final int MAX_REFUSALS = 10;
    private static final Duration FIRST_WAIT = Duration.ofSeconds(30);
    /** Under the ~5 min the system waits after a PROCESSING without progress: every wait is due by the next call. */
    private static final Duration MAX_WAIT = Duration.ofMinutes(4);
    /**
     * How long an intent without a PROCESS set to ask waits for its job to show up finished. After
     * a kill the system calls again 6–11 min later, when a job that was committed has usually
     * finished; 20 min more is under RES-03's five idle calls, and longer would be a wait with
     * nothing moving. (A job still pending after that gets a twin: the risk of not asking.)
     */
    static final Duration UNCERTAIN_WAIT = Duration.ofMinutes(20);
    private static final int BLOCK = 25;
    private static final int CREATES_PER_CALL = 200;
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");

    enum State { NEW, INTENT, INFLIGHT, WAITING, UPLOADED, GIVEN_UP }

    /** One resource in the log: its state, failed attempts, and when it may be tried again (or when the intent was made). */
    record Entry(State state, int attempts, long at) {
    }

    private volatile boolean stopping;
    private TreeMap<String, Entry> ledger;
    private String token;
    private long tokenExpiresAt;
    /** The last sign-in failed (no answer, or not a token): the cloud cannot be reached now. */
    private boolean cloudUnreachable;

    @Override
    public void willTerminate() {
        stopping = true;
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        stopping = false; // the instance is reused across activations: a flag left set would stop every later call
        try {
            return round(context);
        } catch (StorageUnavailableException locked) {
            // The app group is locked (a restart before its first unlock, device.locked): what this
            // call changed in memory may not be in the log. Read the log again once it opens, or
            // the next call trusts states it never stored.
            ledger = null;
            return ProcessingResult.FAILURE;
        } catch (RuntimeException unexpected) {
            context.log().error("unexpected: " + unexpected);
            return ProcessingResult.FAILURE;
        }
    }

    private ProcessingResult round(ExtensionContext context) {
        PhotoLibrary library = context.library();
        long now = context.clock().millis();
        if (ledger == null) {
            ledger = load(context);
        }
        if (ledgerPerServer() && serverGeneration < 0
                && context.storage().readString(org.upcert.api.AppGroupStorage.HOST_APP_SERVER).isEmpty()
                && context.storage().readString(LEDGER_BASE).isEmpty()) {
            context.storage().writeString(LEDGER_BASE, base(context)); // the first server, before any change
        }
        followServerChange(context, now);
        boolean consent = library.authorizationStatus() == AuthorizationStatus.AUTHORIZED
                && library.isUploadJobExtensionEnabled();

        // 1. Everything finished is recorded, then acknowledged (ACK-02). Never retried in place:
        //    a new job after a back-off is the one retry policy, whatever the failure was.
        List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
        TreeSet<String> seenFinished = new TreeSet<>();
        StringBuilder lines = new StringBuilder();
        for (UploadJob job : finished) {
            Optional<String> key = job.destination().header(KEY_HEADER);
            if (key.isEmpty()) {
                continue;
            }
            seenFinished.add(key.get());
            Entry before = ledger.getOrDefault(key.get(), new Entry(State.NEW, 0, 0));
            Entry after;
            if (serverGeneration > 0 && !job.destination().url().toString().startsWith(base(context))) {
                // Sent to the server the account has left (host.server): whatever it answered, the
                // new server does not have it. Tried anew there.
                after = before.state() == State.UPLOADED ? before : new Entry(State.NEW, 0, now);
            } else if (job.state() == JobState.SUCCEEDED) {
                after = new Entry(State.UPLOADED, before.attempts(), now);
            } else {
                // error exists from iOS 26.4 (#available): before, nothing says why a job failed.
                int code = context.osAtLeast("26.4") ? job.error().map(UploadError::code).orElse(0) : 0;
                if (code == UploadError.USER_AUTHENTICATION_REQUIRED) {
                    token = null; // the credentials were refused: sign in again before the next job
                }
                // Only a server's answer (or, before iOS 26.4, a failure that shows nothing) counts
                // towards giving up: a network failure says nothing about the photo. An answer is a
                // failure with response headers: -1011 is also what an unparsable response shows,
                // with none (no header is looked up: whether there are any is enough).
                boolean answered = code == 0 || job.responseHeaderFields().isPresent() || countsUnansweredFailures();
                // An answer with retry-after (a 503 or 429 asking for a later attempt) is a throttle, not a refusal: it
                // says nothing about the photo and never counts towards giving up; the next job waits at least that
                // long (explore found none; a hand-written profile, fullwalk-RTY-01-throttled.yaml: ten 503s with
                // Retry-After over 90 min and this style gave two photos up, RTY-01; twin CountsThrottlesAsRefusals).
                long retryAfter = context.osAtLeast("26.4") ? retryAfterMillis(job) : -1; // no headers before (a trap)
                boolean throttled = retryAfter >= 0 && !countsThrottlesAsRefusals();
                boolean refusal = answered && !throttled && (code == 0 || code == UploadError.BAD_SERVER_RESPONSE
                        || code == UploadError.USER_AUTHENTICATION_REQUIRED);
                int attempts = before.attempts() + (refusal ? 1 : 0);
                long wait = Math.max(backoff(Math.max(1, attempts)).toMillis(), throttled ? retryAfter : 0);
                after = attempts >= MAX_REFUSALS ? new Entry(State.GIVEN_UP, attempts, now)
                        : new Entry(State.WAITING, attempts, now + wait);
            }
            ledger.put(key.get(), after);
            lines.append(line(key.get(), after));
        }
        if (!finished.isEmpty()) {
            if (lines.length() > 0) {
                context.storage().appendString(LOG, lines.toString()); // durable before the records disappear (ACK-03)
            }
            try {
                library.performChanges(changes -> finished.forEach(changes::acknowledge));
            } catch (PhotosException e) {
                context.log().warn("acknowledging failed: " + e.getMessage());
            }
        }

        // 2. Intents a killed process left behind: resolved from the PROCESS set where the OS has it,
        //    and only with full access: without it fetchJobs shows no job at all (reference §4), and an
        //    empty PROCESS set read then took a job still uploading for one never made (explore:36:
        //    a relaunch under limited access, then a second job beside it once access came back, DUP-01).
        if (consent || resolvesIntentsWithoutAccess()) {
            resolveIntents(context, seenFinished, now);
        }

        // 3. A full walk of the library: what is neither uploaded, in flight, waiting nor given up gets a job.
        TreeMap<String, AssetResource> wanted = new TreeMap<>();
        boolean waiting = false;
        List<Asset> assets = library.fetchAssets();
        if (assets.isEmpty() && consent && !trustsAnEmptyScan()) {
            // PhotoKit answered nothing (YAIIU #50, library.flaky): not "no photos". Trusted, it
            // made this style answer COMPLETED and never be called again (explore:347, E2E-01).
            return ProcessingResult.FAILURE;
        }
        for (Asset asset : assets) {
            for (AssetResource resource : asset.resources()) {
                Entry entry = ledger.getOrDefault(resource.key(), new Entry(State.NEW, 0, 0));
                switch (entry.state()) {
                    case NEW -> wanted.put(resource.key(), resource);
                    case WAITING -> {
                        if (entry.at() <= now) {
                            wanted.put(resource.key(), resource);
                        } else {
                            waiting = true;
                        }
                    }
                    case INTENT -> waiting = true;
                    default -> {
                    }
                }
            }
        }
        long inFlight = ledger.values().stream().filter(e -> e.state() == State.INFLIGHT).count();
        createdThisCall = 0;
        if (!consent || stopping) {
            return answer(!wanted.isEmpty() || waiting, inFlight, !finished.isEmpty());
        }
        int room = (int) Math.min(CREATES_PER_CALL, Math.max(0, library.jobLimit() - inFlight));
        List<AssetResource> batch = new ArrayList<>(wanted.values()).subList(0, Math.min(room, wanted.size()));
        int created = 0;
        while (created < batch.size() && !stopping) {
            List<AssetResource> block = batch.subList(created, Math.min(batch.size(), created + BLOCK));
            if (!create(context, block, now)) {
                // The cloud cannot be reached for a token and nothing moved in this call: FAILURE,
                // so the system backs off instead of calling every few minutes for nothing (RES-03).
                boolean idle = created == 0 && finished.isEmpty() && inFlight == 0 && cloudUnreachable;
                return idle ? ProcessingResult.FAILURE : ProcessingResult.PROCESSING; // at the limit, or the cloud: later
            }
            created += block.size();
        }
        createdThisCall = created;
        return answer(wanted.size() > created || waiting, inFlight + created, created > 0 || !finished.isEmpty());
    }

    /** The host app's change of server this extension last followed ({@value #SERVER}); 0 for none. */
    private long serverGeneration = -1;
    static final String SERVER = "fullwalk/server.txt";

    /**
     * The host app moved the account to another server ({@code host/server} names a generation
     * not followed yet): the new server holds nothing of ours, so every resource not in flight is
     * to upload anew (uploaded, given up or waiting on the old one); the token was the old
     * server's. The log first, then the generation followed.
     */
    private void followServerChange(ExtensionContext context, long now) {
        String named = context.storage().readString(org.upcert.api.AppGroupStorage.HOST_APP_SERVER).orElse("");
        long generation = generationIn(named);
        if (serverGeneration < 0) {
            serverGeneration = generation == 0 ? 0 : generationIn(context.storage().readString(SERVER).orElse(""));
        }
        if (generation <= serverGeneration) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        StringBuilder held = new StringBuilder();
        for (Map.Entry<String, Entry> entry : new TreeMap<>(ledger).entrySet()) {
            State state = entry.getValue().state();
            if (state == State.UPLOADED) {
                held.append(entry.getKey()).append('\n');
            }
            if (state == State.UPLOADED || state == State.GIVEN_UP || state == State.WAITING) {
                Entry fresh = new Entry(State.NEW, 0, now);
                ledger.put(entry.getKey(), fresh);
                lines.append(line(entry.getKey(), fresh));
            }
        }
        if (ledgerPerServer()) {
            // What the server left holds stays there; what the server come back to held is still there.
            String left = context.storage().readString(LEDGER_BASE).orElse("");
            if (!left.isEmpty()) {
                context.storage().writeString(HELD + Integer.toHexString(left.hashCode()), held.toString());
            }
            for (String key : context.storage().readString(HELD + Integer.toHexString(base(context).hashCode())).orElse("").split("\n")) {
                Entry entry = ledger.get(key);
                if (!key.isEmpty() && entry != null && entry.state() == State.NEW) {
                    Entry kept = new Entry(State.UPLOADED, 0, now);
                    ledger.put(key, kept);
                    lines.append(line(key, kept));
                }
            }
            context.storage().writeString(LEDGER_BASE, base(context));
        }
        if (lines.length() > 0) {
            context.storage().appendString(LOG, lines.toString());
        }
        context.storage().writeString(SERVER, "generation=" + generation + "\n");
        serverGeneration = generation;
        token = null;
    }

    /** The upload base the ledger describes ({@link #ledgerPerServer}). */
    static final String LEDGER_BASE = "fullwalk/ledger-base.txt";
    /** Per upload base: the resources that server holds, kept when the account left it ({@link #ledgerPerServer}). */
    static final String HELD = "fullwalk/held/";

    /**
     * Whether this extension keeps a ledger per server: when the account moves it remembers what
     * the server it leaves holds, and when the account comes back it finds that again (a server
     * keeps what it received) instead of uploading everything anew.
     */
    protected boolean ledgerPerServer() {
        return false;
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

    /**
     * Whether a failure without response headers (no answer arrived: an unparsable response shows
     * -1011 too) counts towards giving up. No: a video was given up after 10 failures of which 5
     * were unparsable answers of {@code cloud.malformed} windows, which say nothing about the photo
     * (explore:2395 on FullWalk: RTY-01, E2E-01, RES-01, CNS-02; twin {@link CountsUnansweredFailures}).
     */
    boolean countsUnansweredFailures() {
        return false;
    }

    /**
     * A failed job's {@code retry-after} (whole seconds, looked up by its lowercase name), in milliseconds: 0 when it is
     * not a number (an HTTP date: waited out by the back-off), -1 without one. Only from iOS 26.4: before, the selector
     * does not exist and calling it traps (RES-04 on device-quirks-26x, caught by the suite while this was written).
     */
    private static long retryAfterMillis(UploadJob job) {
        Optional<String> value = job.responseHeaderFields().map(headers -> headers.get("retry-after"));
        if (value.isEmpty()) {
            return -1;
        }
        try {
            return Math.max(0, Long.parseLong(value.get().strip())) * 1000;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Whether a failure whose answer carries {@code retry-after} counts towards giving up. No: {@link CountsThrottlesAsRefusals}. */
    boolean countsThrottlesAsRefusals() {
        return false;
    }

    /**
     * Broken twin: counts a throttle (an answer with {@code retry-after}, 503 or 429) as a refusal, as this style did
     * before: ten of them give a photo up, though the server only asked for a later attempt (RTY-01, and the photo lost:
     * E2E-01, RES-01; styles-corpus/fullwalk-RTY-01-throttled.yaml).
     */
    public static final class CountsThrottlesAsRefusals extends FullWalkExtension {
        @Override
        boolean countsThrottlesAsRefusals() {
            return true;
        }
    }

    /** Broken twin: counts a failure that got no response towards giving up, as this style did (explore:2395). RTY-01 FAILs it. */
    public static final class CountsUnansweredFailures extends FullWalkExtension {
        @Override
        boolean countsUnansweredFailures() {
            return true;
        }

        // As the style was at explore:2395: it counted throttles too. Of the video's 10 failures on the pinned profile
        // two were 503s with Retry-After; not counted, the twin stops short of giving it up and would pass it.
        @Override
        boolean countsThrottlesAsRefusals() {
            return true;
        }
    }

    /** Whether intents are resolved from fetch sets read without full access (they must not be: {@link ResolvesIntentsWithoutAccess}). */
    boolean resolvesIntentsWithoutAccess() {
        return false;
    }

    /**
     * A broken twin that resolves a killed process's intents from the PROCESS set whatever the
     * access: relaunched while access is limited, it reads the empty set as "never created" and
     * makes a second job beside one still uploading once access returns (DUP-01, explore:36). The
     * style did this until exploration drew kills after a commit on a slow link.
     */
    public static final class ResolvesIntentsWithoutAccess extends FullWalkExtension {
        @Override
        boolean resolvesIntentsWithoutAccess() {
            return true;
        }
    }

    /** Whether an empty fetchAssets is read as an empty library (it must not be: {@link TrustsAnEmptyScan}). */
    boolean trustsAnEmptyScan() {
        return false;
    }

    /**
     * A broken twin that reads an empty {@code fetchAssets} as an empty library: with nothing
     * wanted and nothing in flight it answers COMPLETED, and after COMPLETED only a library change
     * calls it again; on {@code explore:347} none came and it lost 229 photos (E2E-01, CNS-02). The
     * style's first draft did this.
     */
    public static final class TrustsAnEmptyScan extends FullWalkExtension {
        @Override
        boolean trustsAnEmptyScan() {
            return true;
        }
    }

    /** Jobs the current call created (read by {@link #answer}; 0 before it creates). */
    private int createdThisCall;

    /** The jobs the current call created, for a twin's {@link #answer}. */
    protected final int createdThisCall() {
        return createdThisCall;
    }

    /**
     * The answer of a call that ran to the end: PROCESSING while resources wait for a job or jobs
     * are in flight — after COMPLETED the system calls again only when the library changes
     * (reference §5), and finished jobs would wait unacknowledged until then.
     *
     * @param backlog resources wait for a job (now or after a back-off)
     * @param inFlight jobs of this extension registered or pending
     * @param moved this call acknowledged or created something
     */
    protected ProcessingResult answer(boolean backlog, long inFlight, boolean moved) {
        return backlog || inFlight > 0 ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
    }

    /** Creates one block of jobs, logged as intents before and as in flight after; false to stop creating. */
    private boolean create(ExtensionContext context, List<AssetResource> block, long now) {
        Optional<String> bearer = token(context, now);
        if (bearer.isEmpty()) {
            return false;
        }
        StringBuilder intents = new StringBuilder();
        TreeMap<String, UploadRequest> destinations = new TreeMap<>();
        for (AssetResource resource : block) {
            Entry before = ledger.getOrDefault(resource.key(), new Entry(State.NEW, 0, 0));
            intents.append(line(resource.key(), new Entry(State.INTENT, before.attempts(), now)));
            destinations.put(resource.key(), UploadRequest.put(URI.create(base(context) + "files/"
                    + URLEncoder.encode(resource.key(), StandardCharsets.UTF_8)))
                    .withHeader("Authorization", "Bearer " + bearer.get())
                    .withHeader(KEY_HEADER, resource.key()));
        }
        context.storage().appendString(LOG, intents.toString());
        try {
            context.library().performChanges(changes -> {
                for (AssetResource resource : block) {
                    changes.createJob(resource, destinations.get(resource.key()));
                }
            });
        } catch (PhotosException e) {
            // Nothing of the block happened (LIMIT_EXCEEDED, consent withdrawn…): the intents are void.
            StringBuilder undo = new StringBuilder();
            for (AssetResource resource : block) {
                Entry before = ledger.getOrDefault(resource.key(), new Entry(State.NEW, 0, 0));
                undo.append(line(resource.key(), before));
            }
            context.storage().appendString(LOG, undo.toString());
            return false;
        }
        StringBuilder done = new StringBuilder();
        for (AssetResource resource : block) {
            Entry before = ledger.getOrDefault(resource.key(), new Entry(State.NEW, 0, 0));
            Entry after = new Entry(State.INFLIGHT, before.attempts(), now);
            ledger.put(resource.key(), after);
            done.append(line(resource.key(), after));
        }
        context.storage().appendString(LOG, done.toString());
        return true;
    }

    /**
     * An intent whose block may or may not have committed (the process died in between). Where
     * the OS lists registered and pending jobs (26.5+), the answer is there; before, the job, if
     * it exists, shows up finished eventually, and after {@link #UNCERTAIN_WAIT} without it the resource is tried anew.
     */
    private void resolveIntents(ExtensionContext context, TreeSet<String> seenFinished, long now) {
        TreeMap<String, Entry> intents = new TreeMap<>();
        ledger.forEach((key, entry) -> {
            if (entry.state() == State.INTENT && !seenFinished.contains(key)) {
                intents.put(key, entry);
            }
        });
        if (intents.isEmpty()) {
            return;
        }
        TreeSet<String> processing = null;
        if (context.osAtLeast("26.5")) {
            processing = new TreeSet<>();
            for (UploadJob job : context.library().fetchJobs(JobAction.PROCESS)) {
                job.destination().header(KEY_HEADER).ifPresent(processing::add);
            }
        }
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, Entry> intent : intents.entrySet()) {
            Entry entry = intent.getValue();
            Entry after;
            if (processing != null) {
                after = processing.contains(intent.getKey()) ? new Entry(State.INFLIGHT, entry.attempts(), now)
                        : new Entry(State.NEW, entry.attempts(), now);
            } else if (now - entry.at() > UNCERTAIN_WAIT.toMillis()) {
                after = new Entry(State.NEW, entry.attempts(), now);
            } else {
                continue;
            }
            ledger.put(intent.getKey(), after);
            lines.append(line(intent.getKey(), after));
        }
        if (lines.length() > 0) {
            context.storage().appendString(LOG, lines.toString());
        }
    }

    /** A bearer token for the cloud, from memory or by signing in; empty when the cloud cannot be reached now. */
    Optional<String> token(ExtensionContext context, long now) {
        cloudUnreachable = false;
        if (token != null && now < tokenExpiresAt) {
            return Optional.of(token);
        }
        Map<String, String> config = context.configuration();
        String form = "grant_type=client_credentials&client_id=" + enc(config.getOrDefault("cloud.clientId", ""))
                + "&client_secret=" + enc(config.getOrDefault("cloud.clientSecret", ""));
        URI url = URI.create(config.getOrDefault("cloud.tokenUrl", base(context) + "auth/token"));
        try {
            ExtensionHttp.Response response = context.http().send(UploadRequest.post(url)
                    .withHeader("Content-Type", "application/x-www-form-urlencoded"), form);
            Matcher access = ACCESS_TOKEN.matcher(response.bodyText());
            if (!response.isSuccessful() || !access.find()) {
                cloudUnreachable = true;
                return Optional.empty();
            }
            Matcher expires = EXPIRES_IN.matcher(response.bodyText());
            long life = expires.find() ? Long.parseLong(expires.group(1)) * 1000 : 600_000;
            token = access.group(1);
            tokenExpiresAt = now + life / 2; // renewed half-way: a job may wait a while before its transfer
            return Optional.of(token);
        } catch (ExtensionHttp.TransportException offline) {
            cloudUnreachable = true;
            return Optional.empty();
        }
    }

    private static Duration backoff(int attempts) {
        Duration wait = FIRST_WAIT;
        for (int i = 1; i < attempts && wait.compareTo(MAX_WAIT) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(MAX_WAIT) < 0 ? wait : MAX_WAIT;
    }

    private static String base(ExtensionContext context) {
        String base = context.uploadUrlBase().toString();
        return base.endsWith("/") ? base : base + "/";
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String line(String key, Entry entry) {
        return key + "\t" + entry.state() + "\t" + entry.attempts() + "\t" + entry.at() + "\n";
    }

    /** The log, replayed: the last complete line of each key wins; an intent of a dead process stays an intent. */
    private static TreeMap<String, Entry> load(ExtensionContext context) {
        TreeMap<String, Entry> out = new TreeMap<>();
        String text = context.storage().readString(LOG).orElse("");
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return out;
        }
        for (String line : text.substring(0, end).split("\n")) {
            String[] f = line.split("\t");
            if (f.length != 4) {
                continue; // a torn line from a kill mid-write
            }
            try {
                Entry entry = new Entry(State.valueOf(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]));
                out.put(f[0], entry);
            } catch (IllegalArgumentException torn) {
                // skip it
            }
        }
        return out;
    }

    /**
     * A correct twin that keeps a ledger per server ({@link #ledgerPerServer}): after a move back
     * it does not upload again what the server it comes back to received before. Right under
     * "a server keeps what it received" (docs/simulator.md); a model that counted only what was
     * sent after the last change would blame its COMPLETED after the move back (RES-01) for work
     * the server had done long before.
     */
    public static final class KeepsALedgerPerServer extends FullWalkExtension {
        @Override
        protected boolean ledgerPerServer() {
            return true;
        }
    }

    /**
     * A broken twin that reads Apple's Developer Mode advice ("processing only when the call made
     * progress") as the whole rule: a call that moved nothing answers COMPLETED, even with its
     * jobs still in flight. Those jobs then finish with nothing left to call the extension: on a
     * phone left alone they wait unacknowledged until the next photo, maybe days later — ACK-01
     * FAIL on {@code quiet-phone}; the other profiles' recovery photos hide it.
     */
    public static final class CompletesWithJobsInFlight extends FullWalkExtension {
        @Override
        protected ProcessingResult answer(boolean backlog, long inFlight, boolean moved) {
            return backlog || moved ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
        }
    }

    /**
     * A broken twin that trusts its own timer over the fetch sets (issue 15, the fetch-set lag):
     * "the system calls about 1 s after my uploads end (reference §5), so a call that creates
     * nothing comes after my batch has finished: once I have acknowledged what the ACKNOWLEDGE set
     * shows, I am done". It answers COMPLETED whenever it created nothing and nothing waits for a
     * job, although jobs still show PENDING. Without the lag every job of the batch shows finished
     * at that follow-up and the twin behaves as {@link FullWalkExtension}; with the device's 0.1–5 s
     * lag some still show PENDING 1 s after the uploads end, they finish unacknowledged and, after
     * COMPLETED, nothing calls it again (ACK-01).
     */
    public static final class TrustsTheFollowUp extends FullWalkExtension {
        @Override
        protected ProcessingResult answer(boolean backlog, long inFlight, boolean moved) {
            return backlog || createdThisCall() > 0 ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
        }
    }

    /**
     * A broken twin that never answers COMPLETED ("PROCESSING keeps us called, so no photo is
     * ever missed"): with nothing to do it still asks to be called again, every few minutes, for
     * ever — RES-03 FAIL (PROCESSING without progress), and its run never becomes quiescent.
     */
    public static final class NeverCompletes extends FullWalkExtension {
        @Override
        protected ProcessingResult answer(boolean backlog, long inFlight, boolean moved) {
            return ProcessingResult.PROCESSING;
        }
    }

    /**
     * A broken twin that reports its status to its server after every call ("the app shows when
     * the backup last ran") and, like {@link NeverCompletes}, never answers COMPLETED. Each call
     * changes something in the cloud, so no streak of idle calls forms; but nothing ever lets the
     * phone rest: the run reaches the time limit, and RES-03 FAILs the run that never became
     * quiescent.
     */
    public static final class ReportsStatusForever extends FullWalkExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            ProcessingResult result = super.processJobs(context);
            long now = context.clock().millis();
            token(context, now).ifPresent(bearer -> {
                try {
                    context.http().send(UploadRequest.put(URI.create(base(context) + "files/backup-status.json"))
                            .withHeader("Authorization", "Bearer " + bearer), "{\"lastRun\":" + now + "}");
                } catch (ExtensionHttp.TransportException offline) {
                    // next time
                }
            });
            return result;
        }

        @Override
        protected ProcessingResult answer(boolean backlog, long inFlight, boolean moved) {
            return ProcessingResult.PROCESSING;
        }
    }

    /**
     * The full walk, reading each finished job's response headers the defensive way: a copy of
     * the map first ({@code new HashMap<>(job.responseHeaderFields().get())}, "the system's
     * dictionary may change under me"), then lookups on the copy, by lowercase name. Correct; the
     * copy is a read of the headers, so CLD-01 is exercised (before, the lookups on the copy went
     * unseen and CLD-01 was NOT_APPLICABLE: "never read a header").
     */
    public static final class CopiesHeaders extends FullWalkExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            if (context.osAtLeast("26.4")) {
                int stored = 0;
                for (UploadJob job : context.library().fetchJobs(JobAction.ACKNOWLEDGE)) {
                    if (job.responseHeaderFields().isPresent()) {
                        Map<String, String> headers = new java.util.HashMap<>(job.responseHeaderFields().get());
                        if (headers.get("x-object-id") != null || headers.get("etag") != null) {
                            stored++;
                        }
                    }
                }
                if (stored > 0) {
                    context.log().info(stored + " finished jobs name their stored object");
                }
            }
            return super.processJobs(context);
        }
    }

    /** The broken twin: "tidies up" by cancelling jobs it sees finished — JOB-04 FAIL (cancel applies to registered or pending jobs only). */
    public static final class CancelsFinishedJobs extends FullWalkExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            List<UploadJob> finished = context.library().fetchJobs(JobAction.ACKNOWLEDGE);
            if (!finished.isEmpty() && context.osAtLeast("26.4")) {
                try {
                    context.library().performChanges(changes -> changes.cancel(finished.get(0)));
                } catch (PhotosException expected) {
                    // the suite judges the attempt
                }
            }
            return super.processJobs(context);
        }
    }
}
