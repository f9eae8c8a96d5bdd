package org.upcert.conformance.styles;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
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
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.StorageUnavailableException;
import org.upcert.api.UploadError;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A Dropbox extension written apart from the sample, from docs/cloud.md and the reference's Dropbox
 * section (shared/reference/cloud-upload-protocols.md), on purpose unlike the sample's
 * {@code DropboxDialect} and ledger:
 * <ul>
 *   <li><b>{@code mode: add}</b>, never {@code overwrite}: a path is written once. Dropbox answers a
 *       resend of the same bytes to the same path with the existing metadata (no conflict), so a
 *       retry after a lost answer is harmless, and a different file never replaces a stored one.
 *   <li><b>The job's identity is its Dropbox path</b> ({@code Dropbox-API-Arg}'s {@code path},
 *       {@code /Camera Uploads/<asset>/<TYPE>-<file name>}), no header of its own and never
 *       {@code resource} (nil on some finished jobs).
 *   <li><b>A file per resource</b> in the app group ({@value #DIR}{@code <hex key>}, one line written
 *       atomically), read once per process; no log, no snapshot.
 *   <li><b>The server is asked, not the job</b>: after every job that failed with an answer (or on iOS
 *       26.1, where a failure shows nothing) it asks {@code files/get_metadata} for the path
 *       (at most {@value #LOOKUPS_PER_CALL} a call): a file of the resource's size there is the
 *       upload done (a lost answer, a 2xx the system reported failed, a 409 {@code path/conflict} whose
 *       file is ours). A success is trusted as is; its metadata is never read.
 *   <li><b>Newest photos first</b>, never a resource over Dropbox's 150 MB a request (the system
 *       sends a resource in one request; {@code payload_too_large} would refuse it every time).
 *   <li>Failures: no answer, a retry in place with a fresh destination (fresh token); {@code -1013}, sign
 *       in again (unless a later sign-in already replaced the refused token) and retry in place; {@code retry-after}, a new job after it; any other answer a refusal:
 *       a new job after 15 s, 40 s, then 1, 2, 4, 8 minutes, given up after 6 refusals over 35 minutes (from the
 *       first refusal seen to the making of the last attempt refused).
 *   <li>A create block is written as an intent first: a kill may fall before or after its commit. From
 *       iOS 26.5 an intent whose job the PROCESS set shows is in flight; an intent nothing confirmed for
 *       20 minutes is asked of the server, then tried again. An intent whose asset the library no longer
 *       returns is forgotten once no job of it can exist (the PROCESS set from 26.5, else the 20 minutes).
 *   <li>After {@code willTerminate} no request starts (no sign-in, no lookup, no job settled further).
 *   <li>A change of server ({@code host/server}): everything not in flight is forgotten and uploaded
 *       again there; a job sent to the old server counts for nothing.
 * </ul>
 * {@link TrustsAConflict}, {@link IgnoresTheProcessSet}, {@link KeepsIntentsOfDeletedAssets} and
 * {@link SignsInAfterTheNotice} are its broken twins.
 */
public class DropboxAddModeStyle implements UploadExtension {
    static final String DIR = "dbx/r/";
    /** The generation of {@code host/server} the records describe. */
    static final String SERVER = "dbx/server";
    static final String ARG = "Dropbox-API-Arg";
    static final String FOLDER = "/Camera Uploads/";
    /** Dropbox: at most 150 MB in one request (read as MiB, the lenient reading; the system sends a resource whole). */
    static final long MAX_REQUEST = 150L * 1024 * 1024;
    static final int LOOKUPS_PER_CALL = 25;
    static final int WINDOW = 60;
    static final int BLOCK = 20;
    static final long MINUTE = 60_000;
    static final long INTENT_WAIT = 20 * MINUTE;
    static final int GIVE_UP_REFUSALS = 6;
    static final long GIVE_UP_SPAN = 35 * MINUTE;
    private static final Pattern PATH = Pattern.compile("\"path\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern SIZE = Pattern.compile("\"size\"\\s*:\\s*(\\d+)");
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");
    private static final Set<Integer> NO_ANSWER = Set.of(UploadError.UNKNOWN, UploadError.CANCELLED, UploadError.TIMED_OUT,
            UploadError.CANNOT_FIND_HOST, UploadError.CANNOT_CONNECT_TO_HOST, UploadError.NETWORK_CONNECTION_LOST,
            UploadError.NOT_CONNECTED_TO_INTERNET, UploadError.RESOURCE_UNAVAILABLE, UploadError.DATA_NOT_ALLOWED);

    enum S { INTENT, SENT, WAIT, DONE, DROPPED }

    /** A resource's line: its state, jobs made, refusals in a row and the first's time, and a time (intent made, or not before). */
    record Rec(S s, int jobs, int refusals, long firstRefusal, long at, long size) {
        String line() {
            return s + " " + jobs + " " + refusals + " " + firstRefusal + " " + at + " " + size + "\n";
        }

        static Rec parse(String line) {
            String[] f = line.strip().split(" ");
            return new Rec(S.valueOf(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]));
        }

        Rec with(S state, long time) {
            return new Rec(state, jobs, refusals, firstRefusal, time, size);
        }
    }

    private volatile boolean stopping;
    private Map<String, Rec> ledger;
    private String token;
    private long tokenExpiresAt;
    private boolean signInFailed;
    private int lookups;

    @Override
    public void willTerminate() {
        stopping = true;
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        stopping = false;
        signInFailed = false;
        lookups = 0;
        try {
            return call(context);
        } catch (StorageUnavailableException locked) {
            ledger = null; // read it again once the container opens: memory may be ahead of it
            return ProcessingResult.FAILURE;
        } catch (RuntimeException unexpected) {
            context.log().error("unexpected: " + unexpected);
            ledger = null;
            return ProcessingResult.FAILURE;
        }
    }

    private ProcessingResult call(ExtensionContext context) {
        PhotoLibrary library = context.library();
        long now = context.clock().millis();
        if (ledger == null) {
            ledger = load(context);
        }
        followServer(context);
        boolean consent = library.authorizationStatus() == AuthorizationStatus.AUTHORIZED && library.isUploadJobExtensionEnabled();
        Set<String> finished = settle(context, now);
        if (stopping) {
            return ProcessingResult.PROCESSING;
        }
        if (!consent) {
            return ledger.values().stream().anyMatch(r -> r.s() != S.DONE && r.s() != S.DROPPED)
                    ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
        }
        adoptInFlight(context, now);
        List<Asset> assets = library.fetchAssets();
        if (assets.isEmpty()) {
            return ProcessingResult.FAILURE; // PhotoKit answers nothing at times: not an empty library
        }
        List<AssetResource> wanted = new ArrayList<>();
        Set<String> walked = new HashSet<>();
        boolean later = false;
        for (Asset asset : assets.stream().sorted(Comparator.comparing(Asset::creationDate).reversed()).toList()) {
            for (AssetResource resource : asset.resources()) {
                walked.add(resource.key());
                if (resource.fileSize() > MAX_REQUEST || resource.fileSize() == 0) {
                    continue; // one request cannot carry it to Dropbox
                }
                Rec rec = ledger.get(resource.key());
                if (rec != null && rec.s() == S.INTENT && !finished.contains(resource.key()) && now - rec.at() >= INTENT_WAIT
                        && !stopping) {
                    rec = resolveIntent(context, resource, rec, now);
                }
                if (rec == null || (rec.s() == S.WAIT && rec.at() <= now)) {
                    wanted.add(resource);
                } else if (rec.s() == S.WAIT || rec.s() == S.INTENT) {
                    later = true;
                }
            }
        }
        dropVanishedIntents(context, walked, now);
        long inFlight = ledger.values().stream().filter(r -> r.s() == S.SENT || r.s() == S.INTENT).count();
        int room = (int) Math.max(0, Math.min(library.jobLimit(), WINDOW) - inFlight);
        int created = 0;
        boolean limited = false;
        for (int i = 0; i < Math.min(room, wanted.size()) && !stopping; i += BLOCK) {
            List<AssetResource> block = wanted.subList(i, Math.min(Math.min(room, wanted.size()), i + BLOCK));
            int made = create(context, block, now);
            if (made < 0) {
                limited = true;
                break;
            }
            if (made == 0) {
                break;
            }
            created += made;
        }
        if (limited || stopping) {
            return ProcessingResult.PROCESSING;
        }
        boolean work = wanted.size() > created || later || inFlight + created > 0;
        if (work && signInFailed && created == 0 && finished.isEmpty()) {
            return ProcessingResult.FAILURE; // nothing moved for want of a sign-in: let the system back off
        }
        return work ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
    }

    // -- finished jobs --------------------------------------------------------------------------

    /** Records every finished job's outcome, then acknowledges or retries each; the keys seen finished. */
    private Set<String> settle(ExtensionContext context, long now) {
        PhotoLibrary library = context.library();
        List<UploadJob> done = library.fetchJobs(JobAction.ACKNOWLEDGE);
        Set<String> retryable = new HashSet<>();
        library.fetchJobs(JobAction.RETRY).forEach(job -> retryable.add(job.localIdentifier()));
        boolean visible = context.osAtLeast("26.4");
        Set<String> finished = new HashSet<>();
        List<UploadJob> acks = new ArrayList<>();
        Map<UploadJob, UploadRequest> retries = new java.util.LinkedHashMap<>();
        for (UploadJob job : done) {
            if (stopping && heedsTheNotice()) {
                break; // the rest stay unacknowledged: the next call settles them (explore:640)
            }
            Optional<String> key = keyOf(job.destination());
            Rec rec = key.map(ledger::get).orElse(null);
            if (rec == null || (rec.s() != S.SENT && rec.s() != S.INTENT)) {
                acks.add(job); // not ours, or its outcome is already written (a kill before the acknowledgement)
                continue;
            }
            finished.add(key.get());
            if (!job.destination().url().toString().startsWith(base(context))) {
                // Sent to the server the account has left (host/server): whatever it answered, the
                // server the account is on has nothing of it. Tried anew there.
                put(context, key.get(), new Rec(S.WAIT, rec.jobs(), 0, 0, now, rec.size()));
                acks.add(job);
                continue;
            }
            Rec after = outcome(context, job, rec, visible, now);
            if (after.s() == S.SENT && retryable.contains(job.localIdentifier())) {
                Optional<UploadRequest> fresh = destination(context, job.destination());
                if (fresh.isPresent()) {
                    retries.put(job, fresh.get());
                } else {
                    after = after.with(S.WAIT, now + MINUTE);
                    acks.add(job);
                }
            } else {
                if (after.s() == S.SENT) {
                    after = after.with(S.WAIT, now); // cannot retry in place: a new job now
                }
                acks.add(job);
            }
            put(context, key.get(), after);
        }
        if (!acks.isEmpty()) {
            try {
                library.performChanges(changes -> acks.forEach(changes::acknowledge));
            } catch (PhotosException e) {
                context.log().warn("acknowledging failed: " + e.getMessage());
            }
        }
        boolean retried = false;
        if (!retries.isEmpty() && !stopping) {
            try {
                library.performChanges(changes -> retries.forEach(changes::retry));
                retried = true;
            } catch (PhotosException e) {
                context.log().warn("retrying failed: " + e.getMessage()); // a retry counts under jobLimit
            }
        }
        if (!retries.isEmpty() && !retried) { // none was retried: acknowledged, new jobs later
            for (UploadJob job : retries.keySet()) {
                String key = keyOf(job.destination()).orElseThrow();
                put(context, key, ledger.get(key).with(S.WAIT, now));
            }
            try {
                library.performChanges(changes -> retries.keySet().forEach(changes::acknowledge));
            } catch (PhotosException e) {
                context.log().warn("acknowledging failed: " + e.getMessage());
            }
        }
        return finished;
    }

    /** What a finished job of {@code rec} leads to: DONE, SENT (retry it in place), WAIT or DROPPED. */
    private Rec outcome(ExtensionContext context, UploadJob job, Rec rec, boolean visible, long now) {
        if (job.state() == JobState.SUCCEEDED) {
            return new Rec(S.DONE, rec.jobs(), 0, 0, now, rec.size());
        }
        Optional<SortedMap<String, String>> headers = visible ? job.responseHeaderFields() : Optional.empty();
        int code = visible ? job.error().map(UploadError::code).orElse(UploadError.UNKNOWN) : 0;
        if (visible && (code == UploadError.FILE_DOES_NOT_EXIST || code == UploadError.BLOCKED_BY_POLICY)) {
            return new Rec(S.DROPPED, rec.jobs(), rec.refusals(), rec.firstRefusal(), now, rec.size());
        }
        boolean answered = !visible || headers.isPresent();
        if (answered && storedAnyway(context, job.destination(), rec)) {
            return new Rec(S.DONE, rec.jobs(), 0, 0, now, rec.size());
        }
        if (visible && headers.isEmpty() && NO_ANSWER.contains(code)) {
            return new Rec(S.SENT, rec.jobs() + 1, rec.refusals(), rec.firstRefusal(), now, rec.size());
        }
        String retryAfter = headers.map(h -> h.get("retry-after")).orElse(null);
        if (retryAfter != null) {
            long wait;
            try {
                wait = Math.min(30 * MINUTE, Long.parseLong(retryAfter.strip()) * 1000);
            } catch (NumberFormatException e) {
                wait = MINUTE;
            }
            return new Rec(S.WAIT, rec.jobs(), rec.refusals(), rec.firstRefusal(), now + wait, rec.size());
        }
        int refusals = rec.refusals() + 1;
        long first = rec.refusals() == 0 ? now : rec.firstRefusal();
        // The span is the refusals' own, as far as the style can know it: from the first refusal it saw to
        // the making of the attempt just refused (that one failed after it was made). Measured to now, a
        // refusal seen late stretched it: explore:1060 gave up after 7 refusals that happened within 27
        // minutes (RTY-01; the suite asks 5 over 30), the last one settled 8 minutes after it failed.
        if (refusals >= GIVE_UP_REFUSALS && refusalSpan(rec, first, now) >= GIVE_UP_SPAN) {
            return new Rec(S.DROPPED, rec.jobs(), refusals, first, now, rec.size());
        }
        if (code == UploadError.USER_AUTHENTICATION_REQUIRED) {
            // The job's token was refused (expired, or revoked by new credentials): sign in again and retry
            // in place, unless a later sign-in replaced it already (explore:640: 21 jobs refused after one
            // revocation each threw away the token the previous one had just fetched).
            if (!keepsAFreshToken() || job.destination().header("Authorization").orElse("").equals("Bearer " + token)) {
                token = null;
            }
            return new Rec(S.SENT, rec.jobs() + 1, refusals, first, now, rec.size());
        }
        long wait = switch (refusals) {
            case 1 -> 15_000;
            case 2 -> 40_000;
            default -> Math.min(8, 1L << (refusals - 3)) * MINUTE;
        };
        return new Rec(S.WAIT, rec.jobs(), refusals, first, now + wait, rec.size());
    }

    /** Whether the file is at the job's path with the resource's size ({@code files/get_metadata}). */
    protected boolean storedAnyway(ExtensionContext context, UploadRequest destination, Rec rec) {
        Optional<String> path = pathOf(destination);
        return path.isPresent() && lookUp(context, path.get()).map(size -> size == rec.size()).orElse(false);
    }

    /** The size of the file at {@code path}, empty when there is none or the service could not say. */
    private Optional<Long> lookUp(ExtensionContext context, String path) {
        if (lookups >= LOOKUPS_PER_CALL || stopping) {
            return Optional.empty();
        }
        lookups++;
        Optional<String> bearer = bearer(context);
        if (bearer.isEmpty()) {
            return Optional.empty();
        }
        URI api = context.cloudSettings().apiUrl().orElse(context.uploadUrlBase());
        try {
            ExtensionHttp.Response response = context.http().send(UploadRequest.post(api.resolve("files/get_metadata"))
                    .withHeader("Authorization", "Bearer " + bearer.get())
                    .withHeader("Content-Type", "application/json"), "{\"path\":" + json(path) + "}");
            if (response.status() == 401) {
                token = null;
            }
            Matcher size = SIZE.matcher(response.status() == 200 ? response.bodyText() : "");
            return size.find() ? Optional.of(Long.parseLong(size.group(1))) : Optional.empty();
        } catch (ExtensionHttp.TransportException e) {
            return Optional.empty();
        }
    }

    /**
     * Intents a kill right after their block's commit left unconfirmed, whose job the PROCESS set shows in
     * flight (iOS 26.5; only with full access, checked by the caller: under limited access the set is empty):
     * the job is ours and still going, so the intent is SENT and no second job is made beside it. Before
     * 26.5 nothing shows a job in flight; the intent waits {@value #INTENT_WAIT} ms and asks the server.
     */
    private void adoptInFlight(ExtensionContext context, long now) {
        if (!readsTheProcessSet() || !context.osAtLeast("26.5") || ledger.values().stream().noneMatch(r -> r.s() == S.INTENT)) {
            return;
        }
        for (UploadJob job : context.library().fetchJobs(JobAction.PROCESS)) {
            Optional<String> key = keyOf(job.destination());
            Rec rec = key.map(ledger::get).orElse(null);
            if (rec != null && rec.s() == S.INTENT) {
                put(context, key.get(), rec.with(S.SENT, now));
            }
        }
    }

    /** Whether intents are looked for in the PROCESS set; {@link IgnoresTheProcessSet} does not. */
    protected boolean readsTheProcessSet() {
        return true;
    }

    /** An intent nothing confirmed for a while: the server says whether its upload happened; else it goes again. */
    private Rec resolveIntent(ExtensionContext context, AssetResource resource, Rec rec, long now) {
        Optional<Long> size = lookUp(context, path(resource));
        Rec after = size.isPresent() && size.get() == resource.fileSize()
                ? new Rec(S.DONE, rec.jobs(), 0, 0, now, rec.size()) : rec.with(S.WAIT, now);
        put(context, resource.key(), after);
        return after;
    }

    /**
     * Intents whose asset the walk no longer returned (explore:397: a kill inside {@code create}, after the
     * intents were written and before {@code performChanges}, then the assets deleted): they are resolved
     * only while walking, so they stayed "in flight" and the call answered PROCESSING for ever. Such an
     * intent is forgotten once no job of it can exist — from iOS 26.5 (with full access, as here) the
     * PROCESS set did not show one a minute after the intent (its lag is seconds) and no finished job
     * named it; before 26.5 after the {@value #INTENT_WAIT} ms wait — and a targeted fetch confirms the
     * resource is gone (a scan may answer with less). A job that shows up finished later is not ours any
     * more and is acknowledged ({@link #settle}). {@link KeepsIntentsOfDeletedAssets} keeps them.
     */
    private void dropVanishedIntents(ExtensionContext context, Set<String> walked, long now) {
        if (!dropsVanishedIntents()) {
            return;
        }
        boolean processSet = readsTheProcessSet() && context.osAtLeast("26.5");
        for (Map.Entry<String, Rec> entry : new java.util.TreeMap<>(ledger).entrySet()) {
            Rec rec = entry.getValue();
            if (rec.s() != S.INTENT || walked.contains(entry.getKey()) || stopping) {
                continue;
            }
            boolean noJob = now - rec.at() >= (processSet ? MINUTE : INTENT_WAIT);
            if (noJob && context.library().fetchResource(entry.getKey()).isEmpty()) {
                context.storage().delete(DIR + hex(entry.getKey()));
                ledger.remove(entry.getKey());
            }
        }
    }

    /** Whether intents of deleted assets are forgotten; {@link KeepsIntentsOfDeletedAssets} does not. */
    protected boolean dropsVanishedIntents() {
        return true;
    }

    // -- new jobs -------------------------------------------------------------------------------

    /** Creates one block; the number created, 0 when nothing could be (no sign-in), -1 at the job limit. */
    private int create(ExtensionContext context, List<AssetResource> block, long now) {
        Optional<String> bearer = bearer(context);
        if (bearer.isEmpty()) {
            return 0;
        }
        Map<String, Rec> before = new HashMap<>();
        for (AssetResource resource : block) {
            Rec rec = ledger.get(resource.key());
            before.put(resource.key(), rec);
            put(context, resource.key(), rec == null ? new Rec(S.INTENT, 1, 0, 0, now, resource.fileSize())
                    : new Rec(S.INTENT, rec.jobs() + 1, rec.refusals(), rec.firstRefusal(), now, resource.fileSize()));
        }
        try {
            context.library().performChanges(changes -> {
                for (AssetResource resource : block) {
                    changes.createJob(resource, upload(context, path(resource), bearer.get()));
                }
            });
        } catch (PhotosException e) {
            for (AssetResource resource : block) { // nothing of the block happened
                Rec rec = before.get(resource.key());
                if (rec == null) {
                    ledger.remove(resource.key());
                    context.storage().delete(DIR + hex(resource.key()));
                } else {
                    put(context, resource.key(), rec);
                }
            }
            return e.code() == PhotosErrorCode.LIMIT_EXCEEDED ? -1 : 0;
        }
        for (AssetResource resource : block) {
            put(context, resource.key(), ledger.get(resource.key()).with(S.SENT, now));
        }
        return block.size();
    }

    /** A fresh destination for a retry in place: the same path, a valid token. */
    private Optional<UploadRequest> destination(ExtensionContext context, UploadRequest old) {
        Optional<String> path = pathOf(old);
        Optional<String> bearer = bearer(context);
        return path.isEmpty() || bearer.isEmpty() ? Optional.empty() : Optional.of(upload(context, path.get(), bearer.get()));
    }

    /** {@code files/upload} in mode {@code add}: the system sends the resource as the body. */
    protected UploadRequest upload(ExtensionContext context, String path, String bearer) {
        return UploadRequest.post(URI.create(base(context) + "files/upload"))
                .withHeader("Authorization", "Bearer " + bearer)
                .withHeader("Content-Type", "application/octet-stream")
                .withHeader(ARG, "{\"path\":" + json(path) + ",\"mode\":\"add\",\"autorename\":false,\"mute\":true}");
    }

    static String path(AssetResource resource) {
        return FOLDER + resource.assetLocalIdentifier() + "/" + resource.type().name() + "-" + resource.originalFilename();
    }

    static Optional<String> pathOf(UploadRequest destination) {
        Matcher m = PATH.matcher(destination.header(ARG).orElse(""));
        return m.find() ? Optional.of(unjson(m.group(1))) : Optional.empty();
    }

    /** The resource key a path names: {@code /Camera Uploads/<asset>/<TYPE>-<file>} → {@code <asset>#<TYPE>}. */
    static Optional<String> keyOf(UploadRequest destination) {
        Optional<String> path = pathOf(destination);
        if (path.isEmpty() || !path.get().startsWith(FOLDER)) {
            return Optional.empty();
        }
        String rest = path.get().substring(FOLDER.length());
        int slash = rest.lastIndexOf('/');
        int dash = slash < 0 ? -1 : rest.indexOf('-', slash);
        return dash < 0 ? Optional.empty() : Optional.of(rest.substring(0, slash) + "#" + rest.substring(slash + 1, dash));
    }

    // -- a change of server ---------------------------------------------------------------------

    /**
     * The host app moved the account to another server ({@code host/server} names a generation this
     * style has not followed, {@value #SERVER}): the new server holds nothing of ours. Every resource
     * not in flight is forgotten (uploaded again there; Dropbox answers identical bytes at a path it
     * already holds without a conflict, so coming back to a server costs no duplicate); a job in
     * flight is tried anew when it ends ({@link #settle}). Records first, then the generation: a kill
     * in between repeats the forgetting, which is idempotent.
     */
    private void followServer(ExtensionContext context) {
        String named = generation(context.storage().readString(org.upcert.api.AppGroupStorage.HOST_APP_SERVER).orElse(""));
        if (named.equals(context.storage().readString(SERVER).orElse("0"))) {
            return;
        }
        for (Map.Entry<String, Rec> entry : new java.util.TreeMap<>(ledger).entrySet()) {
            if (entry.getValue().s() != S.SENT && entry.getValue().s() != S.INTENT) {
                context.storage().delete(DIR + hex(entry.getKey()));
                ledger.remove(entry.getKey());
            }
        }
        context.storage().writeString(SERVER, named);
        token = null; // the old server's
    }

    private static String generation(String hostServer) {
        for (String line : hostServer.split("\n")) {
            if (line.startsWith("generation=")) {
                return line.substring("generation=".length()).strip();
            }
        }
        return "0";
    }

    static String base(ExtensionContext context) {
        String base = context.uploadUrlBase().toString();
        return base.endsWith("/") ? base : base + "/";
    }

    // -- sign-in --------------------------------------------------------------------------------

    private Optional<String> bearer(ExtensionContext context) {
        if (stopping && heedsTheNotice()) {
            return Optional.empty(); // no request starts after willTerminate (TRM-01, explore:640); not a failed sign-in
        }
        long now = context.clock().millis();
        if (token != null && now < tokenExpiresAt - 10 * MINUTE) {
            return Optional.of(token);
        }
        token = null;
        Optional<URI> url = context.cloudSettings().tokenUrl();
        if (url.isEmpty() || signInFailed) {
            return Optional.empty();
        }
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(context.cloudSettings().clientId(), StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(context.cloudSettings().clientSecret(), StandardCharsets.UTF_8);
        try {
            ExtensionHttp.Response response = context.http().send(UploadRequest.post(url.get())
                    .withHeader("Content-Type", "application/x-www-form-urlencoded"), form);
            Matcher access = ACCESS_TOKEN.matcher(response.status() == 200 ? response.bodyText() : "");
            if (access.find()) {
                Matcher expires = EXPIRES_IN.matcher(response.bodyText());
                token = access.group(1);
                tokenExpiresAt = now + (expires.find() ? Long.parseLong(expires.group(1)) : 3600) * 1000;
                return Optional.of(token);
            }
        } catch (ExtensionHttp.TransportException e) {
            // no answer: as a refusal, for this call
        }
        signInFailed = true; // one try a call: the next call asks again
        return Optional.empty();
    }

    /** Whether no sign-in starts and no more finished jobs are settled after willTerminate; {@link SignsInAfterTheNotice} does. */
    protected boolean heedsTheNotice() {
        return true;
    }

    /**
     * How long the refusals of {@code rec} have lasted, first seen at {@code first}: to the time its refused
     * attempt was made ({@code rec.at()}); {@link GivesUpOnLateSightings} measures to {@code now}.
     */
    protected long refusalSpan(Rec rec, long first, long now) {
        return rec.at() - first;
    }

    /** Whether a refused job clears the token only when it carried the current one; {@link SignsInAfterTheNotice} always clears it. */
    protected boolean keepsAFreshToken() {
        return true;
    }

    // -- the app group --------------------------------------------------------------------------

    private Map<String, Rec> load(ExtensionContext context) {
        Map<String, Rec> loaded = new HashMap<>();
        for (String name : context.storage().list(DIR)) {
            String line = context.storage().readString(name).orElse("");
            if (!line.isBlank()) {
                loaded.put(unhex(name.substring(name.lastIndexOf('/') + 1)), Rec.parse(line));
            }
        }
        return loaded;
    }

    /** Written before memory changes: a kill leaves the file as it was or as it is now. */
    private void put(ExtensionContext context, String key, Rec rec) {
        context.storage().writeString(DIR + hex(key), rec.line());
        ledger.put(key, rec);
    }

    static String hex(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append(String.format("%02x", b & 0xff));
        }
        return out.toString();
    }

    static String unhex(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code text} as a JSON string, every character outside printable ASCII escaped (Dropbox-API-Arg must be ASCII). */
    static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String unjson(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(++i);
                if (next == 'u' && i + 4 < text.length()) {
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
                    i += 4;
                } else {
                    out.append(next);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The broken twin of the kill after a commit (explore:9): relaunched on iOS 26.5 or later, it does not
     * look for its unconfirmed intents in the PROCESS set, so after 20 minutes it asks the server, which
     * has nothing yet of a video still uploading on a slow link, and creates a second job beside the one
     * in flight (DUP-01, TRM-03).
     */
    public static final class IgnoresTheProcessSet extends DropboxAddModeStyle {
        @Override
        protected boolean readsTheProcessSet() {
            return false;
        }
    }

    /**
     * The broken twin of explore:397 (iOS 27): it resolves intents only while walking the library, so an
     * intent a kill left before its block (no job) whose asset was deleted meanwhile stays "in flight" for
     * ever and every call answers PROCESSING, five minutes apart, nothing moving (RES-03).
     */
    public static final class KeepsIntentsOfDeletedAssets extends DropboxAddModeStyle {
        @Override
        protected boolean dropsVanishedIntents() {
            return false;
        }
    }

    /**
     * The broken twin of explore:1060 (the style before it): gives up once 6 refusals were seen over 35
     * minutes counted to the call that saw the last one, so a refusal settled late makes a burst look
     * longer than it was: 7 refusals within 27 minutes, given up (RTY-01, E2E-01).
     */
    public static final class GivesUpOnLateSightings extends DropboxAddModeStyle {
        @Override
        protected long refusalSpan(Rec rec, long first, long now) {
            return now - first;
        }
    }

    /**
     * The broken twin of explore:640 (the style before it): every job refused with {@code -1013} after the
     * credentials changed throws the token away, even one a later sign-in fetched, so settling 21 such
     * jobs signs in 21 times (604 ms each on a slow link), and it neither stops settling nor stops signing
     * in after willTerminate: killed when the grace period expires (TRM-01).
     */
    public static final class SignsInAfterTheNotice extends DropboxAddModeStyle {
        @Override
        protected boolean heedsTheNotice() {
            return false;
        }

        @Override
        protected boolean keepsAFreshToken() {
            return false;
        }
    }

    /**
     * The broken twin: in mode {@code add}, it reads a refused job as Dropbox's 409 {@code path/conflict}
     * ("the file is already there") and records it as uploaded without asking {@code get_metadata}. A
     * device shows a 409 and a 503 alike ({@code -1011}, no status), so every photo a burst of server
     * errors refused is recorded as backed up and never sent again.
     */
    public static final class TrustsAConflict extends DropboxAddModeStyle {
        @Override
        protected boolean storedAnyway(ExtensionContext context, UploadRequest destination, Rec rec) {
            return true;
        }
    }
}
