package org.upcert.harness.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.upcert.api.JobAction.ACKNOWLEDGE;
import static org.upcert.api.JobAction.PROCESS;
import static org.upcert.api.JobAction.RETRY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.harness.jobs.JobStore.ChangeSet;
import org.upcert.harness.jobs.JobStore.Rejection;
import org.upcert.harness.library.LibraryGenerator;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.trace.Trace;

/**
 * Pins every rule of the job store: reference §1.2, §1.3, §2 and ARCHITECTURE.md "Where the
 * sources are silent, upcert decides" / "Fetch sets see the extension's own changes at once".
 */
@DisplayName("JobStore follows PhotoKit's job lifecycle, fetch sets, jobLimit and atomic change blocks")
class JobStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_LIMIT = 5;

    private final long[] clock = {1_000};
    private SimulatedLibrary library;
    private Trace trace;
    private JobStore store;
    private final List<String> calls = new ArrayList<>();
    private int activation = 1;
    private int destinations;
    private int nextResource;

    /** How far a helper drives a job, and what the rules say the job then looks like. */
    enum Stage {
        REGISTERED(JobState.REGISTERED, false, false, PROCESS),
        PENDING(JobState.PENDING, false, false, PROCESS),
        SUCCEEDED(JobState.SUCCEEDED, false, false, ACKNOWLEDGE),
        FAILED(JobState.FAILED, false, false, ACKNOWLEDGE, RETRY),
        RETRIED(JobState.REGISTERED, true, false, PROCESS),
        RETRIED_PENDING(JobState.PENDING, true, false, PROCESS),
        SUCCEEDED_AFTER_RETRY(JobState.SUCCEEDED, true, false, ACKNOWLEDGE),
        FAILED_AFTER_RETRY(JobState.FAILED, true, false, ACKNOWLEDGE),
        CANCELLED(JobState.CANCELLED, false, true),
        ACKNOWLEDGED_SUCCEEDED(JobState.SUCCEEDED, false, true),
        ACKNOWLEDGED_FAILED(JobState.FAILED, false, true);

        final JobState state;
        final boolean retried;
        final boolean gone;
        final Set<JobAction> sets;

        Stage(JobState state, boolean retried, boolean gone, JobAction... sets) {
            this.state = state;
            this.retried = retried;
            this.gone = gone;
            this.sets = sets.length == 0 ? EnumSet.noneOf(JobAction.class) : EnumSet.copyOf(Arrays.asList(sets));
        }
    }

    @BeforeEach
    void setUp() {
        open(DEFAULT_LIMIT, 1);
    }

    // --- fixture and helpers ------------------------------------------------------------------

    private void open(int limit, long seed) {
        library = new SimulatedLibrary(new LibraryGenerator(new SimRandom(seed)).initialLibrary(Workload.typical(20)));
        trace = Trace.inMemory();
        store = new JobStore(limit, library, trace, () -> clock[0]);
        calls.clear();
        nextResource = 0;
        store.setListener(new JobStore.Listener() {
            @Override
            public void registered(JobRecord job) {
                calls.add("registered " + job.id() + " " + job.state());
            }

            @Override
            public void cancelled(JobRecord job) {
                calls.add("cancelled " + job.id() + " " + job.state());
            }
        });
    }

    private AssetResource resource(int i) {
        List<AssetResource> live = library.liveResources();
        return live.get(i % live.size());
    }

    private AssetResource nextResource() {
        return resource(nextResource++);
    }

    private static UploadRequest dest(String tag) {
        return UploadRequest.put(URI.create("https://cloud.example/upload/" + tag)).withHeader("X-Tag", tag);
    }

    private UploadRequest freshDest() {
        return dest("d" + (++destinations));
    }

    private Optional<Rejection> block(Consumer<ChangeSet> ops) {
        ChangeSet changes = store.begin(activation);
        ops.accept(changes);
        return changes.commit();
    }

    private void commitOk(Consumer<ChangeSet> ops) {
        Optional<Rejection> rejection = block(ops);
        assertEquals(Optional.empty(), rejection, "block should have committed");
    }

    private PhotosErrorCode rejected(Consumer<ChangeSet> ops) {
        Optional<Rejection> rejection = block(ops);
        assertTrue(rejection.isPresent(), "block should have been rejected");
        return rejection.get().code();
    }

    /**
     * Commits a block that must commit while dropping at least one change; returns the first
     * dropped change's code.
     */
    private PhotosErrorCode dropped(Consumer<ChangeSet> ops) {
        ChangeSet changes = store.begin(activation);
        ops.accept(changes);
        assertEquals(Optional.empty(), changes.commit(), "block should have committed");
        assertFalse(changes.dropped().isEmpty(), "a change should have been dropped");
        return changes.dropped().get(0).code();
    }

    private JobRecord job(String id) {
        return store.find(id).orElseThrow(() -> new AssertionError("no live job " + id));
    }

    private JobRecord record(String id) {
        return store.allJobs().stream().filter(j -> j.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no job " + id + " ever"));
    }

    private String create() {
        return create(nextResource());
    }

    private String create(AssetResource resource) {
        String[] id = new String[1];
        commitOk(cs -> id[0] = cs.create(resource, freshDest()));
        return id[0];
    }

    private String pending() {
        String id = create();
        store.markPending(job(id));
        return id;
    }

    private static SortedMap<String, String> headers(String... kv) {
        TreeMap<String, String> map = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return map;
    }

    private String succeeded() {
        String id = pending();
        store.markSucceeded(job(id), 201, headers("etag", "e-" + id));
        return id;
    }

    private String failed() {
        String id = pending();
        store.markFailed(job(id), UploadError.httpStatus(503), headers("retry-after", "5"));
        return id;
    }

    private String retried() {
        String id = failed();
        commitOk(cs -> cs.retry(id, null));
        return id;
    }

    private String failedAfterRetry() {
        String id = retried();
        store.markPending(job(id));
        store.markFailed(job(id), UploadError.transport(UploadError.TIMED_OUT, "timed out"), null);
        return id;
    }

    private String drive(Stage stage) {
        switch (stage) {
            case REGISTERED:
                return create();
            case PENDING:
                return pending();
            case SUCCEEDED:
                return succeeded();
            case FAILED:
                return failed();
            case RETRIED:
                return retried();
            case RETRIED_PENDING: {
                String id = retried();
                store.markPending(job(id));
                return id;
            }
            case SUCCEEDED_AFTER_RETRY: {
                String id = retried();
                store.markPending(job(id));
                store.markSucceeded(job(id), 200, headers());
                return id;
            }
            case FAILED_AFTER_RETRY:
                return failedAfterRetry();
            case CANCELLED: {
                String id = create();
                commitOk(cs -> cs.cancel(id));
                return id;
            }
            case ACKNOWLEDGED_SUCCEEDED: {
                String id = succeeded();
                commitOk(cs -> cs.acknowledge(id));
                return id;
            }
            case ACKNOWLEDGED_FAILED: {
                String id = failed();
                commitOk(cs -> cs.acknowledge(id));
                return id;
            }
            default:
                throw new AssertionError(stage);
        }
    }

    private List<String> ids(JobAction action) {
        return store.fetch(action).stream().map(JobRecord::id).collect(Collectors.toList());
    }

    private Set<JobAction> setsOf(String id) {
        Set<JobAction> in = EnumSet.noneOf(JobAction.class);
        for (JobAction action : JobAction.values()) {
            if (ids(action).contains(id)) {
                in.add(action);
            }
        }
        return in;
    }

    /** Everything observable about the store, for before/after comparisons. */
    private List<Object> storeState() {
        List<Object> state = new ArrayList<>();
        state.add("unacknowledged=" + store.unacknowledgedCount());
        for (JobAction action : JobAction.values()) {
            state.add(action + "=" + ids(action));
        }
        for (JobRecord job : store.allJobs()) {
            UploadJob snap = job.snapshot(false);
            state.add(List.of(job.id(), job.state(), job.retried(), job.acknowledged(), job.destination(),
                    job.error(), job.httpStatus(), job.registeredInActivation(), job.createdInActivation(),
                    snap.responseHeaderFields(), store.find(job.id()).isPresent()));
        }
        return state;
    }

    private List<JsonNode> events() {
        List<JsonNode> events = new ArrayList<>();
        for (String line : trace.text().split("\n")) {
            if (!line.isBlank()) {
                try {
                    events.add(JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return events;
    }

    private int mark() {
        return events().size();
    }

    private List<JsonNode> since(int mark) {
        List<JsonNode> all = events();
        return new ArrayList<>(all.subList(mark, all.size()));
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.get("ev").asText()).collect(Collectors.toList());
    }

    private static JsonNode only(List<JsonNode> events, String ev) {
        List<JsonNode> found = events.stream().filter(e -> e.get("ev").asText().equals(ev)).collect(Collectors.toList());
        assertEquals(1, found.size(), "exactly one " + ev + " in " + events);
        return found.get(0);
    }

    private static void assertNoJobEvents(List<JsonNode> events) {
        for (String name : names(events)) {
            assertFalse(name.startsWith("job."), "no job.* event expected, got " + names(events));
        }
        assertFalse(names(events).contains("changes.commit"), "no changes.commit expected");
    }

    private AssetResource madeUpResource() {
        return new AssetResource("NOT-IN-LIBRARY/L0/001", AssetResource.ResourceType.PHOTO, "IMG_9999.HEIC",
                "public.heic", 1234);
    }

    /** A resource whose asset has been deleted from the library. */
    private AssetResource deletedResource() {
        AssetResource resource = resource(0);
        assertTrue(library.delete(resource.assetLocalIdentifier()));
        assertFalse(library.isLive(resource));
        return resource;
    }

    // =========================================================================================

    @Nested
    @DisplayName("Fetch sets (§2): ACKNOWLEDGE = finished+unacknowledged, RETRY = failed+never retried, PROCESS = registered|pending")
    class FetchSets {

        @ParameterizedTest(name = "{0}")
        @EnumSource(Stage.class)
        @DisplayName("every job is in exactly the sets its state dictates, and findable only while unacknowledged")
        void jobIsInExactlyItsSets(Stage stage) {
            String id = drive(stage);
            JobRecord record = record(id);
            assertEquals(stage.state, record.state());
            assertEquals(stage.retried, record.retried());
            assertEquals(stage.gone, record.acknowledged());
            assertEquals(stage.sets, setsOf(id));
            assertEquals(!stage.gone, store.find(id).isPresent());
        }

        @Test
        @DisplayName("a first-failed job is in BOTH RETRY and ACKNOWLEDGE, and not in PROCESS")
        void firstFailedIsInRetryAndAcknowledge() {
            String id = failed();
            assertEquals(List.of(id), ids(RETRY));
            assertEquals(List.of(id), ids(ACKNOWLEDGE));
            assertEquals(List.of(), ids(PROCESS));
        }

        @Test
        @DisplayName("after its retry is spent and it fails again, a job is ONLY in ACKNOWLEDGE")
        void spentRetryIsOnlyInAcknowledge() {
            String id = failedAfterRetry();
            assertEquals(List.of(id), ids(ACKNOWLEDGE));
            assertEquals(List.of(), ids(RETRY));
            assertEquals(List.of(), ids(PROCESS));
        }

        @Test
        @DisplayName("a retried job in flight is only in PROCESS")
        void retriedInFlightIsOnlyInProcess() {
            String id = retried();
            assertEquals(EnumSet.of(PROCESS), setsOf(id));
            store.markPending(job(id));
            assertEquals(EnumSet.of(PROCESS), setsOf(id));
        }

        @Test
        @DisplayName("acknowledging a first-failed job removes it from RETRY, ACKNOWLEDGE and find")
        void acknowledgingRemovesFromEverySet() {
            String id = failed();
            String other = failed();
            commitOk(cs -> cs.acknowledge(id));
            assertEquals(List.of(other), ids(RETRY));
            assertEquals(List.of(other), ids(ACKNOWLEDGE));
            assertEquals(List.of(), ids(PROCESS));
            assertEquals(Optional.empty(), store.find(id));
            assertTrue(record(id).acknowledged(), "allJobs keeps the acknowledged record");
        }

        @Test
        @DisplayName("sets are ordered oldest job first, whatever order the jobs finished in")
        void setsAreOldestFirst() {
            String a = create();
            String b = create();
            String c = create();
            String d = create();
            assertEquals(List.of(a, b, c, d), ids(PROCESS));
            store.markPending(job(d));
            store.markPending(job(c));
            store.markPending(job(b));
            store.markPending(job(a));
            assertEquals(List.of(a, b, c, d), ids(PROCESS));
            store.markFailed(job(d), UploadError.httpStatus(500), headers());
            store.markSucceeded(job(c), 200, headers());
            store.markFailed(job(b), UploadError.httpStatus(500), headers());
            store.markSucceeded(job(a), 200, headers());
            assertEquals(List.of(a, b, c, d), ids(ACKNOWLEDGE));
            assertEquals(List.of(b, d), ids(RETRY));
        }

        @Test
        @DisplayName("jobs created in one block are ordered in the block's op order")
        void oneBlockKeepsOpOrder() {
            String[] made = new String[3];
            commitOk(cs -> {
                made[0] = cs.create(resource(3), freshDest());
                made[1] = cs.create(resource(1), freshDest());
                made[2] = cs.create(resource(2), freshDest());
            });
            assertEquals(List.of(made), ids(PROCESS));
        }

        @Test
        @DisplayName("a retried job keeps its place (creation order) when it reappears in ACKNOWLEDGE")
        void retriedJobKeepsItsPlace() {
            String a = failed();
            String b = failed();
            commitOk(cs -> cs.retry(a, null));
            assertEquals(List.of(b), ids(ACKNOWLEDGE));
            store.markPending(job(a));
            store.markFailed(job(a), UploadError.httpStatus(500), headers());
            assertEquals(List.of(a, b), ids(ACKNOWLEDGE));
            assertEquals(List.of(b), ids(RETRY));
        }

        @Test
        @DisplayName("the extension's own create, retry, acknowledge and cancel show in the sets right after commit")
        void ownChangesVisibleImmediately() {
            long frozen = clock[0];
            String created = create();
            assertEquals(List.of(created), ids(PROCESS));
            String f = failed();
            String s = succeeded();
            commitOk(cs -> {
                cs.retry(f, null);
                cs.acknowledge(s);
                cs.cancel(created);
            });
            assertEquals(frozen, clock[0], "no time passed");
            assertEquals(List.of(f), ids(PROCESS));
            assertEquals(List.of(), ids(RETRY));
            assertEquals(List.of(), ids(ACKNOWLEDGE));
        }

        @Test
        @DisplayName("changes of a block not yet committed are invisible to fetch, find and the count")
        void uncommittedChangesInvisible() {
            String s = succeeded();
            List<Object> before = storeState();
            ChangeSet open = store.begin(activation);
            String placeholder = open.create(resource(5), freshDest());
            open.acknowledge(s);
            assertEquals(before, storeState());
            assertEquals(Optional.empty(), store.find(placeholder));
            assertEquals(Optional.empty(), open.commit());
            assertEquals(List.of(placeholder), ids(PROCESS));
            assertEquals(List.of(), ids(ACKNOWLEDGE));
        }

        @Test
        @DisplayName("fetch returns empty sets for an empty store")
        void emptyStore() {
            for (JobAction action : JobAction.values()) {
                assertEquals(List.of(), ids(action));
            }
            assertEquals(0, store.unacknowledgedCount());
            assertEquals(List.of(), store.allJobs());
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("jobLimit (§1.2, §2; upcert: net effect, retries keep their place)")
    class JobLimit {

        @Test
        @DisplayName("registered, pending, succeeded and failed unacknowledged jobs all count")
        void countsEveryUnacknowledgedJob() {
            open(4, 1);
            create();
            pending();
            succeeded();
            failed();
            assertEquals(4, store.unacknowledgedCount());
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, rejected(cs -> cs.create(resource(9), freshDest())));
        }

        @Test
        @DisplayName("cancelled and acknowledged jobs do not count")
        void cancelledAndAcknowledgedDoNotCount() {
            open(2, 1);
            drive(Stage.CANCELLED);
            drive(Stage.ACKNOWLEDGED_SUCCEEDED);
            drive(Stage.ACKNOWLEDGED_FAILED);
            assertEquals(0, store.unacknowledgedCount());
            commitOk(cs -> {
                cs.create(resource(1), freshDest());
                cs.create(resource(2), freshDest());
            });
            assertEquals(2, store.unacknowledgedCount());
        }

        @Test
        @DisplayName("a block that brings the store exactly to the limit is allowed")
        void exactlyAtLimitAllowed() {
            open(3, 1);
            create();
            commitOk(cs -> {
                cs.create(resource(1), freshDest());
                cs.create(resource(2), freshDest());
            });
            assertEquals(3, store.unacknowledgedCount());
            assertEquals(3, ids(PROCESS).size());
        }

        @Test
        @DisplayName("a block that would exceed the limit is rejected with LIMIT_EXCEEDED and creates nothing")
        void overLimitRejected() {
            open(3, 1);
            int mark = mark();
            Optional<Rejection> rejection = block(cs -> {
                for (int i = 0; i < 4; i++) {
                    cs.create(resource(i), freshDest());
                }
            });
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, rejection.orElseThrow().code());
            assertEquals(0, store.unacknowledgedCount());
            assertEquals(List.of(), store.allJobs());
            assertEquals(List.of(), calls);
            List<JsonNode> events = since(mark);
            assertEquals(List.of("changes.rejected"), names(events));
            assertEquals("LIMIT_EXCEEDED", events.get(0).get("code").asText());
            assertEquals(4, events.get(0).get("changes").asInt());
        }

        @Test
        @DisplayName("LIMIT_EXCEEDED is atomic: the block's acknowledgements, cancels and retries do not happen either")
        void limitRejectionIsAtomic() {
            open(3, 1);
            String s = succeeded();
            String r = create();
            String f = failed();
            calls.clear();
            List<Object> before = storeState();
            int mark = mark();
            PhotosErrorCode code = rejected(cs -> {
                cs.acknowledge(s);
                cs.cancel(r);
                cs.retry(f, dest("new"));
                cs.create(resource(7), freshDest());
                cs.create(resource(8), freshDest());
                cs.create(resource(9), freshDest());
            });
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, code);
            assertEquals(before, storeState());
            assertEquals(List.of(), calls);
            List<JsonNode> events = since(mark);
            assertEquals(List.of("changes.rejected"), names(events));
            assertEquals(6, events.get(0).get("changes").asInt());
        }

        @Test
        @DisplayName("acknowledging and creating in one block is judged on the net effect, whatever the op order")
        void netEffectCounts() {
            open(3, 1);
            String s1 = succeeded();
            String s2 = succeeded();
            String s3 = succeeded();
            // create first, acknowledge after: still fits at the end of the block
            commitOk(cs -> {
                cs.create(resource(5), freshDest());
                cs.acknowledge(s1);
            });
            assertEquals(3, store.unacknowledgedCount());
            commitOk(cs -> {
                cs.acknowledge(s2);
                cs.acknowledge(s3);
                cs.create(resource(6), freshDest());
                cs.create(resource(7), freshDest());
            });
            assertEquals(3, store.unacknowledgedCount());
        }

        @Test
        @DisplayName("a net effect one over the limit is rejected even with acknowledgements in the block")
        void netEffectOneOverRejected() {
            open(3, 1);
            String s1 = succeeded();
            succeeded();
            succeeded();
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, rejected(cs -> {
                cs.acknowledge(s1);
                cs.create(resource(5), freshDest());
                cs.create(resource(6), freshDest());
            }));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("a cancel in the same block makes room for a creation")
        void cancelMakesRoomInSameBlock() {
            open(2, 1);
            String r = create();
            String p = pending();
            commitOk(cs -> {
                cs.cancel(p);
                cs.create(resource(5), freshDest());
            });
            assertEquals(2, store.unacknowledgedCount());
            assertEquals(2, ids(PROCESS).size());
            assertEquals(r, ids(PROCESS).get(0));
            assertEquals(JobState.CANCELLED, record(p).state());
        }

        @Test
        @DisplayName("a retry never raises LIMIT_EXCEEDED: the job keeps its place, even at the limit")
        void retryAtLimitAllowed() {
            open(2, 1);
            String f = failed();
            succeeded();
            assertEquals(2, store.unacknowledgedCount());
            commitOk(cs -> cs.retry(f, null));
            assertEquals(2, store.unacknowledgedCount());
            assertEquals(JobState.REGISTERED, job(f).state());
        }

        @Test
        @DisplayName("a retry frees no room either: retry + create at the limit is LIMIT_EXCEEDED and the retry is not applied")
        void retryDoesNotFreeRoom() {
            open(2, 1);
            String f = failed();
            succeeded();
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, rejected(cs -> {
                cs.retry(f, null);
                cs.create(resource(5), freshDest());
            }));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("finished jobs keep holding their place until acknowledged")
        void finishedJobsHoldPlace() {
            open(1, 1);
            String s = succeeded();
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, rejected(cs -> cs.create(resource(1), freshDest())));
            commitOk(cs -> cs.acknowledge(s));
            assertEquals(0, store.unacknowledgedCount());
            create();
            assertEquals(1, store.unacknowledgedCount());
        }

        @Test
        @DisplayName("a job created and cancelled in the same block leaves the count unchanged and is allowed at the limit")
        void createAndCancelInSameBlock() {
            open(1, 1);
            String r = create();
            String[] made = new String[1];
            commitOk(cs -> {
                made[0] = cs.create(resource(4), freshDest());
                cs.cancel(made[0]);
            });
            assertEquals(1, store.unacknowledgedCount());
            assertEquals(List.of(r), ids(PROCESS));
            JobRecord cancelled = record(made[0]);
            assertEquals(JobState.CANCELLED, cancelled.state());
            assertTrue(cancelled.acknowledged());
            assertEquals(List.of("registered " + r + " REGISTERED", "registered " + made[0] + " REGISTERED",
                    "cancelled " + made[0] + " CANCELLED"), calls);
        }

        @Test
        @DisplayName("jobLimit() reports the limit; a limit below 1 is refused")
        void limitValue() {
            assertEquals(DEFAULT_LIMIT, store.jobLimit());
            assertThrows(IllegalArgumentException.class, () -> new JobStore(0, library, trace, () -> 0));
            assertEquals(1, new JobStore(1, library, trace, () -> 0).jobLimit());
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("Commit: what can apply commits, a change its job no longer allows is dropped, a refused creation or the limit rejects the block")
    class Atomicity {

        @Test
        @DisplayName("one illegal op among legal ones is dropped with its code; the rest of the block commits")
        void oneIllegalIsDropped() {
            String s = succeeded();
            String f = failed();
            String r1 = create();
            String r2 = create();
            calls.clear();
            int mark = mark();
            ChangeSet cs = store.begin(activation);
            cs.create(resource(8), freshDest());
            cs.acknowledge(s);
            cs.acknowledge(r1); // illegal: registered
            cs.retry(f, dest("again"));
            cs.cancel(r2);
            assertEquals(Optional.empty(), cs.commit());
            assertEquals(1, cs.dropped().size());
            JobStore.Dropped drop = cs.dropped().get(0);
            assertEquals(2, drop.index());
            assertEquals("acknowledge", drop.op());
            assertEquals(r1, drop.job());
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, drop.code());
            assertEquals(JobState.REGISTERED, drop.state());
            assertEquals(4, cs.applied());
            assertEquals(EnumSet.of(PROCESS), setsOf(r1), "the dropped change did nothing");
            assertTrue(record(s).acknowledged());
            assertTrue(record(f).retried());
            assertEquals(JobState.CANCELLED, record(r2).state());
            assertEquals(List.of("change.dropped", "changes.commit", "job.create", "job.ack", "job.retry", "job.cancel"),
                    names(since(mark)));
            assertEquals(1, only(since(mark), "changes.commit").get("dropped").asInt());
        }

        @Test
        @DisplayName("an illegal creation (deleted asset) among legal acknowledgements: IDENTIFIER_NOT_FOUND, nothing applies")
        void illegalCreateRejectsAcks() {
            String s = succeeded();
            AssetResource gone = deletedResource();
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, rejected(cs -> {
                cs.acknowledge(s);
                cs.create(gone, freshDest());
            }));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("a creation without access among legal acknowledgements: ACCESS_USER_DENIED, nothing applies")
        void deniedCreateRejectsAcks() {
            String s = succeeded();
            String f = failed();
            library.setAuthorization(AuthorizationStatus.LIMITED);
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.ACCESS_USER_DENIED, rejected(cs -> {
                cs.acknowledge(s);
                cs.retry(f, null);
                cs.create(resource(3), freshDest());
            }));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("each dropped op keeps its own code (IDENTIFIER_NOT_FOUND, CHANGE_NOT_SUPPORTED), in block order")
        void eachDropHasItsCode() {
            String s = succeeded();
            ChangeSet cs = store.begin(activation);
            cs.acknowledge("J-never");
            cs.cancel(s);
            assertEquals(Optional.empty(), cs.commit());
            assertEquals(List.of(PhotosErrorCode.IDENTIFIER_NOT_FOUND, PhotosErrorCode.CHANGE_NOT_SUPPORTED),
                    cs.dropped().stream().map(JobStore.Dropped::code).toList());
            assertEquals(null, cs.dropped().get(0).state(), "no such job: no state");
            assertEquals(JobState.SUCCEEDED, cs.dropped().get(1).state());
            assertEquals(EnumSet.of(ACKNOWLEDGE), setsOf(s));
        }

        @Test
        @DisplayName("a dropped acknowledgement frees no room: the creations still exceed the limit (LIMIT_EXCEEDED)")
        void droppedOpFreesNothing() {
            open(2, 1);
            String r = create();
            int mark = mark();
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, rejected(cs -> {
                cs.create(resource(1), freshDest());
                cs.create(resource(2), freshDest());
                cs.acknowledge(r); // registered: dropped, frees nothing
            }));
            assertEquals(List.of("change.dropped", "changes.rejected"), names(since(mark)));
            assertEquals(1, store.unacknowledgedCount());
        }

        @Test
        @DisplayName("each dropped op traces change.dropped (block, op, job, code, state, fetched, cause), then changes.commit")
        void dropIsTraced() {
            String r = create();
            String s = succeeded();
            int mark = mark();
            ChangeSet cs = store.begin(activation);
            cs.acknowledge(r);
            cs.acknowledge(s);
            cs.retry("J-none", null);
            clock[0] = 4242;
            assertEquals(Optional.empty(), cs.commit());
            List<JsonNode> events = since(mark);
            assertEquals(List.of("change.dropped", "change.dropped", "changes.commit", "job.ack"), names(events));
            JsonNode first = events.get(0);
            assertEquals(4242, first.get("t").asLong());
            assertEquals(cs.block(), first.get("block").asInt());
            assertEquals("acknowledge", first.get("op").asText());
            assertEquals(r, first.get("job").asText());
            assertEquals("CHANGE_NOT_SUPPORTED", first.get("code").asText());
            assertEquals("REGISTERED", first.get("state").asText());
            assertEquals("NONE", first.get("fetched").asText(), "no view given: the extension saw nothing");
            assertEquals("extension", first.get("cause").asText());
            assertTrue(first.get("reason").asText().contains(r));
            JsonNode second = events.get(1);
            assertEquals("retry", second.get("op").asText());
            assertEquals("J-none", second.get("job").asText());
            assertEquals("IDENTIFIER_NOT_FOUND", second.get("code").asText());
            assertEquals("NONE", second.get("state").asText());
            JsonNode commit = events.get(2);
            assertEquals(1, commit.get("ack").asInt());
            assertEquals(2, commit.get("dropped").asInt());
            assertEquals(3, cs.size());
        }

        @Test
        @DisplayName("a cancel legal at the extension's last fetch, made illegal by the system before the commit: dropped, cause system")
        void systemRaceIsNotTheExtensions() {
            String p = pending();
            String q = pending();
            String s = succeeded();
            // The extension fetched p and q while PENDING; the system finishes p before the commit.
            JobStore.ExtensionView view = id -> id.equals(p) || id.equals(q) ? new JobStore.Seen(JobState.PENDING, false)
                    : id.equals(s) ? new JobStore.Seen(JobState.SUCCEEDED, false) : null;
            store.markSucceeded(job(p), 201, headers());
            int mark = mark();
            ChangeSet cs = store.begin(activation);
            cs.cancel(p);
            cs.cancel(q);
            cs.acknowledge(s);
            assertEquals(Optional.empty(), cs.commit(view));
            assertEquals(1, cs.dropped().size());
            JobStore.Dropped drop = cs.dropped().get(0);
            assertEquals(p, drop.job());
            assertEquals(JobState.SUCCEEDED, drop.state());
            assertEquals(new JobStore.Seen(JobState.PENDING, false), drop.seen());
            assertFalse(drop.avoidable(), "legal as the extension saw it");
            JsonNode line = only(since(mark), "change.dropped");
            assertEquals("system", line.get("cause").asText());
            assertEquals("PENDING", line.get("fetched").asText());
            assertEquals("SUCCEEDED", line.get("state").asText());
            assertEquals(JobState.CANCELLED, record(q).state(), "the rest of the block committed");
            assertTrue(record(s).acknowledged());
            assertEquals(EnumSet.of(ACKNOWLEDGE), setsOf(p), "nothing happened to the dropped change's job");
        }

        @Test
        @DisplayName("a cancel already illegal at the extension's last fetch (it saw the job SUCCEEDED): dropped, cause extension")
        void illegalAtFetchIsTheExtensions() {
            String s = succeeded();
            String f = failedAfterRetry();
            JobStore.ExtensionView view = id -> id.equals(s) ? new JobStore.Seen(JobState.SUCCEEDED, false)
                    : id.equals(f) ? new JobStore.Seen(JobState.FAILED, true) : null;
            int mark = mark();
            ChangeSet cs = store.begin(activation);
            cs.cancel(s);
            cs.retry(f, null); // its one retry was spent, and the extension's fetch said so
            assertEquals(Optional.empty(), cs.commit(view));
            assertEquals(List.of(true, true), cs.dropped().stream().map(JobStore.Dropped::avoidable).toList());
            List<JsonNode> lines = since(mark).stream().filter(e -> e.get("ev").asText().equals("change.dropped")).toList();
            assertEquals("extension", lines.get(0).get("cause").asText());
            assertEquals("SUCCEEDED", lines.get(0).get("fetched").asText());
            assertEquals("extension", lines.get(1).get("cause").asText());
            assertTrue(lines.get(1).get("retried").asBoolean());
        }

        @Test
        @DisplayName("within a block the extension's view follows its own earlier changes: retry then acknowledge is its doing")
        void viewFollowsTheBlocksOwnChanges() {
            String f = failed();
            JobStore.ExtensionView view = id -> id.equals(f) ? new JobStore.Seen(JobState.FAILED, false) : null;
            ChangeSet cs = store.begin(activation);
            cs.retry(f, null);
            cs.acknowledge(f);
            assertEquals(Optional.empty(), cs.commit(view));
            assertTrue(cs.dropped().get(0).avoidable());
        }

        @Test
        @DisplayName("a committed block traces changes.commit with its counts, then one job.* line per op in op order")
        void commitIsTracedInOpOrder() {
            String f = failed();
            String s = succeeded();
            String r = create();
            calls.clear();
            int mark = mark();
            AssetResource res = resource(11);
            String[] made = new String[1];
            ChangeSet cs = store.begin(7);
            cs.retry(f, dest("fresh"));
            cs.acknowledge(s);
            made[0] = cs.create(res, dest("new"));
            cs.cancel(r);
            assertEquals(4, cs.size());
            assertEquals(Optional.empty(), cs.commit());
            List<JsonNode> events = since(mark);
            assertEquals(List.of("changes.commit", "job.retry", "job.ack", "job.create", "job.cancel"), names(events));
            JsonNode commit = events.get(0);
            assertEquals(cs.block(), commit.get("block").asInt());
            assertEquals(1, commit.get("create").asInt());
            assertEquals(1, commit.get("ack").asInt());
            assertEquals(1, commit.get("retry").asInt());
            assertEquals(1, commit.get("cancel").asInt());
            assertEquals(f, events.get(1).get("job").asText());
            assertEquals("https://cloud.example/upload/fresh", events.get(1).get("url").asText());
            assertEquals(s, events.get(2).get("job").asText());
            assertEquals("SUCCEEDED", events.get(2).get("state").asText());
            assertEquals(made[0], events.get(3).get("job").asText());
            assertEquals(res.key(), events.get(3).get("resource").asText());
            assertEquals("PUT", events.get(3).get("method").asText());
            assertEquals("https://cloud.example/upload/new", events.get(3).get("url").asText());
            assertEquals(r, events.get(4).get("job").asText());
            assertEquals("REGISTERED", events.get(4).get("was").asText());
            assertEquals(List.of("registered " + f + " REGISTERED", "registered " + made[0] + " REGISTERED",
                    "cancelled " + r + " CANCELLED"), calls);
            assertEquals(7, job(f).registeredInActivation());
            assertEquals(7, job(made[0]).createdInActivation());
        }

        @Test
        @DisplayName("block numbers increase with each begin and label the block's trace lines")
        void blockNumbersIncrease() {
            ChangeSet a = store.begin(activation);
            ChangeSet b = store.begin(activation);
            assertTrue(b.block() > a.block());
            int mark = mark();
            assertEquals(Optional.empty(), b.commit());
            assertEquals(b.block(), only(since(mark), "changes.commit").get("block").asInt());
        }

        @Test
        @DisplayName("an empty block commits and traces zero counts")
        void emptyBlockCommits() {
            int mark = mark();
            commitOk(cs -> { });
            JsonNode commit = only(since(mark), "changes.commit");
            assertEquals(0, commit.get("create").asInt());
            assertEquals(0, commit.get("ack").asInt());
            assertEquals(0, commit.get("retry").asInt());
            assertEquals(0, commit.get("cancel").asInt());
        }

        @Test
        @DisplayName("an abandoned block (it threw) applies nothing and traces changes.abandoned")
        void abandonedBlockAppliesNothing() {
            String s = succeeded();
            List<Object> before = storeState();
            int mark = mark();
            ChangeSet cs = store.begin(activation);
            cs.acknowledge(s);
            cs.create(resource(2), freshDest());
            cs.abandon("boom");
            assertEquals(before, storeState());
            List<JsonNode> events = since(mark);
            assertEquals(List.of("changes.abandoned"), names(events));
            assertEquals(cs.block(), events.get(0).get("block").asInt());
            assertEquals(2, events.get(0).get("changes").asInt());
            assertEquals("boom", events.get(0).get("reason").asText());
        }

        @Test
        @DisplayName("after a rejected block, the same legal ops commit in a new block")
        void storeUsableAfterRejection() {
            String s = succeeded();
            String r = create();
            AssetResource gone = deletedResource();
            rejected(cs -> {
                cs.acknowledge(s);
                cs.create(gone, freshDest());
            });
            commitOk(cs -> cs.acknowledge(s));
            assertEquals(List.of(), ids(ACKNOWLEDGE));
            assertEquals(List.of(r), ids(PROCESS));
        }

        @Test
        @DisplayName("each op is validated against the state the block's earlier ops leave (retry then cancel is legal)")
        void validatedAgainstShadowState() {
            String f = failed();
            commitOk(cs -> {
                cs.retry(f, null);
                cs.cancel(f);
            });
            JobRecord job = record(f);
            assertEquals(JobState.CANCELLED, job.state());
            assertTrue(job.acknowledged());
            assertEquals(0, store.unacknowledgedCount());
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("Retry (§1.3): only FAILED, unacknowledged, never retried; at most once")
    class Retry {

        @Test
        @DisplayName("a retried job re-enters REGISTERED, retried, error/status/headers cleared, new destination, listener told")
        void retryResetsJob() {
            String f = failed();
            JobRecord before = job(f);
            assertTrue(before.error().isPresent());
            assertEquals(Optional.of(503), before.httpStatus());
            int created = before.createdInActivation();
            calls.clear();
            activation = 9;
            int mark = mark();
            UploadRequest fresh = dest("fresh").withHeader("Authorization", "Bearer new");
            commitOk(cs -> cs.retry(f, fresh));
            JobRecord job = job(f);
            assertEquals(JobState.REGISTERED, job.state());
            assertTrue(job.retried());
            assertFalse(job.acknowledged());
            assertEquals(Optional.empty(), job.error());
            assertEquals(Optional.empty(), job.httpStatus());
            UploadJob snap = job.snapshot(false);
            assertEquals(Optional.empty(), snap.error());
            assertEquals(Optional.empty(), snap.responseHeaderFields());
            assertEquals(fresh, job.destination());
            assertEquals(fresh, snap.destination());
            assertEquals(9, job.registeredInActivation());
            assertEquals(created, job.createdInActivation());
            assertEquals(List.of("registered " + f + " REGISTERED"), calls);
            JsonNode retry = only(since(mark), "job.retry");
            assertEquals(f, retry.get("job").asText());
            assertEquals("https://cloud.example/upload/fresh", retry.get("url").asText());
            assertEquals(EnumSet.of(PROCESS), setsOf(f));
            assertEquals(1, store.unacknowledgedCount());
        }

        @Test
        @DisplayName("a null destination keeps the original one (and the trace names no url)")
        void nullDestinationKeepsOriginal() {
            String f = failed();
            UploadRequest original = job(f).destination();
            int mark = mark();
            commitOk(cs -> cs.retry(f, null));
            assertEquals(original, job(f).destination());
            JsonNode retry = only(since(mark), "job.retry");
            assertFalse(retry.has("url"), retry.toString());
        }

        @Test
        @DisplayName("a retried job goes through the lifecycle again and can succeed")
        void retriedJobCanSucceed() {
            String f = retried();
            store.markPending(job(f));
            store.markSucceeded(job(f), 200, headers("etag", "x"));
            assertEquals(JobState.SUCCEEDED, job(f).state());
            assertEquals(EnumSet.of(ACKNOWLEDGE), setsOf(f));
        }

        @Test
        @DisplayName("retrying a second time, after it failed again, is CHANGE_NOT_SUPPORTED and changes nothing")
        void secondRetryRejected() {
            String f = failedAfterRetry();
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> cs.retry(f, dest("third"))));
            assertEquals(before, storeState());
            assertEquals(JobState.FAILED, job(f).state());
            assertTrue(job(f).error().isPresent());
        }

        @Test
        @DisplayName("retrying twice in the same block: the first retry applies, the second is dropped (CHANGE_NOT_SUPPORTED)")
        void retryTwiceInOneBlock() {
            String f = failed();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> {
                cs.retry(f, null);
                cs.retry(f, null);
            }));
            assertTrue(job(f).retried());
            assertEquals(JobState.REGISTERED, job(f).state());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"REGISTERED", "PENDING", "SUCCEEDED", "RETRIED", "RETRIED_PENDING",
            "SUCCEEDED_AFTER_RETRY", "FAILED_AFTER_RETRY"})
        @DisplayName("retrying a job that is not first-failed is CHANGE_NOT_SUPPORTED")
        void retryOfWrongStateRejected(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> cs.retry(id, null)));
            assertEquals(before, storeState());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"CANCELLED", "ACKNOWLEDGED_SUCCEEDED", "ACKNOWLEDGED_FAILED"})
        @DisplayName("retrying a job that is gone (acknowledged or cancelled) is IDENTIFIER_NOT_FOUND")
        void retryOfGoneJob(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.retry(id, null)));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("retry + acknowledge of the same job in one block: the retry applies, the acknowledgement is dropped")
        void retryThenAcknowledgeRejected() {
            String f = failed();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> {
                cs.retry(f, null);
                cs.acknowledge(f);
            }));
            assertEquals(EnumSet.of(PROCESS), setsOf(f));
        }

        @Test
        @DisplayName("acknowledge + retry of the same job in one block: the acknowledgement applies, the retry is dropped")
        void acknowledgeThenRetryRejected() {
            String f = failed();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> {
                cs.acknowledge(f);
                cs.retry(f, null);
            }));
            assertEquals(EnumSet.noneOf(JobAction.class), setsOf(f));
            assertFalse(record(f).retried());
        }

        @Test
        @DisplayName("retrying an unknown identifier is IDENTIFIER_NOT_FOUND")
        void retryUnknown() {
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.retry("J-unknown", null)));
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("Cancel (§1.3): only REGISTERED or PENDING → CANCELLED, acknowledged automatically")
    class Cancel {

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"REGISTERED", "PENDING", "RETRIED", "RETRIED_PENDING"})
        @DisplayName("an in-flight job is cancelled, acknowledged, gone from find and every set, frees its place, listener told")
        void cancelInFlight(Stage stage) {
            String id = drive(stage);
            String other = create();
            int count = store.unacknowledgedCount();
            calls.clear();
            int mark = mark();
            commitOk(cs -> cs.cancel(id));
            JobRecord job = record(id);
            assertEquals(JobState.CANCELLED, job.state());
            assertTrue(job.acknowledged());
            assertEquals(Optional.empty(), store.find(id));
            assertEquals(EnumSet.noneOf(JobAction.class), setsOf(id));
            assertEquals(List.of(other), ids(PROCESS));
            assertEquals(count - 1, store.unacknowledgedCount());
            assertEquals(List.of("cancelled " + id + " CANCELLED"), calls);
            JsonNode cancel = only(since(mark), "job.cancel");
            assertEquals(id, cancel.get("job").asText());
            assertEquals(stage.state.name(), cancel.get("was").asText());
        }

        @Test
        @DisplayName("cancelling frees capacity for a later block")
        void cancelFreesCapacity() {
            open(1, 1);
            String r = create();
            assertEquals(PhotosErrorCode.LIMIT_EXCEEDED, rejected(cs -> cs.create(resource(1), freshDest())));
            commitOk(cs -> cs.cancel(r));
            assertEquals(0, store.unacknowledgedCount());
            create();
            assertEquals(1, store.unacknowledgedCount());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"SUCCEEDED", "FAILED", "SUCCEEDED_AFTER_RETRY", "FAILED_AFTER_RETRY"})
        @DisplayName("cancelling a finished job is CHANGE_NOT_SUPPORTED")
        void cancelFinishedRejected(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> cs.cancel(id)));
            assertEquals(before, storeState());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"CANCELLED", "ACKNOWLEDGED_SUCCEEDED", "ACKNOWLEDGED_FAILED"})
        @DisplayName("cancelling a job that is gone is IDENTIFIER_NOT_FOUND")
        void cancelGoneRejected(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.cancel(id)));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("cancelling the same job twice in one block: the first cancel applies, the second is dropped")
        void cancelTwiceInOneBlock() {
            String r = create();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> {
                cs.cancel(r);
                cs.cancel(r);
            }));
            assertEquals(JobState.CANCELLED, record(r).state());
        }

        @Test
        @DisplayName("cancel then acknowledge of the same job in one block: the cancel applies, the acknowledgement is dropped")
        void cancelThenAcknowledge() {
            String r = create();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> {
                cs.cancel(r);
                cs.acknowledge(r);
            }));
            assertEquals(JobState.CANCELLED, record(r).state());
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("Acknowledge (§1.3): only SUCCEEDED or FAILED → removed, place freed")
    class Acknowledge {

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"SUCCEEDED", "FAILED", "SUCCEEDED_AFTER_RETRY", "FAILED_AFTER_RETRY"})
        @DisplayName("a finished job is removed from find and every set, keeps its state in allJobs, frees its place")
        void acknowledgeFinished(Stage stage) {
            String id = drive(stage);
            int count = store.unacknowledgedCount();
            calls.clear();
            int mark = mark();
            commitOk(cs -> cs.acknowledge(id));
            assertEquals(Optional.empty(), store.find(id));
            assertEquals(EnumSet.noneOf(JobAction.class), setsOf(id));
            JobRecord job = record(id);
            assertTrue(job.acknowledged());
            assertEquals(stage.state, job.state());
            assertFalse(job.countsAgainstLimit());
            assertEquals(count - 1, store.unacknowledgedCount());
            assertEquals(List.of(), calls, "acknowledging tells the transfer listener nothing");
            JsonNode ack = only(since(mark), "job.ack");
            assertEquals(id, ack.get("job").asText());
            assertEquals(stage.state.name(), ack.get("state").asText());
        }

        @Test
        @DisplayName("acknowledging frees capacity for a later block")
        void acknowledgeFreesCapacity() {
            open(1, 1);
            String s = succeeded();
            commitOk(cs -> cs.acknowledge(s));
            create();
            assertEquals(1, store.unacknowledgedCount());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"REGISTERED", "PENDING", "RETRIED", "RETRIED_PENDING"})
        @DisplayName("acknowledging an in-flight job is CHANGE_NOT_SUPPORTED")
        void acknowledgeInFlightRejected(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> cs.acknowledge(id)));
            assertEquals(before, storeState());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"CANCELLED", "ACKNOWLEDGED_SUCCEEDED", "ACKNOWLEDGED_FAILED"})
        @DisplayName("acknowledging a job that is gone (already acknowledged, or cancelled) is IDENTIFIER_NOT_FOUND")
        void acknowledgeGoneRejected(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.acknowledge(id)));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("acknowledging the same job twice in one block: the first applies, the second is dropped")
        void acknowledgeTwiceInOneBlock() {
            String s = succeeded();
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> {
                cs.acknowledge(s);
                cs.acknowledge(s);
            }));
            assertEquals(List.of(), ids(ACKNOWLEDGE));
            assertTrue(record(s).acknowledged());
        }

        @Test
        @DisplayName("acknowledging an identifier that never existed is IDENTIFIER_NOT_FOUND")
        void acknowledgeUnknown() {
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.acknowledge("J-unknown")));
        }

        @Test
        @DisplayName("acknowledging a job created in the same block is dropped (it is registered); the creation applies")
        void acknowledgeFreshPlaceholder() {
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, dropped(cs -> {
                String id = cs.create(resource(0), freshDest());
                cs.acknowledge(id);
            }));
            assertEquals(1, store.allJobs().size());
            assertEquals(JobState.REGISTERED, store.allJobs().get(0).state());
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("Null identifiers: a missing job is IDENTIFIER_NOT_FOUND, not a crash")
    class NullIdentifiers {

        @Test
        @DisplayName("acknowledge(null) is rejected with IDENTIFIER_NOT_FOUND")
        void acknowledgeNull() {
            String s = succeeded();
            List<Object> before = storeState();
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.acknowledge(null)));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("retry(null) is rejected with IDENTIFIER_NOT_FOUND")
        void retryNull() {
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.retry(null, null)));
        }

        @Test
        @DisplayName("cancel(null) is rejected with IDENTIFIER_NOT_FOUND")
        void cancelNull() {
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, dropped(cs -> cs.cancel(null)));
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("Create (§1.3, §4): a live resource, full access, extension enabled; duplicates are the suite's business")
    class Create {

        @Test
        @DisplayName("a creation makes a REGISTERED, unretried, unacknowledged UPLOAD job with the given resource and destination")
        void createMakesRegisteredJob() {
            AssetResource res = resource(2);
            UploadRequest d = dest("one");
            activation = 4;
            clock[0] = 77_000;
            int mark = mark();
            String[] id = new String[1];
            ChangeSet cs = store.begin(activation);
            id[0] = cs.create(res, d);
            clock[0] = 78_000;
            assertEquals(Optional.empty(), cs.commit());
            JobRecord job = job(id[0]);
            assertEquals(id[0], job.id());
            assertEquals(JobState.REGISTERED, job.state());
            assertFalse(job.retried());
            assertFalse(job.acknowledged());
            assertTrue(job.countsAgainstLimit());
            assertSame(res, job.resource());
            assertEquals(d, job.destination());
            assertEquals(JobType.UPLOAD, job.type());
            assertEquals(77_000, job.createdAt());
            assertEquals(4, job.createdInActivation());
            assertEquals(4, job.registeredInActivation());
            assertEquals(Optional.empty(), job.error());
            assertEquals(Optional.empty(), job.httpStatus());
            assertEquals(1, store.unacknowledgedCount());
            assertEquals(List.of(id[0]), ids(PROCESS));
            assertEquals(List.of(job), store.allJobs());
            assertEquals(List.of("registered " + id[0] + " REGISTERED"), calls);
            JsonNode create = only(since(mark), "job.create");
            assertEquals(78_000, create.get("t").asLong());
            assertEquals(id[0], create.get("job").asText());
            assertEquals(res.key(), create.get("resource").asText());
            assertEquals("PUT", create.get("method").asText());
            assertEquals("https://cloud.example/upload/one", create.get("url").asText());
        }

        @Test
        @DisplayName("placeholder identifiers are distinct, and are the committed jobs' identifiers")
        void placeholdersAreIds() {
            List<String> made = new ArrayList<>();
            commitOk(cs -> {
                made.add(cs.create(resource(0), freshDest()));
                made.add(cs.create(resource(1), freshDest()));
            });
            made.add(create());
            assertEquals(3, made.stream().distinct().count());
            assertEquals(made, store.allJobs().stream().map(JobRecord::id).collect(Collectors.toList()));
        }

        @Test
        @DisplayName("a resource of a deleted asset is IDENTIFIER_NOT_FOUND")
        void deletedAssetRejected() {
            AssetResource gone = deletedResource();
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, rejected(cs -> cs.create(gone, freshDest())));
            assertEquals(List.of(), store.allJobs());
        }

        @Test
        @DisplayName("a made-up resource is IDENTIFIER_NOT_FOUND")
        void madeUpResourceRejected() {
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND,
                    rejected(cs -> cs.create(madeUpResource(), freshDest())));
            assertEquals(List.of(), store.allJobs());
        }

        @Test
        @DisplayName("a forged resource (live key, different fields) is IDENTIFIER_NOT_FOUND")
        void forgedResourceRejected() {
            AssetResource real = resource(0);
            AssetResource forged = new AssetResource(real.assetLocalIdentifier(), real.type(), real.originalFilename(),
                    real.uniformTypeIdentifier(), real.fileSize() + 1);
            assertEquals(PhotosErrorCode.IDENTIFIER_NOT_FOUND, rejected(cs -> cs.create(forged, freshDest())));
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = AuthorizationStatus.class, names = "AUTHORIZED", mode = EnumSource.Mode.EXCLUDE)
        @DisplayName("without full access (LIMITED, DENIED, …) a creation is ACCESS_USER_DENIED")
        void withoutFullAccessDenied(AuthorizationStatus status) {
            library.setAuthorization(status);
            int mark = mark();
            assertEquals(PhotosErrorCode.ACCESS_USER_DENIED, rejected(cs -> cs.create(resource(0), freshDest())));
            assertEquals(List.of(), store.allJobs());
            JsonNode illegal = only(since(mark), "change.illegal");
            assertEquals("create", illegal.get("op").asText());
            assertEquals("ACCESS_USER_DENIED", illegal.get("code").asText());
        }

        @Test
        @DisplayName("with the extension disabled a creation is ACCESS_USER_DENIED")
        void extensionDisabledDenied() {
            library.setExtensionEnabled(false);
            assertEquals(PhotosErrorCode.ACCESS_USER_DENIED, rejected(cs -> cs.create(resource(0), freshDest())));
            assertEquals(List.of(), store.allJobs());
        }

        @Test
        @DisplayName("consent gates only creation: acknowledge, retry and cancel of existing jobs still commit without it")
        void accessOnlyGatesCreation() {
            String s = succeeded();
            String f = failed();
            String r = create();
            library.setAuthorization(AuthorizationStatus.DENIED);
            library.setExtensionEnabled(false);
            commitOk(cs -> {
                cs.acknowledge(s);
                cs.retry(f, null);
                cs.cancel(r);
            });
            assertEquals(List.of(f), ids(PROCESS));
        }

        @Test
        @DisplayName("a null resource or destination is CHANGE_NOT_SUPPORTED")
        void nullArgumentsRejected() {
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, rejected(cs -> cs.create(null, freshDest())));
            assertEquals(PhotosErrorCode.CHANGE_NOT_SUPPORTED, rejected(cs -> cs.create(resource(0), null)));
            assertEquals(List.of(), store.allJobs());
        }

        @Test
        @DisplayName("two jobs for the same resource ARE allowed by the store (duplicates are a conformance rule), in one block or two")
        void duplicatesAllowed() {
            AssetResource res = resource(0);
            String[] pair = new String[2];
            commitOk(cs -> {
                pair[0] = cs.create(res, freshDest());
                pair[1] = cs.create(res, freshDest());
            });
            String third = create(res);
            assertEquals(List.of(pair[0], pair[1], third), ids(PROCESS));
            for (JobRecord job : store.allJobs()) {
                assertEquals(res, job.resource());
            }
            assertEquals(3, store.unacknowledgedCount());
        }

        @Test
        @DisplayName("an existing job is untouched when its asset is deleted later")
        void jobOutlivesAsset() {
            AssetResource res = resource(0);
            String id = create(res);
            library.delete(res.assetLocalIdentifier());
            assertEquals(List.of(id), ids(PROCESS));
            store.markPending(job(id));
            store.markSucceeded(job(id), 200, headers());
            commitOk(cs -> cs.acknowledge(id));
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("System transitions (§2): REGISTERED → PENDING → SUCCEEDED | FAILED, nothing else")
    class SystemTransitions {

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"REGISTERED", "RETRIED"})
        @DisplayName("markPending moves a REGISTERED job to PENDING (still in PROCESS) and traces job.pending")
        void markPendingFromRegistered(Stage stage) {
            String id = drive(stage);
            int mark = mark();
            store.markPending(job(id));
            assertEquals(JobState.PENDING, job(id).state());
            assertEquals(EnumSet.of(PROCESS), setsOf(id));
            assertEquals(id, only(since(mark), "job.pending").get("job").asText());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"REGISTERED", "RETRIED"}, mode = EnumSource.Mode.EXCLUDE)
        @DisplayName("markPending from any other state is a simulator bug (IllegalStateException), nothing changes")
        void markPendingElsewhereThrows(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            int mark = mark();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.markPending(record(id)));
            assertTrue(e.getMessage().contains(id), e.getMessage());
            assertEquals(before, storeState());
            assertEquals(List.of(), since(mark));
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"PENDING", "RETRIED_PENDING"}, mode = EnumSource.Mode.EXCLUDE)
        @DisplayName("markSucceeded from anything but PENDING is a simulator bug (IllegalStateException)")
        void markSucceededElsewhereThrows(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertThrows(IllegalStateException.class, () -> store.markSucceeded(record(id), 200, headers()));
            assertEquals(before, storeState());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"PENDING", "RETRIED_PENDING"}, mode = EnumSource.Mode.EXCLUDE)
        @DisplayName("markFailed from anything but PENDING is a simulator bug (IllegalStateException)")
        void markFailedElsewhereThrows(Stage stage) {
            String id = drive(stage);
            List<Object> before = storeState();
            assertThrows(IllegalStateException.class,
                    () -> store.markFailed(record(id), UploadError.httpStatus(500), headers()));
            assertEquals(before, storeState());
        }

        @Test
        @DisplayName("markSucceeded records the status and headers, no error, and traces job.succeeded")
        void markSucceededRecords() {
            String id = pending();
            int mark = mark();
            store.markSucceeded(job(id), 201, headers("etag", "abc", "location", "/o/1"));
            JobRecord job = job(id);
            assertEquals(JobState.SUCCEEDED, job.state());
            assertEquals(Optional.of(201), job.httpStatus());
            assertEquals(Optional.empty(), job.error());
            assertEquals(Optional.of(headers("etag", "abc", "location", "/o/1")),
                    job.snapshot(false).responseHeaderFields());
            JsonNode line = only(since(mark), "job.succeeded");
            assertEquals(id, line.get("job").asText());
            assertEquals(201, line.get("status").asInt());
        }

        @Test
        @DisplayName("markFailed records the error as a device shows it, its HTTP status and the headers, and traces job.failed")
        void markFailedRecordsHttpError() {
            String id = pending();
            int mark = mark();
            UploadError error = UploadError.httpStatus(403);
            store.markFailed(job(id), error, headers("x-reason", "expired"));
            JobRecord job = job(id);
            assertEquals(JobState.FAILED, job.state());
            assertEquals(Optional.of(error.withoutHttpStatus()), job.error());
            assertEquals(Optional.of(403), job.httpStatus());
            UploadJob snap = job.snapshot(false);
            assertEquals(Optional.of(error.withoutHttpStatus()), snap.error());
            assertEquals(Optional.of(headers("x-reason", "expired")), snap.responseHeaderFields());
            JsonNode line = only(since(mark), "job.failed");
            assertEquals(id, line.get("job").asText());
            assertEquals(UploadError.BAD_SERVER_RESPONSE, line.get("code").asInt());
            assertEquals(403, line.get("status").asInt());
            assertEquals("HTTP 403", line.get("reason").asText());
            assertFalse(line.has("cloud"), "no stub reason given: " + line);
        }

        @Test
        @DisplayName("markFailed with the stub's reason and a Retry-After traces both on job.failed")
        void markFailedRecordsCloudReasonAndRetryAfter() {
            String id = pending();
            int mark = mark();
            store.markFailed(job(id), UploadError.httpStatus(429), headers("retry-after", "120"), "injected: HTTP 429");
            JsonNode line = only(since(mark), "job.failed");
            assertEquals(429, line.get("status").asInt());
            assertEquals("120", line.get("retryAfter").asText());
            assertEquals("injected: HTTP 429", line.get("cloud").asText());
        }

        @Test
        @DisplayName("markFailed of a transport error records no HTTP status and no headers")
        void markFailedRecordsTransportError() {
            String id = pending();
            int mark = mark();
            UploadError error = UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "connection lost");
            store.markFailed(job(id), error, null);
            JobRecord job = job(id);
            assertEquals(Optional.of(error), job.error());
            assertEquals(Optional.empty(), job.httpStatus());
            assertEquals(Optional.empty(), job.snapshot(false).responseHeaderFields());
            JsonNode line = only(since(mark), "job.failed");
            assertEquals(UploadError.NETWORK_CONNECTION_LOST, line.get("code").asInt());
            assertFalse(line.has("status"), line.toString());
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = Stage.class, names = {"REGISTERED", "PENDING", "SUCCEEDED", "FAILED", "RETRIED",
            "RETRIED_PENDING", "SUCCEEDED_AFTER_RETRY", "FAILED_AFTER_RETRY"})
        @DisplayName("the nil-resource quirk hides the resource for SUCCEEDED and FAILED-after-retry jobs only")
        void nilResourceQuirk(Stage stage) {
            String id = drive(stage);
            JobRecord job = job(id);
            boolean hidden = stage == Stage.SUCCEEDED || stage == Stage.SUCCEEDED_AFTER_RETRY
                    || stage == Stage.FAILED_AFTER_RETRY;
            assertEquals(hidden ? Optional.empty() : Optional.of(job.resource()), job.snapshot(true).resource());
            assertEquals(Optional.of(job.resource()), job.snapshot(false).resource(), "no quirk: always present");
            assertEquals(job.destination(), job.snapshot(true).destination(), "destination present in every state");
        }

        @Test
        @DisplayName("a snapshot carries id, state, type, destination, and does not change when the job moves on")
        void snapshotIsFrozen() {
            String id = pending();
            UploadJob snap = job(id).snapshot(false);
            store.markFailed(job(id), UploadError.httpStatus(500), headers("a", "b"));
            assertEquals(id, snap.localIdentifier());
            assertEquals(JobState.PENDING, snap.state());
            assertEquals(JobType.UPLOAD, snap.type());
            assertEquals(job(id).destination(), snap.destination());
            assertEquals(Optional.empty(), snap.error());
            assertEquals(Optional.empty(), snap.responseHeaderFields());
        }

        @Test
        @DisplayName("an extension cannot alter the store's record through a snapshot's response headers")
        void snapshotHeadersCannotAlterRecord() {
            String id = pending();
            store.markSucceeded(job(id), 200, headers("etag", "real"));
            UploadJob snap = job(id).snapshot(false);
            SortedMap<String, String> seen = snap.responseHeaderFields().orElseThrow();
            try {
                seen.put("etag", "forged");
            } catch (UnsupportedOperationException expected) {
                // an unmodifiable view is fine too
            }
            assertEquals("real", job(id).snapshot(false).responseHeaderFields().orElseThrow().get("etag"),
                    "the snapshot shares the store's mutable headers map");
        }
    }

    // =========================================================================================

    @Nested
    @DisplayName("Property: random legal and illegal blocks keep every invariant (seeds 1..200)")
    class Properties {

        /** The rules' view of one job. */
        private final class Model {
            JobState state;
            boolean retried;
            boolean acked;

            Model(JobState state, boolean retried, boolean acked) {
                this.state = state;
                this.retried = retried;
                this.acked = acked;
            }

            Model copy() {
                return new Model(state, retried, acked);
            }

            Set<JobAction> sets() {
                Set<JobAction> sets = EnumSet.noneOf(JobAction.class);
                if (acked) {
                    return sets;
                }
                if (state == JobState.SUCCEEDED || state == JobState.FAILED) {
                    sets.add(ACKNOWLEDGE);
                }
                if (state == JobState.FAILED && !retried) {
                    sets.add(RETRY);
                }
                if (state == JobState.REGISTERED || state == JobState.PENDING) {
                    sets.add(PROCESS);
                }
                return sets;
            }
        }

        @Test
        @DisplayName("unacknowledgedCount = live jobs ≤ jobLimit; sets match states; outcomes match the rules; rejections change nothing")
        void randomSequences() {
            for (long seed = 1; seed <= 200; seed++) {
                runSeed(seed);
            }
            // the generator must actually reach every outcome, or the property proves little
            for (String outcome : List.of("COMMIT", "LIMIT_EXCEEDED", "CHANGE_NOT_SUPPORTED", "IDENTIFIER_NOT_FOUND",
                    "ACCESS_USER_DENIED", "ILLEGAL_SYSTEM_TRANSITION")) {
                assertTrue(outcomes.getOrDefault(outcome, 0) >= 20, "too few " + outcome + ": " + outcomes);
            }
        }

        private final Map<String, Integer> outcomes = new TreeMap<>();

        private void runSeed(long seed) {
            SimRandom rng = new SimRandom(seed);
            int limit = 1 + rng.nextInt(6);
            open(limit, seed);
            LinkedHashMap<String, Model> model = new LinkedHashMap<>();
            List<String> everIds = new ArrayList<>();
            for (int step = 0; step < 80; step++) {
                clock[0] += 1 + rng.nextInt(50);
                String where = "seed " + seed + " step " + step;
                int roll = rng.nextInt(100);
                if (roll < 35) {
                    systemStep(rng, model, everIds, where);
                } else if (roll < 40) {
                    libraryStep(rng);
                } else {
                    extensionBlock(rng, model, everIds, where);
                }
                checkInvariants(model, where);
            }
        }

        private void libraryStep(SimRandom rng) {
            int what = rng.nextInt(4);
            if (what == 0 && library.assets().size() > 3) {
                library.delete(library.assets().get(rng.nextInt(library.assets().size())).localIdentifier());
            } else if (what == 1) {
                AuthorizationStatus[] all = AuthorizationStatus.values();
                library.setAuthorization(rng.chance(1, 2) ? AuthorizationStatus.AUTHORIZED : all[rng.nextInt(all.length)]);
            } else if (what == 2) {
                library.setExtensionEnabled(rng.chance(2, 3));
            } else {
                library.setAuthorization(AuthorizationStatus.AUTHORIZED);
                library.setExtensionEnabled(true);
            }
        }

        private void systemStep(SimRandom rng, Map<String, Model> model, List<String> everIds, String where) {
            if (model.isEmpty()) {
                return;
            }
            List<String> ids = new ArrayList<>(model.keySet());
            String id = ids.get(rng.nextInt(ids.size()));
            Model m = model.get(id);
            JobRecord job = record(id);
            int transition = rng.nextInt(3); // 0 pending, 1 succeed, 2 fail
            if (rng.chance(3, 4)) {
                // pick the legal transition if there is one
                if (!m.acked && m.state == JobState.REGISTERED) {
                    transition = 0;
                } else if (!m.acked && m.state == JobState.PENDING) {
                    transition = 1 + rng.nextInt(2);
                }
            }
            boolean legal = !m.acked && (transition == 0 ? m.state == JobState.REGISTERED : m.state == JobState.PENDING);
            List<Object> before = storeState();
            Runnable apply = switch (transition) {
                case 0 -> () -> store.markPending(job);
                case 1 -> () -> store.markSucceeded(job, 200, headers("etag", id));
                default -> () -> store.markFailed(job, rng.chance(1, 2) ? UploadError.httpStatus(500)
                        : UploadError.transport(UploadError.TIMED_OUT, "timed out"), null);
            };
            if (legal) {
                apply.run();
                m.state = transition == 0 ? JobState.PENDING : transition == 1 ? JobState.SUCCEEDED : JobState.FAILED;
            } else {
                outcomes.merge("ILLEGAL_SYSTEM_TRANSITION", 1, Integer::sum);
                assertThrows(IllegalStateException.class, apply::run, where + ": illegal system transition " + transition
                        + " on " + id + " " + m.state);
                assertEquals(before, storeState(), where + ": a refused system transition changed the store");
            }
        }

        private String pickId(SimRandom rng, List<String> everIds) {
            if (everIds.isEmpty() || rng.chance(1, 8)) {
                return "J-bogus-" + rng.nextInt(3);
            }
            return everIds.get(rng.nextInt(everIds.size()));
        }

        /** A job (committed or created earlier in this block) for which {@code op} is legal now, if any. */
        private String pickLegalTarget(SimRandom rng, int op, Map<String, Model> model, Map<String, Model> shadow) {
            List<String> candidates = new ArrayList<>();
            Map<String, Model> view = new LinkedHashMap<>(model);
            view.putAll(shadow);
            for (Map.Entry<String, Model> entry : view.entrySet()) {
                Model m = entry.getValue();
                boolean legal = !m.acked && switch (op) {
                    case 0 -> m.state == JobState.SUCCEEDED || m.state == JobState.FAILED;
                    case 1 -> m.state == JobState.FAILED && !m.retried;
                    default -> m.state == JobState.REGISTERED || m.state == JobState.PENDING;
                };
                if (legal) {
                    candidates.add(entry.getKey());
                }
            }
            return candidates.isEmpty() ? null : candidates.get(rng.nextInt(candidates.size()));
        }

        private AssetResource pickResource(SimRandom rng) {
            int roll = rng.nextInt(24);
            if (roll == 0) {
                return madeUpResource();
            }
            if (roll == 1) {
                for (AssetResource r : library.everResources().values()) {
                    if (!library.isLive(r)) {
                        return r;
                    }
                }
            }
            List<AssetResource> live = library.liveResources();
            return live.get(rng.nextInt(live.size()));
        }

        /** Runs one random block; returns whether it committed. */
        private boolean extensionBlock(SimRandom rng, LinkedHashMap<String, Model> model, List<String> everIds,
                String where) {
            List<Object> before = storeState();
            int beforeCount = store.unacknowledgedCount();
            String textBefore = trace.text();
            calls.clear();
            ChangeSet cs = store.begin(activation);
            Map<String, Model> shadow = new HashMap<>();
            List<String> createdInBlock = new ArrayList<>();
            List<String> expectedEvents = new ArrayList<>();
            List<String> expectedCalls = new ArrayList<>();
            PhotosErrorCode first = null;
            int illegal = 0; // creations refused: the block is rejected
            int drops = 0; // acknowledgements, retries, cancellations the store drops at the commit
            int creates = 0;
            int frees = 0;
            int ops = 1 + rng.nextInt(rng.chance(1, 4) ? 5 : 3);
            List<String> opLog = new ArrayList<>();
            for (int i = 0; i < ops; i++) {
                int kind = rng.nextInt(100);
                // mostly legal ops (so that blocks commit and the store moves on), some random ones
                boolean legalBias = rng.chance(4, 5);
                String target = null;
                if (kind >= 35) {
                    int op = kind < 60 ? 0 : kind < 82 ? 1 : 2;
                    target = legalBias ? pickLegalTarget(rng, op, model, shadow) : pickId(rng, everIds);
                    if (target == null) {
                        kind = 0; // nothing to apply that op to: create instead
                    }
                }
                PhotosErrorCode problem = null;
                if (kind < 35) {
                    AssetResource res = pickResource(rng);
                    UploadRequest d = rng.chance(1, 30) ? null : freshDest();
                    String id = cs.create(res, d);
                    opLog.add("create " + res.key() + (d == null ? " null" : "") + " -> " + id);
                    everIds.add(id);
                    if (d == null) {
                        problem = PhotosErrorCode.CHANGE_NOT_SUPPORTED;
                    } else if (library.authorization() != AuthorizationStatus.AUTHORIZED || !library.extensionEnabled()) {
                        problem = PhotosErrorCode.ACCESS_USER_DENIED;
                    } else if (!library.isLive(res)) {
                        problem = PhotosErrorCode.IDENTIFIER_NOT_FOUND;
                    } else {
                        creates++;
                        shadow.put(id, new Model(JobState.REGISTERED, false, false));
                        createdInBlock.add(id);
                        expectedEvents.add("job.create " + id);
                        expectedCalls.add("registered " + id + " REGISTERED");
                    }
                } else {
                    int op = kind < 60 ? 0 : kind < 82 ? 1 : 2; // ack, retry, cancel
                    String id = target;
                    Model m = shadow.get(id);
                    if (m == null && model.containsKey(id) && !model.get(id).acked) {
                        m = model.get(id).copy();
                        shadow.put(id, m);
                    }
                    if (m == null) {
                        problem = PhotosErrorCode.IDENTIFIER_NOT_FOUND;
                    } else if (m.acked) {
                        problem = PhotosErrorCode.CHANGE_NOT_SUPPORTED;
                    }
                    if (op == 0) {
                        cs.acknowledge(id);
                        opLog.add("ack " + id);
                        if (problem == null && !(m.state == JobState.SUCCEEDED || m.state == JobState.FAILED)) {
                            problem = PhotosErrorCode.CHANGE_NOT_SUPPORTED;
                        }
                        if (problem == null) {
                            m.acked = true;
                            frees++;
                            expectedEvents.add("job.ack " + id);
                        }
                    } else if (op == 1) {
                        UploadRequest d = rng.chance(1, 2) ? null : freshDest();
                        cs.retry(id, d);
                        opLog.add("retry " + id);
                        if (problem == null && (m.state != JobState.FAILED || m.retried)) {
                            problem = PhotosErrorCode.CHANGE_NOT_SUPPORTED;
                        }
                        if (problem == null) {
                            m.state = JobState.REGISTERED;
                            m.retried = true;
                            expectedEvents.add("job.retry " + id);
                            expectedCalls.add("registered " + id + " REGISTERED");
                        }
                    } else {
                        cs.cancel(id);
                        opLog.add("cancel " + id);
                        if (problem == null && !(m.state == JobState.REGISTERED || m.state == JobState.PENDING)) {
                            problem = PhotosErrorCode.CHANGE_NOT_SUPPORTED;
                        }
                        if (problem == null) {
                            m.state = JobState.CANCELLED;
                            m.acked = true;
                            frees++;
                            expectedEvents.add("job.cancel " + id);
                            expectedCalls.add("cancelled " + id + " CANCELLED");
                        }
                    }
                }
                if (problem != null && kind < 35) {
                    illegal++;
                    if (first == null) {
                        first = problem;
                    }
                } else if (problem != null) {
                    drops++;
                }
            }
            if (first == null && beforeCount + creates - frees > store.jobLimit()) {
                first = PhotosErrorCode.LIMIT_EXCEEDED;
            }
            String context = where + " ops " + opLog;
            Optional<Rejection> outcome = cs.commit();
            assertEquals(Optional.ofNullable(first), outcome.map(Rejection::code), context);
            outcomes.merge(first == null ? "COMMIT" : first.name(), 1, Integer::sum);

            List<JsonNode> events = new ArrayList<>();
            for (String line : trace.text().substring(textBefore.length()).split("\n")) {
                if (!line.isBlank()) {
                    try {
                        events.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            List<String> names = names(events);
            long illegalLines = names.stream().filter("change.illegal"::equals).count();
            assertEquals(illegal, illegalLines, context + ": one change.illegal per refused creation");
            assertEquals(drops, names.stream().filter("change.dropped"::equals).count(), context + ": one change.dropped per drop");
            assertEquals(drops, cs.dropped().size(), context);
            if (first != null) {
                assertEquals("changes.rejected", names.get(names.size() - 1), context);
                assertEquals(first.name(), events.get(events.size() - 1).get("code").asText(), context);
                assertEquals(ops, events.get(events.size() - 1).get("changes").asInt(), context);
                assertNoJobEvents(events);
                assertEquals(before, storeState(), context + ": a rejected block changed the store");
                assertEquals(List.of(), calls, context + ": a rejected block told the listener");
                return false;
            }
            assertEquals(0, illegal, context);
            List<String> actual = new ArrayList<>();
            for (JsonNode e : events) {
                String ev = e.get("ev").asText();
                actual.add(ev.startsWith("job.") ? ev + " " + e.get("job").asText() : ev);
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < drops; i++) {
                expected.add("change.dropped");
            }
            expected.add("changes.commit");
            expected.addAll(expectedEvents);
            assertEquals(expected, actual, context + ": changes.commit then one job.* per op in op order");
            assertEquals(expectedCalls, calls, context + ": listener calls in op order");
            for (String id : createdInBlock) {
                model.put(id, shadow.get(id));
            }
            for (Map.Entry<String, Model> entry : shadow.entrySet()) {
                if (!createdInBlock.contains(entry.getKey())) {
                    model.put(entry.getKey(), entry.getValue());
                }
            }
            return true;
        }

        private void checkInvariants(Map<String, Model> model, String where) {
            long liveModel = model.values().stream().filter(m -> !m.acked).count();
            long liveStore = store.allJobs().stream().filter(j -> !j.acknowledged()).count();
            assertEquals(liveModel, store.unacknowledgedCount(), where + ": unacknowledgedCount vs the rules");
            assertEquals(liveStore, store.unacknowledgedCount(), where + ": unacknowledgedCount vs live jobs");
            assertTrue(store.unacknowledgedCount() <= store.jobLimit(), where + ": over jobLimit");
            assertEquals(new ArrayList<>(model.keySet()),
                    store.allJobs().stream().map(JobRecord::id).collect(Collectors.toList()), where + ": job ids");
            Map<JobAction, List<String>> sets = new LinkedHashMap<>();
            for (JobAction action : JobAction.values()) {
                sets.put(action, ids(action));
            }
            for (JobAction action : JobAction.values()) {
                List<String> expected = model.entrySet().stream().filter(e -> e.getValue().sets().contains(action))
                        .map(Map.Entry::getKey).collect(Collectors.toList());
                assertEquals(expected, sets.get(action), where + ": " + action + " set (oldest first)");
                List<JobRecord> fetched = store.fetch(action);
                for (int i = 1; i < fetched.size(); i++) {
                    assertTrue(fetched.get(i - 1).seq() < fetched.get(i).seq(), where + ": " + action + " not oldest-first");
                }
            }
            for (JobRecord job : store.allJobs()) {
                Model m = model.get(job.id());
                String what = where + ": " + job.id();
                assertEquals(m.state, job.state(), what);
                assertEquals(m.retried, job.retried(), what);
                assertEquals(m.acked, job.acknowledged(), what);
                assertEquals(!m.acked, store.find(job.id()).isPresent(), what);
                if (job.state() == JobState.CANCELLED) {
                    assertTrue(job.acknowledged(), what + ": cancelled but not acknowledged");
                }
                if (job.state() == JobState.FAILED) {
                    assertTrue(job.error().isPresent(), what + ": failed job without error");
                } else {
                    assertEquals(Optional.empty(), job.error(), what + ": error outside FAILED");
                }
            }
        }
    }

    @Test
    @DisplayName("the fixture library has enough live resources for these tests")
    void fixtureHasResources() {
        if (library.liveResources().size() < 10) {
            fail("fixture library too small: " + library.liveResources().size());
        }
    }

    @Nested
    @DisplayName("Commit sees the store as it is then: changes recorded earlier are validated again")
    class RevalidationAtCommit {

        @Test
        @DisplayName("a cancel recorded while the job was pending is dropped if the transfer finished before the commit; the rest commits")
        void cancelRacingTransfer() {
            String id = create();
            String other = create();
            store.markPending(job(id));
            ChangeSet changes = store.begin(activation);
            changes.cancel(id);
            changes.cancel(other);
            store.markSucceeded(job(id), 201, new java.util.TreeMap<>());
            Optional<Rejection> rejection = changes.commit(jobId -> new JobStore.Seen(JobState.PENDING, false));
            assertEquals(Optional.empty(), rejection, "the block commits without the cancel that can no longer apply");
            assertEquals(JobState.SUCCEEDED, job(id).state(), "the succeeded job was not cancelled");
            assertEquals(JobState.CANCELLED, record(other).state());
            assertEquals(1, changes.dropped().size());
            assertFalse(changes.dropped().get(0).avoidable());
            assertTrue(trace.text().contains("\"cause\":\"system\""), trace.text());
        }

        @Test
        @DisplayName("a creation recorded with consent is refused at the commit if consent went meanwhile: the block is rejected")
        void consentGoneBeforeCommit() {
            String s = succeeded();
            ChangeSet changes = store.begin(activation);
            changes.acknowledge(s);
            changes.create(nextResource(), freshDest());
            library.setAuthorization(AuthorizationStatus.LIMITED);
            assertEquals(PhotosErrorCode.ACCESS_USER_DENIED, changes.commit().orElseThrow().code());
            assertTrue(trace.text().contains("changed before commit"));
            assertEquals(EnumSet.of(ACKNOWLEDGE), setsOf(s));
        }

        @Test
        @DisplayName("a block commits at most once")
        void noDoubleCommit() {
            ChangeSet changes = store.begin(activation);
            changes.create(nextResource(), freshDest());
            assertEquals(Optional.empty(), changes.commit());
            assertThrows(IllegalStateException.class, changes::commit);
            assertEquals(1, store.allJobs().size());
        }
    }
}
