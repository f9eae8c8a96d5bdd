package org.upcert.conformance.styles;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * An extension in the style of Nextcloud's {@code BackgroundUploadExtension/} (nextcloud/ios PR
 * #4279, reference §10), written apart from the sample: iOS 27 only (declared {@code
 * deploymentTarget: "27"}), a WebDAV PUT (upcert's {@code generic-put} dialect), files over 100 MB
 * left to the host app (declared {@code hostAppAbove: 100 MB}, {@link #SCOPE}).
 *
 * <ul>
 *   <li><b>Window</b>: at most {@code min(jobLimit, 20)} unacknowledged jobs.
 *   <li><b>Success from a header</b>: a job is uploaded when it succeeded <em>or</em> when its
 *       response names the stored file ({@code oc-fileid} on a Nextcloud server; {@code x-object-id}
 *       from upcert's generic PUT stub) even if the system marked it failed: a 204 counted as a
 *       failure (a device quirk) or a resend of bytes whose first answer was lost.
 *   <li><b>Three attempts</b>: a resource's first job, its one PhotoKit retry (with fresh
 *       credentials), then a new job: that is a <em>bout</em> of {@value #ATTEMPTS_PER_BOUT}
 *       attempts. Nextcloud then gives up and acknowledges ({@link GivesUpAfterThreeAttempts}, which
 *       upcert FAILs: RTY-01/E2E-01, a photo that met a passing outage is lost). This style, the
 *       one upcert certifies, <em>parks</em> the resource instead ({@value #PARK_MIN} minutes, as the
 *       Nextcloud app's own queue picks failed uploads up again) and tries once per park after
 *       that; it gives up for good only after {@value #GIVE_UP_REFUSALS} server refusals spanning
 *       {@value #GIVE_UP_SPAN_MIN} minutes (upcert's {@code GiveUp} asks for 5 over 30).
 *   <li><b>Persist, then acknowledge</b>: the metadata file ({@value #METADATA}, rewritten whole)
 *       is written before any job is acknowledged or retried.
 *   <li><b>Queue suspended on an auth failure</b>: a job refused for its credentials
 *       ({@code -1013}) suspends the account's queue ({@value #SUSPENDED}): nothing is created or
 *       retried until a sign-in renews the credentials. The refused job was an attempt of its bout
 *       like any other (counting it not, three refusals could come seconds apart: RTY-02, found on
 *       {@code explore:116}).
 * </ul>
 *
 * <p><b>Accounts</b>: the Nextcloud app keys its metadata by account. When the user moves the app
 * to another server ({@code host/server}, host.server), the new account starts with none: every
 * resource not in flight is to upload again, the old account's credentials are dropped, and a job
 * that went to the old server (its destination not under {@code uploadUrlBase()}) counts for
 * nothing, whatever it answered ({@value #ACCOUNT} keeps the change followed).
 *
 * <p>Kill-safe: a create is recorded as an intent before its block and as uploading after it; an
 * intent or an upload whose job is in neither the PROCESS nor the ACKNOWLEDGE set (both exist on
 * iOS 27) has no job and is tried anew. Job identity is the destination's WebDAV path (the one
 * field the system keeps in every state), never {@code job.resource()}.
 */
public class NextcloudStyle implements UploadExtension {
    /** The declared scope: iOS 27 only, files over 100 MB go through the app (reference §10). */
    public static final String SCOPE = "hostAppAbove: 100 MB\ndeploymentTarget: \"27\"\n";
    static final String METADATA = "nextcloud/metadata.tsv";
    static final String CREDENTIALS = "nextcloud/credentials.txt";
    static final String SUSPENDED = "nextcloud/queue-suspended";
    static final String ACCOUNT = "nextcloud/account.txt";
    static final int WINDOW = 20;
    static final int ATTEMPTS_PER_BOUT = 3;
    static final int PARK_MIN = 10;
    static final int GIVE_UP_REFUSALS = 6;
    static final int GIVE_UP_SPAN_MIN = 35;
    static final long HOST_APP_ABOVE = 100_000_000L;
    private static final String PATH = "files/nc/";
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern EXPIRES_IN = Pattern.compile("\"expires_in\"\\s*:\\s*(\\d+)");

    enum Status { INTENT, UPLOADING, WAIT, DONE, ERROR }

    /**
     * One resource's metadata: its status, attempts in the current bout, refusals in all, the first
     * refusal's time, when it may be tried next, the file id the server gave it, and the last failure
     * counted (job and attempt: {@code J12#1}), so that a failure recorded by a process killed before
     * it acknowledged the job is not counted twice.
     */
    record Meta(Status status, int attempts, int refusals, long firstRefusal, long notBefore, String fileId, String counted) {
        static final Meta NEW = new Meta(Status.WAIT, 0, 0, 0, 0, "-", "-");

        Meta with(Status s) {
            return new Meta(s, attempts, refusals, firstRefusal, notBefore, fileId, counted);
        }
    }

    private volatile boolean stopping;
    /** The host app's change of server last followed (host/server's generation); -1 before it is read. */
    private long account = -1;
    private TreeMap<String, Meta> metadata;
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
            metadata = null; // read again once the container opens: nothing of this call is trusted
            return ProcessingResult.FAILURE;
        } catch (RuntimeException unexpected) {
            context.log().error("unexpected: " + unexpected);
            metadata = null;
            return ProcessingResult.FAILURE;
        }
    }

    private ProcessingResult round(ExtensionContext context) {
        PhotoLibrary library = context.library();
        long now = context.clock().millis();
        if (metadata == null) {
            metadata = load(context);
        }
        followAccount(context);
        boolean suspended = context.storage().read(SUSPENDED).isPresent();

        // 0. The jobs in flight, fetched BEFORE the finished ones: a job moves from PROCESS to
        //    ACKNOWLEDGE on its own at any moment, so fetched in this order it shows in one set or
        //    both, never in neither (the other order misses a job that finishes in between, and
        //    the resource gets a second job: DUP-01).
        TreeSet<String> inFlight = new TreeSet<>();
        if (processFirst()) {
            for (UploadJob job : library.fetchJobs(JobAction.PROCESS)) {
                keyOf(job).ifPresent(inFlight::add);
            }
        }

        // 1. Finished jobs: the outcome is persisted, then each job is retried (the one PhotoKit
        //    retry, fresh credentials) or acknowledged.
        List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
        TreeSet<String> retryable = new TreeSet<>();
        for (UploadJob job : library.fetchJobs(JobAction.RETRY)) {
            retryable.add(job.localIdentifier());
        }
        List<UploadJob> toAcknowledge = new ArrayList<>();
        TreeMap<String, UploadJob> toRetry = new TreeMap<>();
        for (UploadJob job : finished) {
            Optional<String> key = keyOf(job);
            if (key.isEmpty()) {
                toAcknowledge.add(job);
                continue;
            }
            inFlight.remove(key.get()); // finished: it was in flight when PROCESS was fetched
            Meta before = metadata.getOrDefault(key.get(), Meta.NEW);
            if (account > 0 && !job.destination().url().toString().startsWith(base(context))) {
                // sent to the server of the account the user left: nothing of it counts on the new one
                if (before.status() != Status.DONE) {
                    metadata.put(key.get(), Meta.NEW);
                }
                toAcknowledge.add(job);
                continue;
            }
            Optional<SortedMap<String, String>> headers = job.responseHeaderFields();
            Optional<String> fileId = headers.flatMap(h -> Optional.ofNullable(h.get("oc-fileid"))
                    .or(() -> Optional.ofNullable(h.get("x-object-id"))));
            if (job.state() == JobState.SUCCEEDED || fileId.isPresent()) {
                metadata.put(key.get(), new Meta(Status.DONE, 0, before.refusals(), before.firstRefusal(), 0, fileId.orElse("-"), "-"));
                toAcknowledge.add(job);
                continue;
            }
            int code = job.error().map(UploadError::code).orElse(0);
            // This failure: the job's first attempt (still in the RETRY set) or its retry.
            String failure = job.localIdentifier() + (retryable.contains(job.localIdentifier()) ? "#1" : "#2");
            boolean counted = failure.equals(before.counted()); // recorded by a process killed before it acknowledged
            if (code == UploadError.USER_AUTHENTICATION_REQUIRED) {
                suspended = true; // the account's queue stops until the credentials are renewed
                token = null;
                // An attempt like any other (the bout of three counts it); the queue waits for new credentials.
                int attempts = counted ? before.attempts() : before.attempts() + 1;
                metadata.put(key.get(), counted ? before : new Meta(Status.WAIT, attempts, before.refusals(), before.firstRefusal(),
                        attempts >= ATTEMPTS_PER_BOUT ? now + PARK_MIN * 60_000L : now, before.fileId(), failure));
                toAcknowledge.add(job);
                continue;
            }
            if (code == UploadError.BLOCKED_BY_POLICY || code == UploadError.FILE_DOES_NOT_EXIST) {
                metadata.put(key.get(), before.with(Status.ERROR)); // the system's own word: final
                toAcknowledge.add(job);
                continue;
            }
            Meta after;
            if (counted) {
                after = before; // the decision already made and stored
            } else {
                boolean refusal = headers.isPresent() && !headers.get().containsKey("retry-after");
                int refusals = before.refusals() + (refusal ? 1 : 0);
                long firstRefusal = refusal && before.firstRefusal() == 0 ? now : before.firstRefusal();
                int attempts = before.attempts() + 1;
                after = afterFailure(new Meta(Status.WAIT, attempts, refusals, firstRefusal, now, before.fileId(), failure), now,
                        headers.map(h -> h.get("retry-after")).orElse(null));
            }
            if (after.status() == Status.UPLOADING && retryable.contains(job.localIdentifier()) && !suspended) {
                toRetry.put(key.get(), job);
            } else {
                if (after.status() == Status.UPLOADING) {
                    after = after.with(Status.WAIT); // the retry is spent (or the queue suspended): a new job
                }
                toAcknowledge.add(job);
            }
            metadata.put(key.get(), after);
        }
        Optional<String> bearer = Optional.empty();
        if (!toRetry.isEmpty()) {
            bearer = credentials(context, now);
            if (bearer.isEmpty()) {
                for (Map.Entry<String, UploadJob> r : toRetry.entrySet()) {
                    metadata.put(r.getKey(), metadata.get(r.getKey()).with(Status.WAIT));
                    toAcknowledge.add(r.getValue());
                }
                toRetry.clear();
            }
        }
        if (!finished.isEmpty()) {
            save(context); // persisted before anything is acknowledged
            String auth = bearer.orElse(null);
            try {
                library.performChanges(changes -> {
                    for (Map.Entry<String, UploadJob> r : toRetry.entrySet()) {
                        changes.retry(r.getValue(), destination(context, r.getKey(), auth));
                    }
                    toAcknowledge.forEach(changes::acknowledge);
                });
            } catch (PhotosException e) {
                context.log().warn("acknowledging: " + e.getMessage());
                return ProcessingResult.PROCESSING;
            }
        }
        if (suspended) {
            context.storage().writeString(SUSPENDED, "auth");
        }
        if (stopping && honoursTheNotice()) {
            // Told to stop (willTerminate): the outcomes are stored and acknowledged; no sign-in, no
            // scan, no new job now (reference §6: cancel network work and return). A sign-in the
            // server answers slowly outlived the 5 s grace period (explore:704, explore:1176: TRM-01).
            return ProcessingResult.PROCESSING;
        }

        // 2. An intent or an upload with no job (in neither set) is tried anew.
        if (!processFirst()) {
            for (UploadJob job : library.fetchJobs(JobAction.PROCESS)) {
                keyOf(job).ifPresent(inFlight::add);
            }
        }
        inFlight.addAll(toRetry.keySet());
        boolean repaired = false;
        for (Map.Entry<String, Meta> e : new ArrayList<>(metadata.entrySet())) {
            Status s = e.getValue().status();
            if ((s == Status.INTENT || s == Status.UPLOADING) && !inFlight.contains(e.getKey())) {
                metadata.put(e.getKey(), e.getValue().with(Status.WAIT));
                repaired = true;
            } else if (s == Status.INTENT) {
                metadata.put(e.getKey(), e.getValue().with(Status.UPLOADING));
                repaired = true;
            }
        }
        if (repaired) {
            save(context);
        }
        if (library.authorizationStatus() != AuthorizationStatus.AUTHORIZED || !library.isUploadJobExtensionEnabled()) {
            return ProcessingResult.PROCESSING; // no consent: create nothing (CNS-01), come back when it returns
        }

        // 3. The queue: every resource in scope that is neither uploaded, given up, in flight nor parked.
        List<Asset> assets = library.fetchAssets();
        if (assets.isEmpty()) {
            return ProcessingResult.FAILURE; // PhotoKit answered nothing: not "no photos" (YAIIU #50)
        }
        List<AssetResource> due = new ArrayList<>();
        boolean parked = false;
        for (Asset asset : assets) {
            for (AssetResource resource : asset.resources()) {
                if (resource.fileSize() > HOST_APP_ABOVE || inFlight.contains(resource.key())) {
                    continue;
                }
                Meta m = metadata.getOrDefault(resource.key(), Meta.NEW);
                if (m.status() == Status.WAIT) {
                    if (m.notBefore() <= now) {
                        due.add(resource);
                    } else {
                        parked = true;
                    }
                }
            }
        }
        if (suspended) {
            if (credentials(context, now).isEmpty()) {
                // still refused: the queue stays suspended; FAILURE so the system backs off
                return noCredentials(inFlight.isEmpty());
            }
            context.storage().delete(SUSPENDED);
        }
        int window = Math.min(library.jobLimit(), WINDOW);
        int room = Math.max(0, window - inFlight.size());
        List<AssetResource> batch = due.subList(0, Math.min(room, due.size()));
        int created = 0;
        if (!batch.isEmpty() && !stopping) {
            Optional<String> auth = credentials(context, now);
            if (auth.isEmpty()) {
                return noCredentials(inFlight.isEmpty());
            }
            for (AssetResource resource : batch) {
                metadata.put(resource.key(), metadata.getOrDefault(resource.key(), Meta.NEW).with(Status.INTENT));
            }
            save(context);
            try {
                library.performChanges(changes -> {
                    for (AssetResource resource : batch) {
                        changes.createJob(resource, destination(context, resource.key(), auth.get()));
                    }
                });
            } catch (PhotosException e) {
                for (AssetResource resource : batch) {
                    metadata.put(resource.key(), metadata.get(resource.key()).with(Status.WAIT));
                }
                save(context);
                return ProcessingResult.PROCESSING;
            }
            for (AssetResource resource : batch) {
                metadata.put(resource.key(), metadata.get(resource.key()).with(Status.UPLOADING));
            }
            save(context);
            created = batch.size();
        }
        boolean more = due.size() > created || parked || !inFlight.isEmpty() || created > 0;
        return more ? ProcessingResult.PROCESSING : ProcessingResult.COMPLETED;
    }

    /**
     * The user moved the app to another server ({@code host/server} names a change not followed
     * yet): the new account's metadata starts empty (what is in flight stays, its outcome counts for
     * nothing), the old account's credentials and suspended queue are dropped. Metadata first, then
     * the change followed.
     */
    private void followAccount(ExtensionContext context) {
        long named = generationIn(context.storage().readString(org.upcert.api.AppGroupStorage.HOST_APP_SERVER).orElse(""));
        if (account < 0) {
            account = named == 0 ? 0 : generationIn(context.storage().readString(ACCOUNT).orElse(""));
        }
        if (named <= account) {
            return;
        }
        for (Map.Entry<String, Meta> e : new ArrayList<>(metadata.entrySet())) {
            Status s = e.getValue().status();
            if (s != Status.INTENT && s != Status.UPLOADING) {
                metadata.put(e.getKey(), Meta.NEW);
            }
        }
        save(context);
        context.storage().delete(CREDENTIALS);
        context.storage().delete(SUSPENDED);
        token = null;
        context.storage().writeString(ACCOUNT, "generation=" + named + "\n");
        account = named;
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
     * Whether a call told to stop signs in, scans or creates nothing more once its outcomes are
     * acknowledged (it must: {@link SignsInAfterTheNotice}).
     */
    boolean honoursTheNotice() {
        return true;
    }

    /**
     * The answer of a call left without credentials: FAILURE (the system backs off) when the
     * server refused the sign-in and nothing is in flight; PROCESSING when the notice arrived
     * before the sign-in (none is tried once told to stop), since nothing failed and work remains
     * (reference §6: return quickly, PROCESSING if work remains). explore:2070 (and 3 more of
     * 2001..2500): the notice came with the credentials' read, and FAILURE failed RES-02.
     */
    ProcessingResult noCredentials(boolean nothingInFlight) {
        if (stopping && honoursTheNotice()) {
            return ProcessingResult.PROCESSING;
        }
        return nothingInFlight ? ProcessingResult.FAILURE : ProcessingResult.PROCESSING;
    }

    /** Whether the PROCESS set is fetched before the ACKNOWLEDGE set (it must be: {@link FetchesFinishedFirst}). */
    boolean processFirst() {
        return true;
    }

    /**
     * A failed attempt's next step ({@code failed} has the attempt counted, status WAIT): UPLOADING
     * to try again now (the PhotoKit retry, or a new job once the retry is spent), WAIT with a
     * later {@code notBefore} to park, ERROR to give up.
     */
    Meta afterFailure(Meta failed, long now, String retryAfter) {
        long wait = retryAfter == null ? 0 : seconds(retryAfter) * 1000L;
        if (failed.attempts() < ATTEMPTS_PER_BOUT && wait == 0) {
            return new Meta(Status.UPLOADING, failed.attempts(), failed.refusals(), failed.firstRefusal(), now, failed.fileId(),
                    failed.counted());
        }
        if (failed.refusals() >= GIVE_UP_REFUSALS && now - failed.firstRefusal() >= GIVE_UP_SPAN_MIN * 60_000L) {
            return failed.with(Status.ERROR);
        }
        // Parked: one attempt per park from now on (the bout is spent), after the park or the server's retry-after.
        int attempts = failed.attempts() < ATTEMPTS_PER_BOUT ? failed.attempts() : ATTEMPTS_PER_BOUT;
        return new Meta(Status.WAIT, attempts, failed.refusals(), failed.firstRefusal(),
                now + Math.max(wait, PARK_MIN * 60_000L), failed.fileId(), failed.counted());
    }

    private static long seconds(String value) {
        try {
            return Math.max(1, Long.parseLong(value.strip()));
        } catch (NumberFormatException httpDate) {
            return 120;
        }
    }

    private static UploadRequest destination(ExtensionContext context, String key, String bearer) {
        return UploadRequest.put(URI.create(base(context) + PATH + URLEncoder.encode(key, StandardCharsets.UTF_8)))
                .withHeader("Authorization", "Bearer " + bearer);
    }

    /** The resource a job uploads, from its WebDAV path. */
    static Optional<String> keyOf(UploadJob job) {
        String path = job.destination().url().getRawPath();
        int at = path.indexOf("/" + PATH);
        if (at < 0) {
            return Optional.empty();
        }
        return Optional.of(URLDecoder.decode(path.substring(at + PATH.length() + 1), StandardCharsets.UTF_8));
    }

    /** The account's credentials: kept in the app group (the keychain), renewed half-way through their life. */
    private Optional<String> credentials(ExtensionContext context, long now) {
        if (token == null) {
            String[] kept = context.storage().readString(CREDENTIALS).orElse("").split("\t");
            if (kept.length == 2 && !context.storage().read(SUSPENDED).isPresent()) {
                token = kept[0];
                tokenRenewAt = Long.parseLong(kept[1]);
            }
        }
        if (token != null && now < tokenRenewAt) {
            return Optional.of(token);
        }
        if (stopping && honoursTheNotice()) {
            return Optional.empty(); // no sign-in once told to stop: a refused job waits for a new one
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
            context.storage().writeString(CREDENTIALS, token + "\t" + tokenRenewAt);
            return Optional.of(token);
        } catch (ExtensionHttp.TransportException offline) {
            return Optional.empty();
        }
    }

    private void save(ExtensionContext context) {
        StringBuilder text = new StringBuilder();
        metadata.forEach((key, m) -> text.append(key).append('\t').append(m.status()).append('\t').append(m.attempts())
                .append('\t').append(m.refusals()).append('\t').append(m.firstRefusal()).append('\t').append(m.notBefore())
                .append('\t').append(m.fileId()).append('\t').append(m.counted()).append('\n'));
        context.storage().writeString(METADATA, text.toString());
    }

    private static TreeMap<String, Meta> load(ExtensionContext context) {
        TreeMap<String, Meta> out = new TreeMap<>();
        for (String line : context.storage().readString(METADATA).orElse("").split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 8) {
                out.put(f[0], new Meta(Status.valueOf(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5]), f[6], f[7]));
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
     * A broken twin that fetches the finished jobs first and the jobs in flight after acknowledging
     * them, and takes a resource in neither set for one without a job. A job that finishes between
     * the two fetches (on a device the sets change on their own, 0.1–5 s after the transfer: the
     * fetch-set lag) is in neither, and its resource gets a second job while the first is
     * unacknowledged: DUP-01. (The style's first draft had this order; upcert found it on
     * {@code hard-kills}.)
     */
    public static final class FetchesFinishedFirst extends NextcloudStyle {
        @Override
        boolean processFirst() {
            return false;
        }
    }

    /**
     * A broken twin that goes on after {@code willTerminate} once its outcomes are acknowledged:
     * it signs in again (a suspended queue, a retry's fresh credentials) and scans the library. A
     * sign-in the server answers slowly (cloud.slow) outlives the 5 s grace period: TRM-01. (The
     * style's first draft checked the notice only before creating jobs; exploration found it,
     * {@code explore:704} and {@code explore:1176}.)
     */
    public static final class SignsInAfterTheNotice extends NextcloudStyle {
        @Override
        boolean honoursTheNotice() {
            return false;
        }
    }

    /**
     * A broken twin that answers FAILURE when a termination notice kept it from signing in:
     * nothing failed and work remains, so RES-02 FAILs it (explore:2070: the notice came with the
     * read of the stored credentials, after a sign-in the server had refused with 429).
     */
    public static final class FailsWhenToldToStop extends NextcloudStyle {
        @Override
        ProcessingResult noCredentials(boolean nothingInFlight) {
            return nothingInFlight ? ProcessingResult.FAILURE : ProcessingResult.PROCESSING;
        }
    }

    /**
     * Device-faithful Nextcloud: after three attempts (first job, the PhotoKit retry, a new job)
     * the resource is given up and its job acknowledged, whatever the failures were. A burst of
     * server errors or a dropping network that outlasts three attempts loses the photo from the
     * background backup: RTY-01 and E2E-01 FAIL.
     */
    public static final class GivesUpAfterThreeAttempts extends NextcloudStyle {
        @Override
        Meta afterFailure(Meta failed, long now, String retryAfter) {
            if (failed.attempts() < ATTEMPTS_PER_BOUT) {
                return new Meta(Status.UPLOADING, failed.attempts(), failed.refusals(), failed.firstRefusal(), now, failed.fileId(),
                        failed.counted());
            }
            return failed.with(Status.ERROR);
        }
    }
}
