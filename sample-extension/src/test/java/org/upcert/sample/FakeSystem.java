package org.upcert.sample;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeToken;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ExtensionLog;
import org.upcert.api.JobAction;
import org.upcert.api.JobChangeBlock;
import org.upcert.api.JobChanges;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadError;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A small, single-threaded stand-in for the simulated system: library with change history, job
 * store with the fetch-set rules, a generic-put cloud, a clock, and kill / termination
 * injection at a numbered API call. Enough to drive the extension through whole backups in
 * unit tests; the harness is the real proof.
 */
final class FakeSystem {

    static final URI BASE = URI.create("http://127.0.0.1:8080/dav/");
    static final String CLIENT_ID = "upcert-sample";
    static final String CLIENT_SECRET = "s3cret";

    /** Thrown from an API call to kill the call, as the harness does. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed(String where) {
            super("killed at " + where);
        }
    }

    /** A job as the store keeps it. */
    static final class JobRecord {
        final String id;
        final AssetResource resource;
        final JobType type;
        UploadRequest destination;
        JobState state = JobState.REGISTERED;
        boolean retried;
        boolean acknowledged;
        SortedMap<String, String> headers;
        UploadError error;

        JobRecord(String id, AssetResource resource, JobType type, UploadRequest destination) {
            this.id = id;
            this.resource = resource;
            this.type = type;
            this.destination = destination;
        }

        boolean unacknowledged() {
            return !acknowledged && state != JobState.CANCELLED;
        }
    }

    /**
     * How a delivery went, when a test overrides it. As on a device (and in upcert), the job shows
     * the error without its HTTP status ({@link UploadError#withoutHttpStatus()}), and response
     * headers only when a response arrived (an error with a status).
     */
    record Delivery(JobState state, int httpStatus, UploadError error, SortedMap<String, String> headers) {
        static Delivery failed(UploadError error) {
            return new Delivery(JobState.FAILED, error.httpStatus().orElse(0), error,
                    error.httpStatus().isPresent() ? new TreeMap<>() : null);
        }

        static Delivery failedWithHeaders(UploadError error, SortedMap<String, String> headers) {
            return new Delivery(JobState.FAILED, error.httpStatus().orElse(0), error, headers);
        }
    }

    final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T08:00:00Z"));
    final MemoryStorage storage = new MemoryStorage();
    final Library library = new Library();
    final Http http = new Http();
    final List<String> log = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    final TreeMap<String, String> configuration = new TreeMap<>();

    // Cloud
    final TreeMap<String, Instant> tokens = new TreeMap<>();
    Duration tokenLifetime = Duration.ofHours(1);
    int signInStatus = 200;
    int signIns;
    final TreeMap<String, Integer> uploadsByKey = new TreeMap<>();
    final TreeMap<String, String> objectIds = new TreeMap<>();
    Function<JobRecord, Delivery> faults = job -> null;

    // Call control
    private boolean callOpen;
    long apiCalls;
    /** Calls of assetResource(forUploadJob:) (it aborts for jobs made before an OS upgrade on a device). */
    int assetResourceCalls;
    long killAtCall = -1;
    boolean killAfterCommit;
    long terminateAtCall = -1;
    long callsAfterTermination = -1;
    int changesAfterTermination;
    private UploadExtension current;

    FakeSystem() {
        configuration.put("cloud.dialect", "generic-put");
        configuration.put("cloud.clientId", CLIENT_ID);
        configuration.put("cloud.clientSecret", CLIENT_SECRET);
        storage.beforeEachCall = () -> tick("storage");
    }

    /** One call of processJobs; null if it was killed. */
    ProcessingResult call(UploadExtension extension) {
        current = extension;
        callOpen = true;
        callsAfterTermination = -1;
        try {
            return extension.processJobs(context());
        } catch (Killed killed) {
            return null;
        } finally {
            callOpen = false;
        }
    }

    /** Runs calls (new instance after a kill), delivering uploads in between, until COMPLETED. */
    List<ProcessingResult> runUntilCompleted(java.util.function.Supplier<UploadExtension> factory, int maxCalls) {
        List<ProcessingResult> results = new ArrayList<>();
        UploadExtension extension = factory.get();
        for (int i = 0; i < maxCalls; i++) {
            ProcessingResult result = call(extension);
            results.add(result);
            if (result == null) {
                extension = factory.get();
            } else if (result == ProcessingResult.COMPLETED) {
                return results;
            }
            deliver();
            clock.advance(Duration.ofSeconds(30));
        }
        throw new AssertionError("not COMPLETED after " + maxCalls + " calls: " + results + "\n" + String.join("\n", log));
    }

    /**
     * The simulated iOS: calls a level lacks are recorded as violations ("OS: …") and refused
     * with {@link UnsupportedOperationException}, as upcert's system does.
     */
    String os = "27.0";

    boolean osAtLeast(String level) {
        String[] a = os.split("\\.");
        String[] b = level.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? Integer.parseInt(a[i]) : 0;
            int y = i < b.length ? Integer.parseInt(b[i]) : 0;
            if (x != y) {
                return x > y;
            }
        }
        return true;
    }

    private void requireOs(String api, String level) {
        if (!osAtLeast(level)) {
            violations.add("OS: " + api + " before iOS " + level);
            throw new UnsupportedOperationException(api + " is not available before iOS " + level);
        }
    }

    ExtensionContext context() {
        return new ExtensionContext() {
            @Override
            public String osVersion() {
                return os;
            }

            @Override
            public PhotoLibrary library() {
                return library;
            }

            @Override
            public AppGroupStorage storage() {
                return storage;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public URI uploadUrlBase() {
                return BASE;
            }

            @Override
            public ExtensionHttp http() {
                return http;
            }

            @Override
            public ExtensionLog log() {
                return new ExtensionLog() {
                    @Override
                    public void info(String message) {
                        log.add("INFO " + message);
                    }

                    @Override
                    public void warn(String message) {
                        log.add("WARN " + message);
                    }

                    @Override
                    public void error(String message) {
                        log.add("ERROR " + message);
                    }
                };
            }

            @Override
            public SortedMap<String, String> configuration() {
                return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(configuration));
            }
        };
    }

    private void tick(String what) {
        if (!callOpen) {
            violations.add("TRM-04: " + what + " after the call returned");
            throw new IllegalStateException("context used outside its call: " + what);
        }
        apiCalls++;
        if (callsAfterTermination >= 0) {
            callsAfterTermination++;
        }
        clock.advance(Duration.ofMillis(20));
        if (apiCalls == terminateAtCall) {
            callsAfterTermination = 0;
            current.willTerminate();
        }
        if (apiCalls == killAtCall && !(killAfterCommit && what.equals("performChanges"))) {
            throw new Killed(what + " #" + apiCalls);
        }
    }

    // ---- the system's side: transfers after the call ----

    /** Performs every registered or pending upload, as the system does after a call. */
    void deliver() {
        for (JobRecord job : library.jobs.values()) {
            if (!job.unacknowledged() || !job.state.isInFlight()) {
                continue;
            }
            Delivery override = faults.apply(job);
            if (override != null) {
                job.state = override.state();
                job.error = override.state() == JobState.FAILED ? override.error().withoutHttpStatus() : null;
                job.headers = override.headers();
                continue;
            }
            String auth = job.destination.header("Authorization").orElse("");
            Instant expiry = auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
            if (expiry == null || !clock.instant().isBefore(expiry)) {
                job.state = JobState.FAILED;
                job.error = UploadError.httpStatus(401).withoutHttpStatus();
                job.headers = new TreeMap<>(java.util.Map.of("www-authenticate", "Bearer error=\"invalid_token\""));
                continue;
            }
            String path = job.destination.url().getRawPath();
            String object = URLDecoder.decode(path.substring("/dav/files/".length()), StandardCharsets.UTF_8);
            boolean existed = objectIds.containsKey(object);
            objectIds.putIfAbsent(object, String.format("obj-%04d", objectIds.size() + 1));
            if (job.type == JobType.UPLOAD) {
                uploadsByKey.merge(job.resource.key(), 1, Integer::sum);
            }
            job.state = JobState.SUCCEEDED;
            job.error = null;
            TreeMap<String, String> headers = new TreeMap<>();
            headers.put("etag", "\"sha-" + object.hashCode() + "\"");
            headers.put("x-object-id", objectIds.get(object));
            headers.put("x-status", existed ? "204" : "201");
            job.headers = headers;
        }
    }

    /** Unacknowledged jobs. */
    List<JobRecord> unacknowledged() {
        List<JobRecord> list = new ArrayList<>();
        for (JobRecord job : library.jobs.values()) {
            if (job.unacknowledged()) {
                list.add(job);
            }
        }
        return list;
    }

    // ---- library and job store ----

    final class Library implements PhotoLibrary {
        final TreeMap<String, Asset> assets = new TreeMap<>();
        final List<PersistentChange> history = new ArrayList<>();
        final TreeMap<String, JobRecord> jobs = new TreeMap<>();
        AuthorizationStatus status = AuthorizationStatus.AUTHORIZED;
        boolean enabled = true;
        int jobLimit = 5;
        int expiredBelow;
        /** Full scans still to answer with nothing (PhotoKit "returns nothing at times", YAIIU #50). */
        int emptyScans;
        boolean hideResourceOnTerminal;
        int blocks;
        int rejectedBlocks;
        int createdJobs;
        RuntimeException failNextFetch;
        private boolean inBlock;
        private int jobSeq;

        void add(Asset asset) {
            assets.put(asset.localIdentifier(), asset);
            history.add(new PersistentChange(token(history.size() + 1), List.of(asset.localIdentifier()), List.of(), List.of()));
        }

        void delete(String id) {
            assets.remove(id);
            history.add(new PersistentChange(token(history.size() + 1), List.of(), List.of(), List.of(id)));
        }

        /** Adds a job the extension did not create (the host app, another process). */
        JobRecord addForeignJob(AssetResource resource, JobType type, UploadRequest destination) {
            JobRecord job = new JobRecord(String.format("job-%04d", ++jobSeq), resource, type, destination);
            jobs.put(job.id, job);
            return job;
        }

        private ChangeToken token(int index) {
            return new ChangeToken("t" + index);
        }

        private List<Asset> sorted(Collection<Asset> list) {
            List<Asset> result = new ArrayList<>(list);
            result.sort((a, b) -> a.creationDate().equals(b.creationDate())
                    ? a.localIdentifier().compareTo(b.localIdentifier()) : a.creationDate().compareTo(b.creationDate()));
            return result;
        }

        @Override
        public AuthorizationStatus authorizationStatus() {
            tick("authorizationStatus");
            return status;
        }

        @Override
        public boolean isUploadJobExtensionEnabled() {
            tick("isUploadJobExtensionEnabled");
            return enabled && status == AuthorizationStatus.AUTHORIZED;
        }

        @Override
        public List<Asset> fetchAssets() {
            tick("fetchAssets");
            if (failNextFetch != null) {
                RuntimeException e = failNextFetch;
                failNextFetch = null;
                throw e;
            }
            if (emptyScans > 0) {
                emptyScans--;
                return List.of();
            }
            return status == AuthorizationStatus.AUTHORIZED ? sorted(assets.values()) : List.of();
        }

        @Override
        public List<Asset> fetchAssets(Collection<String> localIdentifiers) {
            tick("fetchAssets(ids)");
            List<Asset> found = new ArrayList<>();
            for (String id : localIdentifiers) {
                if (assets.containsKey(id)) {
                    found.add(assets.get(id));
                }
            }
            return sorted(found);
        }

        @Override
        public ChangeToken currentChangeToken() {
            tick("currentChangeToken");
            return token(history.size());
        }

        @Override
        public List<PersistentChange> fetchPersistentChanges(ChangeToken token) throws PhotosException {
            tick("fetchPersistentChanges");
            int index = Integer.parseInt(token.encoded().substring(1));
            if (index < expiredBelow) {
                throw new PhotosException(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED, "history truncated");
            }
            return List.copyOf(history.subList(index, history.size()));
        }

        @Override
        public int jobLimit() {
            tick("jobLimit");
            return jobLimit;
        }

        @Override
        public List<UploadJob> fetchJobs(JobAction action) {
            tick("fetchJobs " + action);
            if (action == JobAction.PROCESS) {
                requireOs("fetchJobs(PROCESS)", "26.5");
            }
            List<UploadJob> result = new ArrayList<>();
            for (JobRecord job : jobs.values()) {
                boolean member = switch (action) {
                    case ACKNOWLEDGE -> job.unacknowledged() && job.state.isFinished();
                    case RETRY -> job.unacknowledged() && job.state == JobState.FAILED && !job.retried;
                    case PROCESS -> job.unacknowledged() && job.state.isInFlight();
                };
                if (member) {
                    result.add(snapshot(job));
                }
            }
            return result;
        }

        @Override
        public Optional<AssetResource> assetResource(UploadJob job) {
            tick("assetResource");
            assetResourceCalls++;
            requireOs("assetResource", "27");
            JobRecord record = jobs.get(job.localIdentifier());
            if (record == null || !assets.containsKey(record.resource.assetLocalIdentifier())) {
                return Optional.empty();
            }
            return Optional.of(record.resource);
        }

        private UploadJob snapshot(JobRecord job) {
            Optional<AssetResource> resource = hideResourceOnTerminal && job.state.isFinished()
                    ? Optional.empty() : Optional.of(job.resource);
            Snapshot snapshot = new Snapshot(job.id, job.state, job.type, resource, job.destination,
                    Optional.ofNullable(job.headers), Optional.ofNullable(job.error));
            return osAtLeast("26.4") ? snapshot : new Before264(snapshot);
        }

        @Override
        public void performChanges(JobChangeBlock block) throws PhotosException {
            tick("performChanges");
            if (inBlock) {
                violations.add("JOB-01: nested performChanges");
                throw new IllegalStateException("nested performChanges");
            }
            blocks++;
            Staged staged = new Staged();
            inBlock = true;
            try {
                block.apply(staged);
            } finally {
                inBlock = false;
                staged.open = false;
            }
            try {
                commit(staged);
            } catch (PhotosException e) {
                rejectedBlocks++;
                throw e;
            }
            if (callsAfterTermination > 0) {
                changesAfterTermination++;
            }
            if (apiCalls == killAtCall && killAfterCommit) {
                throw new Killed("after performChanges commit #" + apiCalls);
            }
        }

        private void commit(Staged staged) throws PhotosException {
            boolean consent = status == AuthorizationStatus.AUTHORIZED && enabled;
            int unacked = 0;
            for (JobRecord job : jobs.values()) {
                if (job.unacknowledged()) {
                    unacked++;
                }
            }
            for (Object[] op : staged.ops) {
                String kind = (String) op[0];
                if (kind.equals("create")) {
                    AssetResource resource = (AssetResource) op[1];
                    if (!consent) {
                        throw new PhotosException(PhotosErrorCode.ACCESS_USER_DENIED, "no consent");
                    }
                    if (!assets.containsKey(resource.assetLocalIdentifier())) {
                        throw new PhotosException(PhotosErrorCode.IDENTIFIER_NOT_FOUND, "asset gone");
                    }
                    unacked++;
                    continue;
                }
                JobRecord job = jobs.get(((UploadJob) op[1]).localIdentifier());
                if (job == null) {
                    throw new PhotosException(PhotosErrorCode.IDENTIFIER_NOT_FOUND, "no job");
                }
                switch (kind) {
                    case "ack" -> {
                        if (!job.unacknowledged() || !job.state.isFinished()) {
                            violations.add("JOB-02: acknowledge of " + job.id + " in " + job.state);
                            throw new PhotosException(PhotosErrorCode.CHANGE_NOT_SUPPORTED, "ack " + job.state);
                        }
                        unacked--;
                    }
                    case "retry" -> {
                        if (!job.unacknowledged() || job.state != JobState.FAILED || job.retried) {
                            violations.add("JOB-03: retry of " + job.id);
                            throw new PhotosException(PhotosErrorCode.CHANGE_NOT_SUPPORTED, "retry");
                        }
                    }
                    case "cancel" -> {
                        if (!job.unacknowledged() || !job.state.isInFlight()) {
                            violations.add("JOB-04: cancel of " + job.id + " in " + job.state);
                            throw new PhotosException(PhotosErrorCode.CHANGE_NOT_SUPPORTED, "cancel");
                        }
                        unacked--;
                    }
                    default -> throw new IllegalStateException(kind);
                }
            }
            if (unacked > jobLimit && staged.ops.stream().anyMatch(op -> op[0].equals("create"))) {
                throw new PhotosException(PhotosErrorCode.LIMIT_EXCEEDED, unacked + " > " + jobLimit);
            }
            for (Object[] op : staged.ops) {
                switch ((String) op[0]) {
                    case "create" -> {
                        AssetResource resource = (AssetResource) op[1];
                        for (JobRecord other : jobs.values()) {
                            if (other.unacknowledged() && other.resource.key().equals(resource.key())) {
                                violations.add("DUP-01: second job for " + resource.key());
                            }
                        }
                        JobRecord job = new JobRecord(String.format("job-%04d", ++jobSeq), resource, JobType.UPLOAD,
                                (UploadRequest) op[2]);
                        jobs.put(job.id, job);
                        createdJobs++;
                    }
                    case "ack" -> jobs.get(((UploadJob) op[1]).localIdentifier()).acknowledged = true;
                    case "retry" -> {
                        JobRecord job = jobs.get(((UploadJob) op[1]).localIdentifier());
                        job.retried = true;
                        job.state = JobState.REGISTERED;
                        job.error = null;
                        job.headers = null;
                        if (op[2] != null) {
                            job.destination = (UploadRequest) op[2];
                        }
                    }
                    case "cancel" -> jobs.get(((UploadJob) op[1]).localIdentifier()).state = JobState.CANCELLED;
                    default -> throw new IllegalStateException();
                }
            }
        }

        private final class Staged implements JobChanges {
            final List<Object[]> ops = new ArrayList<>();
            boolean open = true;

            private void check() {
                if (!open) {
                    violations.add("JOB-01: change outside its block");
                    throw new IllegalStateException("change outside its block");
                }
            }

            @Override
            public String createJob(AssetResource resource, UploadRequest destination) {
                check();
                ops.add(new Object[] {"create", resource, destination});
                return osAtLeast("26.4") ? "placeholder-" + ops.size() : null;
            }

            @Override
            public void acknowledge(UploadJob job) {
                check();
                ops.add(new Object[] {"ack", job});
            }

            @Override
            public void retry(UploadJob job, UploadRequest newDestination) {
                check();
                ops.add(new Object[] {"retry", job, newDestination});
            }

            @Override
            public void cancel(UploadJob job) {
                check();
                requireOs("JobChanges.cancel", "26.4");
                ops.add(new Object[] {"cancel", job});
            }
        }
    }

    /** A job on iOS 26.1: type, responseHeaderFields and error do not exist yet. */
    final class Before264 implements UploadJob {
        private final Snapshot job;

        Before264(Snapshot job) {
            this.job = job;
        }

        @Override
        public String localIdentifier() {
            return job.localIdentifier();
        }

        @Override
        public JobState state() {
            return job.state();
        }

        @Override
        public JobType type() {
            requireOs("UploadJob.type", "26.4");
            return job.type();
        }

        @Override
        public Optional<AssetResource> resource() {
            return job.resource();
        }

        @Override
        public UploadRequest destination() {
            return job.destination();
        }

        @Override
        public Optional<SortedMap<String, String>> responseHeaderFields() {
            requireOs("UploadJob.responseHeaderFields", "26.4");
            return job.responseHeaderFields();
        }

        @Override
        public Optional<UploadError> error() {
            requireOs("UploadJob.error", "26.4");
            return job.error();
        }
    }

    record Snapshot(String localIdentifier, JobState state, JobType type, Optional<AssetResource> resource,
            UploadRequest destination, Optional<SortedMap<String, String>> responseHeaderFields,
            Optional<UploadError> error) implements UploadJob {
    }

    // ---- the extension's own HTTP: the token endpoint ----

    final class Http implements ExtensionHttp {
        boolean offline;
        final List<String> requests = new ArrayList<>();

        @Override
        public Response send(UploadRequest request, byte[] body) throws TransportException {
            tick("http");
            requests.add(request.method() + " " + request.url());
            if (offline) {
                throw new TransportException(UploadError.transport(UploadError.NOT_CONNECTED_TO_INTERNET, "offline"));
            }
            if (!request.url().equals(BASE.resolve("auth/token")) || !request.method().equals("POST")) {
                return new Response(404, new TreeMap<>(), new byte[0]);
            }
            String form = new String(body, StandardCharsets.UTF_8);
            if (signInStatus != 200) {
                return new Response(signInStatus, new TreeMap<>(), "{\"error\":\"nope\"}".getBytes(StandardCharsets.UTF_8));
            }
            if (!form.equals("grant_type=client_credentials&client_id=" + CLIENT_ID + "&client_secret=" + CLIENT_SECRET)
                    || !request.header("content-type").equals(Optional.of("application/x-www-form-urlencoded"))) {
                return new Response(401, new TreeMap<>(), "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8));
            }
            signIns++;
            String token = String.format("tok-%03d", signIns);
            tokens.put(token, clock.instant().plus(tokenLifetime));
            String json = "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                    + tokenLifetime.toSeconds() + "}";
            TreeMap<String, String> headers = new TreeMap<>();
            headers.put("content-type", "application/json");
            return new Response(200, headers, json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A photo asset with one HEIC resource, taken {@code minute} minutes into the day. */
    static Asset photo(String id, int minute) {
        return new Asset(id, Asset.MediaType.IMAGE, Instant.parse("2026-02-01T00:00:00Z").plusSeconds(60L * minute),
                List.of(new AssetResource(id, AssetResource.ResourceType.PHOTO, "IMG_" + minute + ".HEIC", "public.heic",
                        2_000_000)));
    }

    /** A Live Photo: a HEIC and its paired video. */
    static Asset livePhoto(String id, int minute) {
        return new Asset(id, Asset.MediaType.IMAGE, Instant.parse("2026-02-01T00:00:00Z").plusSeconds(60L * minute),
                List.of(new AssetResource(id, AssetResource.ResourceType.PHOTO, "IMG_" + minute + ".HEIC", "public.heic",
                        2_000_000),
                        new AssetResource(id, AssetResource.ResourceType.PAIRED_VIDEO, "IMG_" + minute + ".MOV",
                                "com.apple.quicktime-movie", 3_000_000)));
    }
}
