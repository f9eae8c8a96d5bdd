package org.upcert.conformance.styles;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadError;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A correct extension written apart from the sample, in its own plain style, that <em>gives up</em>
 * on a resource the server keeps refusing — judged, as on a device, without the HTTP status. One
 * state file rewritten whole ({@value #STATE}, atomic), a full walk of the library every call,
 * no retry in place (every failure: acknowledge, a new job later), generic-put only.
 *
 * <p>What it reads of a failed job is what PhotoKit documents: whether response headers are there
 * (a response arrived), {@code retry-after} among them, and the sanitized code. Its policy:
 * <ul>
 *   <li>no response (network): a new job after {@value #NETWORK_WAIT_S} s, never given up;
 *   <li>{@code retry-after}: a new job once it has passed;
 *   <li>any other answer (a <em>refusal</em>: 400, 413 and 503 look alike): a new job after
 *       {@value #REFUSAL_WAIT_S} s; given up once {@value #GIVE_UP_REFUSALS} refusals span
 *       {@value #GIVE_UP_SPAN_MIN} minutes (upcert's GiveUp asks for 5 over 30: a margin);
 *   <li>{@code -1022} (blocked by policy): given up at once, the system's own word.
 * </ul>
 * Its twins get that one decision wrong: {@link NeverGivesUp} keeps trying a refused resource
 * for ever (RTY-02: an unbounded loop), {@link GivesUpAtOnce} gives up at the first refusal, so
 * a passing burst of server errors loses photos (RTY-01).
 *
 * <p>Needs iOS 26.4 (it reads {@code responseHeaderFields} and {@code error} without checking the level):
 * declared with {@code deploymentTarget: "26.4"} it is judged at 26.4 on the 26.1 profiles ({@link
 * DeploymentTargetAcceptanceTest}).
 *
 * <p>Its state is kept per server: an entry is keyed by the upload base its job went to and the
 * resource. When the host app moves the account to another server ({@code host.server}: {@code
 * uploadUrlBase()} answers the new server's base from the next call) the new server holds nothing
 * of ours, so every resource is new there; a move back finds what the first server received (a
 * server keeps what it received). A job still in flight to the server left is recorded under that
 * server when it finishes. The token is the server's it was issued by. (Before this, one state for
 * every server: after a move, what the first server had was taken for uploaded, E2E-01 and RES-01
 * on 80 of the first 300 seeds explored, every one of them with a {@code host.server}.)
 *
 * <p>A job is recorded once its create block has returned, so a kill right after the commit leaves
 * jobs the state calls new. From iOS 26.5 the next process finds them in the PROCESS set and waits
 * for them (twin {@link IgnoresTheProcessSet}: DUP-01 on {@code kills-after-commit} seed 3); before
 * 26.5 nothing shows a job in flight, and one still uploading at the relaunch gets a second job
 * (upcert excuses such an unseen orphan: DUP-01, docs/exploration.md). It claimed to be "not
 * kill-safe, judged under profiles without kills" before, yet failed no kill rule in 700 explored
 * seeds: LIMIT_EXCEEDED rejected the blocks that would have made the second jobs whole while more
 * remained to upload than the job limit held.
 */
public class PatientUploader implements UploadExtension {
    static final String STATE = "patient/state.tsv";
    /** The bearer token, kept across relaunches (as an app keeps it in its keychain) until the server rejects it. */
    static final String TOKEN = "patient/token.txt";
    static final String KEY_HEADER = "X-Patient-Key";
    static final int NETWORK_WAIT_S = 20;
    static final int REFUSAL_WAIT_S = 150;
    static final int GIVE_UP_REFUSALS = 7;
    static final int GIVE_UP_SPAN_MIN = 32;
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    /**
     * One resource: where it stands, when it may be tried next, its refusals and when the first was
     * noticed, and the job whose outcome it last recorded ("" if none).
     */
    record Resource(String status, long notBefore, int refusals, long firstRefusal, String lastJob) {
        static final Resource NEW = new Resource("NEW", 0, 0, 0);

        Resource(String status, long notBefore, int refusals, long firstRefusal) {
            this(status, notBefore, refusals, firstRefusal, "");
        }
    }

    private volatile boolean stopping;
    /** Keyed by {@link #entry}: the upload base of the server, then the resource. */
    private TreeMap<String, Resource> state;
    private String token;
    /** The upload base {@link #token} was issued for. */
    private String tokenServer;
    private boolean tokenRejected;

    @Override
    public void willTerminate() {
        stopping = true;
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        stopping = false;
        try {
            return round(context);
        } catch (RuntimeException unexpected) {
            context.log().error("unexpected: " + unexpected);
            return ProcessingResult.FAILURE;
        }
    }

    private ProcessingResult round(ExtensionContext context) {
        long now = context.clock().millis();
        if (state == null) {
            state = load(context);
        }
        String server = base(context); // the account's server now (host.server moves it)
        // 1. What finished: recorded (durably), then acknowledged, every one of them (ACK-02, ACK-03).
        List<UploadJob> finished = context.library().fetchJobs(JobAction.ACKNOWLEDGE);
        for (UploadJob job : finished) {
            String sentTo = serverOf(job.destination().url().toString());
            job.destination().header(KEY_HEADER).ifPresent(key -> state.put(entry(ledgerOf(sentTo), key),
                    outcome(job, state.getOrDefault(entry(ledgerOf(sentTo), key), Resource.NEW), now)));
        }
        if (!finished.isEmpty()) {
            save(context);
            try {
                context.library().performChanges(changes -> finished.forEach(changes::acknowledge));
            } catch (PhotosException e) {
                context.log().warn("acknowledging: " + e.getMessage());
            }
        }
        if (context.library().authorizationStatus() != AuthorizationStatus.AUTHORIZED
                || !context.library().isUploadJobExtensionEnabled()) {
            return ProcessingResult.PROCESSING; // no consent: create nothing (CNS-01), come back when it returns
        }
        // 1b. Jobs a kill hid: a kill right after a create block's commit leaves jobs the state never
        //     recorded (it is written after the commit, and a commit already sent survives its
        //     process's death, reference §6). From iOS 26.5 the PROCESS set shows them: adopted as in
        //     flight, so the walk below makes no second job beside one (DUP-01, kills-after-commit
        //     seed 3). Before 26.5 no API shows a job in flight; it shows up in the ACKNOWLEDGE set
        //     once finished and is recorded then.
        if (readsTheProcessSet() && context.osAtLeast("26.5")) {
            boolean adopted = false;
            for (UploadJob job : context.library().fetchJobs(JobAction.PROCESS)) {
                Optional<String> key = job.destination().header(KEY_HEADER);
                if (key.isPresent()) {
                    String at = entry(ledgerOf(serverOf(job.destination().url().toString())), key.get());
                    Resource r = state.getOrDefault(at, Resource.NEW);
                    if (!r.status().equals("IN_FLIGHT")) {
                        state.put(at, new Resource("IN_FLIGHT", r.notBefore(), r.refusals(), r.firstRefusal(), r.lastJob()));
                        adopted = true;
                    }
                }
            }
            if (adopted) {
                save(context);
            }
        }
        // 2. A full walk: what needs a job now, and whether anything is still waiting. A resource with
        //    a job in flight to any server gets no second job (DUP-01): one sent to the server the
        //    account left is waited for, and the new server gets its job once it has finished.
        java.util.TreeSet<String> inFlightAnywhere = new java.util.TreeSet<>();
        state.forEach((entry, r) -> {
            if (r.status().equals("IN_FLIGHT") && waitsForJobsElsewhere()) {
                inFlightAnywhere.add(entry.substring(entry.indexOf(' ') + 1));
            }
        });
        List<AssetResource> due = new ArrayList<>();
        boolean waiting = false;
        List<Asset> assets = context.library().fetchAssets();
        if (assets.isEmpty() && !trustsAnEmptyWalk()
                && (pendingOn(ledgerOf(server)) || (!knows(ledgerOf(server)) && !trustsAnEmptyWalkWithNothingKnown()))) {
            // A walk that finds no asset while resources are still to upload: PhotoKit's fetchAssets
            // returns nothing at times (YAIIU #50), and an empty library looks the same. Not
            // COMPLETED (nothing would call again before the next library change: E2E-01 and CNS-02
            // on explore:347, 229 photos); FAILURE lets the system call again after its backoff.
            // The same when this server's state knows no resource at all (no walk has found one for
            // it yet: the first call, or the first after a move of the account): nothing tells an
            // empty library from one that did not answer, and on a quiet phone a COMPLETED is never
            // followed by a call (E2E-01 on explore:4038, 371 resources, the first walk empty; RTY-01,
            // TRM-03, E2E-01, CNS-02, CHG-02 on explore:4241, four empty walks after a move). An
            // empty library costs calls after a backoff, not photos.
            return finished.isEmpty() ? ProcessingResult.FAILURE : ProcessingResult.PROCESSING;
        }
        // What a walk found is written down (NEW) and what it no longer finds forgotten, so that a
        // later empty walk can be told from an empty library by the resources still to upload.
        java.util.TreeSet<String> seen = new java.util.TreeSet<>();
        boolean discovered = false;
        for (Asset asset : assets) {
            for (AssetResource resource : asset.resources()) {
                seen.add(entry(ledgerOf(server), resource.key()));
                discovered |= state.putIfAbsent(entry(ledgerOf(server), resource.key()), Resource.NEW) == null;
                if (inFlightAnywhere.contains(resource.key())) {
                    waiting = true;
                    continue;
                }
                Resource r = state.getOrDefault(entry(ledgerOf(server), resource.key()), Resource.NEW);
                switch (r.status()) {
                    case "NEW", "WAITING" -> {
                        if (r.notBefore() <= now) {
                            due.add(resource);
                        } else {
                            waiting = true;
                        }
                    }
                    case "IN_FLIGHT" -> waiting = true;
                    default -> { } // UPLOADED, GIVEN_UP
                }
            }
        }
        if (!assets.isEmpty()) {
            discovered |= state.entrySet().removeIf(e -> e.getKey().startsWith(ledgerOf(server) + " ")
                    && e.getValue().status().equals("NEW") && !seen.contains(e.getKey())); // deleted meanwhile
        }
        if (discovered) {
            save(context);
        }
        // 3. New jobs, up to the free capacity. Jobs in flight to a server the account left count too:
        //    they hold their places until they finish and are acknowledged.
        long inFlight = state.values().stream().filter(r -> r.status().equals("IN_FLIGHT")).count();
        waiting |= inFlight > 0;
        int room = (int) Math.max(0, context.library().jobLimit() - inFlight);
        List<AssetResource> batch = due.subList(0, Math.min(room, due.size()));
        if (!batch.isEmpty() && !stopping) {
            Optional<String> bearer = bearer(context, server);
            if (bearer.isEmpty() && stopping && !signsInAfterTheNotice()) {
                return ProcessingResult.PROCESSING; // told to stop with work left (RES-02)
            }
            if (bearer.isEmpty()) {
                // The server refuses to sign us in (or cannot be reached): nothing a call in ~5 min
                // could do differently, so FAILURE (the system backs off) unless this call moved
                // something; PROCESSING every time was an endless loop (RES-03, explore:140: a sign-in
                // answered 429 for an hour).
                return finished.isEmpty() ? whenSignInFails() : ProcessingResult.PROCESSING;
            }
            try {
                context.library().performChanges(changes -> {
                    for (AssetResource resource : batch) {
                        changes.createJob(resource, UploadRequest.put(URI.create(server + "files/"
                                + URLEncoder.encode(resource.key(), StandardCharsets.UTF_8)))
                                .withHeader("Authorization", "Bearer " + bearer.get())
                                .withHeader(KEY_HEADER, resource.key()));
                    }
                });
            } catch (PhotosException e) {
                return ProcessingResult.PROCESSING; // LIMIT_EXCEEDED and the like: nothing happened, later
            }
            for (AssetResource resource : batch) {
                Resource r = state.getOrDefault(entry(ledgerOf(server), resource.key()), Resource.NEW);
                state.put(entry(ledgerOf(server), resource.key()), new Resource("IN_FLIGHT", r.notBefore(), r.refusals(),
                        r.firstRefusal(), r.lastJob()));
            }
            save(context);
        }
        boolean more = due.size() > batch.size() || waiting || !batch.isEmpty();
        return more ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
    }

    /** Whether some resource in {@code ledger}'s state is neither uploaded nor given up. */
    private boolean pendingOn(String ledger) {
        return state.entrySet().stream().anyMatch(e -> e.getKey().startsWith(ledger + " ")
                && !e.getValue().status().equals("UPLOADED") && !e.getValue().status().equals("GIVEN_UP"));
    }

    /** Whether jobs in flight the state does not know (a kill hid them) are looked for in the PROCESS set (iOS 26.5+). */
    protected boolean readsTheProcessSet() {
        return true;
    }

    /** Whether a walk that found no asset is taken for an empty library. */
    protected boolean trustsAnEmptyWalk() {
        return false;
    }

    /** Whether a walk that found no asset is taken for an empty library when this server's state knows no resource. */
    protected boolean trustsAnEmptyWalkWithNothingKnown() {
        return false;
    }

    /** Whether {@code ledger}'s state holds any resource (a walk found one for that server). */
    private boolean knows(String ledger) {
        return state.keySet().stream().anyMatch(k -> k.startsWith(ledger + " "));
    }

    /** Whether a resource with a job in flight to another server (the one the account left) waits for it. */
    protected boolean waitsForJobsElsewhere() {
        return true;
    }

    /** The answer of a call that moved nothing because the sign-in failed. */
    protected ProcessingResult whenSignInFails() {
        return ProcessingResult.FAILURE;
    }

    /** Whose state a job sent to {@code server} (an upload base) belongs to: that server's. */
    protected String ledgerOf(String server) {
        return server;
    }

    /** The state's key of {@code resource} in the state of {@code ledger} ({@link #ledgerOf}). */
    static String entry(String ledger, String resource) {
        return ledger + " " + resource;
    }

    /** The upload base a destination of this extension's went to ({@code BASE files/KEY}). */
    static String serverOf(String destination) {
        int files = destination.lastIndexOf("files/");
        return files < 0 ? destination : destination.substring(0, files);
    }

    /**
     * The resource after its job finished, counted once per job: a job whose outcome the state
     * already holds is one presented again because the block acknowledging it never committed (a
     * kill inside it, before the commit). Counted again, one refused job was two or three
     * refusals, and the style gave up on two photos after 4 refusals it took for 7 (explore:1656 on
     * PatientUploader: RTY-01, E2E-01; twin {@link CountsAJobAgain}).
     */
    Resource outcome(UploadJob job, Resource before, long now) {
        if (countsEachJobOnce() && job.localIdentifier().equals(before.lastJob())) {
            return before;
        }
        Resource after = judged(job, before, now);
        return new Resource(after.status(), after.notBefore(), after.refusals(), after.firstRefusal(), job.localIdentifier());
    }

    /** Whether a job presented again is left as counted ({@link CountsAJobAgain}: no). */
    boolean countsEachJobOnce() {
        return true;
    }

    private Resource judged(UploadJob job, Resource before, long now) {
        if (job.state() == JobState.SUCCEEDED) {
            return new Resource("UPLOADED", 0, before.refusals(), before.firstRefusal());
        }
        Optional<SortedMap<String, String>> headers = job.responseHeaderFields();
        int code = job.error().map(UploadError::code).orElse(0);
        if (headers.isEmpty()) {
            if (code == UploadError.BLOCKED_BY_POLICY) {
                return new Resource("GIVEN_UP", 0, before.refusals(), before.firstRefusal());
            }
            return new Resource("WAITING", now + NETWORK_WAIT_S * 1000L, before.refusals(), before.firstRefusal());
        }
        if (code == UploadError.USER_AUTHENTICATION_REQUIRED) {
            token = null; // sign in again for the next job
            tokenRejected = true;
        }
        Optional<Long> retryAfter = Optional.ofNullable(headers.get().get("retry-after")).flatMap(PatientUploader::seconds);
        if (retryAfter.isPresent()) {
            return new Resource("WAITING", now + Math.max(NETWORK_WAIT_S, retryAfter.get()) * 1000L, before.refusals(),
                    before.firstRefusal());
        }
        int refusals = before.refusals() + 1;
        long first = before.firstRefusal() > 0 ? before.firstRefusal() : now;
        if (givesUp(refusals, first, before.notBefore())) {
            return new Resource("GIVEN_UP", 0, refusals, first);
        }
        return new Resource("WAITING", now + REFUSAL_WAIT_S * 1000L, refusals, first);
    }

    /**
     * Whether {@code refusals} (the first noticed at {@code first}; the job just refused created no
     * earlier than {@code notBefore}) are enough to give up.
     */
    boolean givesUp(int refusals, long first, long notBefore) {
        return refusals >= GIVE_UP_REFUSALS && notBefore - first >= GIVE_UP_SPAN_MIN * 60_000L;
    }

    private static Optional<Long> seconds(String value) {
        try {
            return Optional.of(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException notSeconds) {
            return Optional.of(120L); // an HTTP date: wait a while rather than parse it
        }
    }

    private Optional<String> bearer(ExtensionContext context, String server) {
        if (tokenRejected) {
            context.storage().delete(TOKEN);
            tokenRejected = false;
        } else if (token == null) {
            // kept as "BASE TOKEN": a token the server the account left issued is no use on the new one
            String[] kept = context.storage().readString(TOKEN).orElse("").strip().split(" ", 2);
            if (kept.length == 2 && !kept[1].isBlank()) {
                token = kept[1];
                tokenServer = kept[0];
            }
        }
        if (token != null && server.equals(tokenServer)) {
            return Optional.of(token);
        }
        token = null;
        if (stopping && !signsInAfterTheNotice()) {
            return Optional.empty(); // told to stop: no new request (TRM-01)
        }
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
            token = access.group(1);
            tokenServer = server;
            context.storage().writeString(TOKEN, server + " " + token);
            return Optional.of(token);
        } catch (ExtensionHttp.TransportException offline) {
            return Optional.empty();
        }
    }

    private void save(ExtensionContext context) {
        StringBuilder text = new StringBuilder();
        state.forEach((key, r) -> text.append(key).append('\t').append(r.status()).append('\t').append(r.notBefore())
                .append('\t').append(r.refusals()).append('\t').append(r.firstRefusal()).append('\t').append(r.lastJob())
                .append('\n'));
        context.storage().writeString(STATE, text.toString());
    }

    private static TreeMap<String, Resource> load(ExtensionContext context) {
        TreeMap<String, Resource> out = new TreeMap<>();
        for (String line : context.storage().readString(STATE).orElse("").split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 5 || f.length == 6) {
                out.put(f[0], new Resource(f[1], Long.parseLong(f[2]), Integer.parseInt(f[3]), Long.parseLong(f[4]),
                        f.length == 6 ? f[5] : ""));
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
     * Not a twin: the same extension, which also writes {@code witness/status-N} to its storage
     * whenever a failed job shows it an HTTP status (visible in the trace as a storage write), so
     * a test can see what each hosting mode shows it.
     */
    public static final class StatusWitness extends PatientUploader {
        private ExtensionContext current;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            current = context;
            return super.processJobs(context);
        }

        @Override
        Resource outcome(UploadJob job, Resource before, long now) {
            job.error().flatMap(UploadError::httpStatus)
                    .ifPresent(status -> current.storage().writeString("witness/status-" + status, "seen"));
            return super.outcome(job, before, now);
        }
    }

    /**
     * Broken twin: one state for every server, as this style kept before exploring it: after the
     * host app moves the account (host.server), what the first server received is taken for
     * uploaded and never sent to the new one. E2E-01 and RES-01 FAIL it (explore:2).
     */
    public static final class OneStateForEveryServer extends PatientUploader {
        @Override
        protected String ledgerOf(String server) {
            return "any";
        }
    }

    /**
     * Broken twin: after a move of the account, creates the new server's job for a resource while
     * its job to the server left is still in flight. DUP-01 FAILs it (explore:279).
     */
    public static final class NewJobBesideTheOldServers extends PatientUploader {
        @Override
        protected boolean waitsForJobsElsewhere() {
            return false;
        }
    }

    /**
     * Broken twin: answers PROCESSING when the sign-in fails and nothing moved, so a server that
     * refuses sign-ins for an hour gets a call every 5 minutes that does nothing. RES-03 FAILs it
     * (explore:140).
     */
    public static final class ProcessingWhenSignInFails extends PatientUploader {
        @Override
        protected ProcessingResult whenSignInFails() {
            return ProcessingResult.PROCESSING;
        }
    }

    /**
     * Broken twin: takes a walk that found no asset for an empty library and answers COMPLETED
     * with photos still to upload; nothing calls it again before the next library change. E2E-01
     * FAILs it (explore:347).
     */
    public static final class TrustsAnEmptyWalk extends PatientUploader {
        @Override
        protected boolean trustsAnEmptyWalk() {
            return true;
        }
    }

    /**
     * Broken twin: as this style was before explore:4038 and explore:4241, distrusts an empty walk
     * only while its state has resources to upload; one whose state knows nothing for the server
     * (the first call, the first after a move) is taken for an empty library and answered COMPLETED.
     * On a quiet phone nothing calls it again: E2E-01 FAILs it (explore:4038).
     */
    public static final class TrustsAnEmptyFirstWalk extends PatientUploader {
        @Override
        protected boolean trustsAnEmptyWalkWithNothingKnown() {
            return true;
        }
    }

    /**
     * Broken twin: records a job only once its create block has returned and never looks for jobs
     * a kill hid, as this style did before: a kill right after the commit leaves jobs its state
     * calls new, and the relaunched process makes second jobs beside those still in flight,
     * although iOS 26.5's PROCESS set shows them. DUP-01 and TRM-03 FAIL it (kills-after-commit
     * seed 3). Often masked: while the library still has more to upload than the job limit holds,
     * the block that would make the second jobs also overfills the limit and LIMIT_EXCEEDED
     * rejects it whole.
     */
    public static final class IgnoresTheProcessSet extends PatientUploader {
        @Override
        protected boolean readsTheProcessSet() {
            return false;
        }
    }

    /**
     * Whether it signs in although told to stop. No: the notice can come while {@link #bearer}
     * prepares the sign-in (it drops a refused token from storage first), and a sign-in started
     * after it that {@code cloud.slow} answered 25 s later outlived the 5 s grace (explore:1560 on
     * PatientUploader: TRM-01; twin {@link SignsInAfterTheNotice}).
     */
    boolean signsInAfterTheNotice() {
        return false;
    }

    /** Broken twin: signs in after the termination notice, as this style did (explore:1560). TRM-01 FAILs it. */
    public static final class SignsInAfterTheNotice extends PatientUploader {
        @Override
        boolean signsInAfterTheNotice() {
            return true;
        }
    }

    /**
     * Broken twin: counts the outcome of a job presented again after a kill inside the acknowledging
     * block once more, as this style did: 4 refusals taken for 7, two photos given up too soon
     * (explore:1656). RTY-01 and E2E-01 FAIL it.
     */
    public static final class CountsAJobAgain extends PatientUploader {
        @Override
        boolean countsEachJobOnce() {
            return false;
        }
    }

    /** Broken twin: keeps trying a refused resource for ever (every 2.5 minutes). RTY-02 FAILs it. */
    public static final class NeverGivesUp extends PatientUploader {
        @Override
        boolean givesUp(int refusals, long first, long notBefore) {
            return false;
        }
    }

    /** Broken twin: takes the first refusal for permanent, so a burst of 5xx loses photos. RTY-01 FAILs it. */
    public static final class GivesUpAtOnce extends PatientUploader {
        @Override
        boolean givesUp(int refusals, long first, long notBefore) {
            return true;
        }
    }
}
