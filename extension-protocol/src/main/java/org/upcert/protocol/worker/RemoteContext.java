package org.upcert.protocol.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeOutcome;
import org.upcert.api.ChangeToken;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ExtensionLog;
import org.upcert.api.JobAction;
import org.upcert.api.JobChangeBlock;
import org.upcert.api.JobChanges;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.protocol.Connection;
import org.upcert.protocol.OsLevelJob;
import org.upcert.protocol.Protocol;
import org.upcert.protocol.RpcError;
import org.upcert.protocol.ValueStreams;
import org.upcert.protocol.Values;
import org.upcert.protocol.WatchedHeaders;

/**
 * The {@link ExtensionContext} of one call inside the worker: every API call becomes one request
 * to the harness, which performs it on the simulated system and answers with the result and the
 * virtual time. A {@code performChanges} block runs here and travels as one message; its new
 * jobs' identifiers are the placeholders the protocol defines ({@code nextJob}).
 */
final class RemoteContext implements ExtensionContext {
    private final Connection connection;
    private final int activation;
    private final URI uploadUrlBase;
    private final SortedMap<String, String> configuration;
    private final String os;
    private final Clock clock;
    private final JobIds jobIds;
    private final ReentrantLock blocks;
    private final ConcurrentLinkedQueue<String[]> lookups = new ConcurrentLinkedQueue<>();
    private volatile boolean valid = true;
    private final Library library = new Library();
    private final Storage storage = new Storage();
    private final Http http = new Http();
    private final Log log = new Log();
    /**
     * Set when the harness answered a log line with {@code counted}: the run's log lines passed its
     * budget, so lines are only counted there; from then on this call sends counts, not lines.
     */
    private volatile boolean logCounted;
    /** Lines logged since the last count sent (only while {@link #logCounted}). */
    private final java.util.concurrent.atomic.AtomicLong pendingLogLines = new java.util.concurrent.atomic.AtomicLong();
    /** Lines counted here before a count is sent even without another request (a loop that only logs). */
    static final long LOG_COUNT_BATCH = 1_000;

    /** The next job sequence number, as the harness last said ({@code nextJob} on its messages). */
    interface JobIds {
        long next();

        void advanceTo(long next);
    }

    RemoteContext(Connection connection, int activation, URI uploadUrlBase, SortedMap<String, String> configuration,
            String os, Clock clock, JobIds jobIds, ReentrantLock blocks) {
        this.connection = connection;
        this.activation = activation;
        this.uploadUrlBase = uploadUrlBase;
        this.configuration = configuration;
        this.os = os;
        this.clock = clock;
        this.jobIds = jobIds;
        this.blocks = blocks;
    }

    /** The call returned: later header lookups count for nothing (as in the harness's own host). */
    void end() {
        valid = false;
    }

    int activation() {
        return activation;
    }

    /** Sends the header lookups not yet reported (before any other request, and before the call's result). */
    void flushLookups() {
        if (lookups.isEmpty()) {
            return;
        }
        ArrayNode list = Values.array();
        ArrayNode reads = Values.array();
        String[] lookup;
        while ((lookup = lookups.poll()) != null) {
            if (lookup[1] == null) {
                reads.add(lookup[0]); // the whole map read (iterated, copied)
                continue;
            }
            ArrayNode pair = list.addArray();
            pair.add(lookup[0]);
            pair.add(lookup[1]);
        }
        ObjectNode params = Values.object();
        params.put("call", activation);
        params.set("lookups", list);
        if (!reads.isEmpty()) {
            params.set("reads", reads);
        }
        try {
            connection.call(Protocol.HEADER_LOOKUPS, params);
        } catch (RpcError e) {
            throw unchecked(e);
        }
    }

    // --- ExtensionContext ----------------------------------------------------------------

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
        return uploadUrlBase;
    }

    @Override
    public ExtensionHttp http() {
        return http;
    }

    @Override
    public ExtensionLog log() {
        return log;
    }

    @Override
    public SortedMap<String, String> configuration() {
        return configuration;
    }

    @Override
    public String osVersion() {
        return os;
    }

    // --- requests ----------------------------------------------------------------------------

    private ObjectNode params() {
        ObjectNode params = Values.object();
        params.put("call", activation);
        return params;
    }

    /**
     * Sends the log lines counted and not yet sent (before any other request, and before the
     * call's result), so the harness charges them where they happened: they are not API calls,
     * and no request of the extension can come between them and the harness.
     */
    void flushLogCount() {
        long lines = pendingLogLines.getAndSet(0);
        if (lines == 0) {
            return;
        }
        ObjectNode params = params();
        params.put("count", lines);
        try {
            connection.call(Protocol.LOG, params);
        } catch (Connection.ClosedException e) {
            throw new ProcessKilled("process killed by the system: the harness ended the protocol connection");
        } catch (RpcError e) {
            throw unchecked(e);
        }
    }

    private JsonNode rpc(String method, ObjectNode params) throws RpcError {
        return rpc(method, params, Connection.TREE);
    }

    /** A request whose result is read straight into its values by {@code decoder} (no tree). */
    private <T> T rpc(String method, ObjectNode params, Connection.Decoder<T> decoder) throws RpcError {
        flushLogCount();
        flushLookups();
        try {
            return connection.call(method, params, decoder);
        } catch (Connection.ClosedException e) {
            throw new ProcessKilled("process killed by the system: the harness ended the protocol connection");
        }
    }

    private JsonNode call(String method, ObjectNode params) {
        return call(method, params, Connection.TREE);
    }

    private <T> T call(String method, ObjectNode params, Connection.Decoder<T> decoder) {
        try {
            return rpc(method, params, decoder);
        } catch (RpcError e) {
            throw unchecked(e);
        }
    }

    private static RuntimeException unchecked(RpcError e) {
        switch (e.code()) {
            case Protocol.ERROR_KILLED:
                throw new ProcessKilled(e.getMessage());
            case Protocol.ERROR_INVALID_PARAMS:
                return new IllegalArgumentException(e.getMessage());
            case Protocol.ERROR_UNAVAILABLE:
                return new UnsupportedOperationException(e.getMessage());
            case Protocol.ERROR_STORAGE_UNAVAILABLE:
                return new org.upcert.api.StorageUnavailableException(e.getMessage());
            case Protocol.ERROR_REFUSED:
            default:
                return new IllegalStateException(e.getMessage());
        }
    }

    private static PhotosException photos(RpcError e) {
        String name = e.data().path("photosError").asText("INTERNAL_ERROR");
        PhotosErrorCode code;
        try {
            code = PhotosErrorCode.valueOf(name);
        } catch (IllegalArgumentException unknown) {
            code = PhotosErrorCode.INTERNAL_ERROR;
        }
        return PhotosException.of(code, e.data().path("reason").asText(e.getMessage()));
    }

    private UploadJob watched(UploadJob job) {
        UploadJob watched = WatchedHeaders.watch(job, (id, key) -> {
            if (valid) {
                lookups.add(new String[] {id, key == WatchedHeaders.WHOLE ? null : String.valueOf(key)});
            }
        });
        return osAtLeast("26.4") ? watched : OsLevelJob.before264(watched, this::unavailable);
    }

    /**
     * The extension used {@code api}, which the OS level lacks: the harness records it and refuses
     * (error 8), which throws {@link UnsupportedOperationException} here, as in process.
     */
    private void unavailable(String api) {
        ObjectNode params = params();
        params.put("api", api);
        call(Protocol.API_UNAVAILABLE, params);
        throw new UnsupportedOperationException(api + " is not available at iOS " + os);
    }

    // --- facades ---------------------------------------------------------------------------

    private final class Library implements PhotoLibrary {
        @Override
        public AuthorizationStatus authorizationStatus() {
            return AuthorizationStatus.valueOf(call(Protocol.AUTHORIZATION_STATUS, params()).asText());
        }

        @Override
        public boolean isUploadJobExtensionEnabled() {
            return call(Protocol.IS_ENABLED, params()).asBoolean();
        }

        @Override
        public List<Asset> fetchAssets() {
            return call(Protocol.FETCH_ASSETS, params(), ValueStreams::readAssets);
        }

        @Override
        public List<Asset> fetchAssets(Collection<String> localIdentifiers) {
            ObjectNode params = params();
            params.set("localIdentifiers", Values.texts(List.copyOf(localIdentifiers)));
            return call(Protocol.FETCH_ASSETS, params, ValueStreams::readAssets);
        }

        @Override
        public ChangeToken currentChangeToken() {
            return new ChangeToken(call(Protocol.CURRENT_CHANGE_TOKEN, params()).asText());
        }

        @Override
        public List<PersistentChange> fetchPersistentChanges(ChangeToken token) throws PhotosException {
            ObjectNode params = params();
            params.put("token", token == null ? null : token.encoded());
            try {
                List<PersistentChange> changes = new ArrayList<>();
                for (JsonNode change : rpc(Protocol.FETCH_PERSISTENT_CHANGES, params)) {
                    changes.add(Values.readChange(change));
                }
                return List.copyOf(changes);
            } catch (RpcError e) {
                if (e.code() == Protocol.ERROR_PHOTOS) {
                    throw photos(e);
                }
                throw unchecked(e);
            }
        }

        @Override
        public int jobLimit() {
            return call(Protocol.JOB_LIMIT, params()).asInt();
        }

        @Override
        public List<UploadJob> fetchJobs(JobAction action) {
            if (action == null) {
                throw new IllegalArgumentException("action is required");
            }
            ObjectNode params = params();
            params.put("action", action.name());
            List<UploadJob> read = call(Protocol.FETCH_JOBS, params, ValueStreams::readJobs);
            List<UploadJob> jobs = new ArrayList<>(read.size());
            for (UploadJob job : read) {
                jobs.add(watched(job));
            }
            return List.copyOf(jobs);
        }

        @Override
        public Optional<AssetResource> assetResource(UploadJob job) {
            ObjectNode params = params();
            params.put("job", job.localIdentifier());
            Optional<AssetResource> resource = call(Protocol.ASSET_RESOURCE, params, ValueStreams::readOptionalResource);
            return resource == null ? Optional.empty() : resource;
        }

        @Override
        public byte[] requestData(AssetResource resource) throws PhotosException {
            if (resource == null) {
                throw new IllegalArgumentException("resource is required");
            }
            ObjectNode params = params();
            params.set("resource", Values.resource(resource));
            try {
                Optional<byte[]> data = rpc(Protocol.REQUEST_DATA, params, ValueStreams::readData);
                if (data == null || data.isEmpty()) {
                    throw new IllegalArgumentException("data must be a string");
                }
                return data.get();
            } catch (RpcError e) {
                if (e.code() == Protocol.ERROR_PHOTOS) {
                    throw photos(e);
                }
                throw unchecked(e);
            }
        }

        @Override
        public void performChanges(JobChangeBlock block) throws PhotosException {
            performChangesAndReport(block);
        }

        @Override
        public ChangeOutcome performChangesAndReport(JobChangeBlock block) throws PhotosException {
            if (blocks.isHeldByCurrentThread()) {
                ObjectNode params = params();
                params.put("nested", true);
                call(Protocol.PERFORM_CHANGES, params); // refused: throws IllegalStateException
                throw new IllegalStateException("performChanges blocks cannot be nested");
            }
            blocks.lock();
            try {
                RecordedChanges changes = new RecordedChanges(jobIds.next());
                Throwable thrown = null;
                try {
                    block.apply(changes);
                } catch (ProcessKilled killed) {
                    throw killed;
                } catch (RuntimeException | Error e) {
                    thrown = e;
                } finally {
                    changes.open = false;
                }
                ObjectNode params = params();
                params.set("changes", changes.ops);
                if (thrown != null) {
                    params.put("threw", thrown.getClass().getName());
                }
                ChangeOutcome outcome = null;
                try {
                    JsonNode answer = rpc(Protocol.PERFORM_CHANGES, params);
                    outcome = Values.readOutcome(answer, changes.ops.size());
                } catch (RpcError e) {
                    if (e.code() == Protocol.ERROR_PHOTOS && thrown == null) {
                        throw photos(e);
                    }
                    if (thrown == null) {
                        throw unchecked(e);
                    }
                }
                if (thrown instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (thrown instanceof Error error) {
                    throw error;
                }
                return outcome;
            } finally {
                blocks.unlock();
            }
        }
    }

    /** A block's changes, recorded here and sent as one message when the block returns. */
    private final class RecordedChanges implements JobChanges {
        private final ArrayNode ops = Values.array();
        private long nextJob;
        private volatile boolean open = true;

        RecordedChanges(long nextJob) {
            this.nextJob = nextJob;
        }

        private void requireOpen(String api) {
            if (!open) {
                ObjectNode params = params();
                params.put("api", api);
                call(Protocol.CHANGES_OUTSIDE_BLOCK, params); // refused: throws IllegalStateException
                throw new IllegalStateException(api + " outside its performChanges block");
            }
        }

        @Override
        public String createJob(AssetResource resource, UploadRequest destination) {
            requireOpen("JobChanges.createJob");
            String id = org.upcert.protocol.Protocol.jobId(nextJob++);
            ObjectNode op = ops.addObject();
            op.put("op", "create");
            op.set("resource", resource == null ? null : Values.resource(resource));
            op.set("destination", destination == null ? null : Values.request(destination));
            op.put("placeholder", id);
            // Before 26.4 only createJob(destination:resource:) exists, and it returns nothing.
            return osAtLeast("26.4") ? id : null;
        }

        @Override
        public String createDownloadJob(AssetResource resource) {
            requireOpen("JobChanges.createDownloadJob");
            if (!osAtLeast("26.4")) {
                unavailable("JobChanges.createDownloadJob");
            }
            String id = org.upcert.protocol.Protocol.jobId(nextJob++);
            ObjectNode op = ops.addObject();
            op.put("op", "createDownload");
            op.set("resource", resource == null ? null : Values.resource(resource));
            op.put("placeholder", id);
            return id;
        }

        @Override
        public void acknowledge(UploadJob job) {
            requireOpen("JobChanges.acknowledge");
            ObjectNode op = ops.addObject();
            op.put("op", "acknowledge");
            op.put("job", job == null ? null : job.localIdentifier());
        }

        @Override
        public void retry(UploadJob job, UploadRequest newDestination) {
            requireOpen("JobChanges.retry");
            ObjectNode op = ops.addObject();
            op.put("op", "retry");
            op.put("job", job == null ? null : job.localIdentifier());
            op.set("destination", newDestination == null ? null : Values.request(newDestination));
        }

        @Override
        public void cancel(UploadJob job) {
            requireOpen("JobChanges.cancel");
            if (!osAtLeast("26.4")) {
                unavailable("JobChanges.cancel");
            }
            ObjectNode op = ops.addObject();
            op.put("op", "cancel");
            op.put("job", job == null ? null : job.localIdentifier());
        }
    }

    private final class Storage implements AppGroupStorage {
        @Override
        public Optional<byte[]> read(String name) {
            ObjectNode params = params();
            params.put("name", name);
            Optional<byte[]> data = call(Protocol.STORAGE_READ, params, ValueStreams::readData);
            return data == null ? Optional.empty() : data;
        }

        @Override
        public void write(String name, byte[] content) {
            ObjectNode params = params();
            params.put("name", name);
            params.put("data", Values.base64(content));
            call(Protocol.STORAGE_WRITE, params);
        }

        @Override
        public void append(String name, byte[] content) {
            ObjectNode params = params();
            params.put("name", name);
            params.put("data", Values.base64(content));
            call(Protocol.STORAGE_APPEND, params);
        }

        @Override
        public boolean delete(String name) {
            ObjectNode params = params();
            params.put("name", name);
            return call(Protocol.STORAGE_DELETE, params).asBoolean();
        }

        @Override
        public List<String> list(String prefix) {
            ObjectNode params = params();
            params.put("prefix", prefix);
            return List.copyOf(Values.readTexts(call(Protocol.STORAGE_LIST, params), "names"));
        }
    }

    private final class Http implements ExtensionHttp {
        @Override
        public Response send(UploadRequest request, byte[] body) throws TransportException {
            ObjectNode params = params();
            params.set("request", Values.request(request));
            params.put("body", Values.base64(body));
            try {
                return Values.readResponse(rpc(Protocol.HTTP_SEND, params));
            } catch (RpcError e) {
                if (e.code() == Protocol.ERROR_TRANSPORT) {
                    UploadError error = Values.readError(e.data().get("error"));
                    throw new TransportException(error);
                }
                throw unchecked(e);
            }
        }
    }

    private final class Log implements ExtensionLog {
        @Override
        public void info(String message) {
            write("info", message);
        }

        @Override
        public void warn(String message) {
            write("warn", message);
        }

        @Override
        public void error(String message) {
            write("error", message);
        }

        private void write(String level, String message) {
            if (logCounted && valid) {
                if (pendingLogLines.incrementAndGet() >= LOG_COUNT_BATCH) {
                    flushLogCount();
                }
                return;
            }
            ObjectNode params = params();
            params.put("level", level);
            params.put("message", String.valueOf(message));
            if (call(Protocol.LOG, params).path("counted").asBoolean(false)) {
                logCounted = true;
            }
        }
    }
}
