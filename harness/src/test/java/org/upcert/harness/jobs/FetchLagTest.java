package org.upcert.harness.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.AssetResource;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.harness.library.LibraryGenerator;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.sim.SimRandom;
import org.upcert.harness.trace.Trace;

/**
 * The fetch-set lag (reference §2, [3p-measured]: "the sets update 0.1–5 s after a create or
 * retry"; ARCHITECTURE: the extension's own changes show at once): the system's own transitions
 * show in {@code fetch} and in a job's state only after a lag drawn per seed, the extension's own
 * changes at once.
 */
@DisplayName("JobStore: the system's own transitions show in the fetch sets after a seeded 0.1-5 s lag")
class FetchLagTest {
    private static final long MIN = 100;
    private static final long MAX = 5_000;

    /** A store with the lag on and a hand-driven event queue standing in for the simulation's. */
    private static final class Rig {
        final long[] clock = {1_000};
        final Trace trace = Trace.inMemory();
        final SimulatedLibrary library = new SimulatedLibrary(
                new LibraryGenerator(new SimRandom(1)).initialLibrary(Workload.typical(20)));
        final JobStore store = new JobStore(10, library, trace, () -> clock[0]);
        /** time -> actions due then, in scheduling order. */
        final TreeMap<Long, List<Runnable>> due = new TreeMap<>();
        int nextResource;

        Rig(long seed, boolean lag) {
            if (lag) {
                store.setFetchLag(MIN, MAX, new SimRandom(seed).fork("fetch-lag"),
                        (time, action) -> due.computeIfAbsent(time, t -> new ArrayList<>()).add(action));
            }
        }

        /** Advances the clock to {@code time}, running every deferred action due by then, in order. */
        void runUntil(long time) {
            while (!due.isEmpty() && due.firstKey() <= time) {
                var entry = due.pollFirstEntry();
                clock[0] = entry.getKey();
                entry.getValue().forEach(Runnable::run);
            }
            clock[0] = time;
        }

        String create() {
            AssetResource resource = library.liveResources().get(nextResource++);
            JobStore.ChangeSet changes = store.begin(1);
            String id = changes.create(resource, UploadRequest.put(URI.create("https://cloud.example/u/" + nextResource)));
            assertEquals(Optional.empty(), changes.commit());
            return id;
        }

        JobRecord job(String id) {
            return store.find(id).orElseThrow();
        }

        List<String> ids(JobAction action) {
            return store.fetch(action).stream().map(JobRecord::id).toList();
        }

        UploadJob shown(String id) {
            return job(id).snapshot(false);
        }
    }

    @Test
    @DisplayName("a success is invisible before its lag (still PROCESS, no headers) and visible after it, traced job.visible; its PENDING shows late too, untraced")
    void invisibleBeforeVisibleAfter() {
        Rig rig = new Rig(1, true);
        String id = rig.create();
        assertEquals(List.of(id), rig.ids(JobAction.PROCESS), "the extension's own create shows at once");
        rig.store.markPending(rig.job(id));
        rig.store.markSucceeded(rig.job(id), 201, new TreeMap<>(java.util.Map.of("etag", "e1")));
        long finished = rig.clock[0];
        assertEquals(JobState.SUCCEEDED, rig.job(id).state(), "the system's own record moves at once");
        assertEquals(JobState.REGISTERED, rig.shown(id).state(), "the extension is shown neither transition yet");
        assertEquals(List.of(), rig.ids(JobAction.ACKNOWLEDGE));
        assertEquals(List.of(id), rig.ids(JobAction.PROCESS));
        assertTrue(rig.shown(id).responseHeaderFields().isEmpty(), "no outcome fields before the outcome shows");

        rig.runUntil(finished + MIN - 1);
        assertEquals(List.of(), rig.ids(JobAction.ACKNOWLEDGE), "nothing shows before the 100 ms lower bound");
        rig.runUntil(finished + MAX);
        assertEquals(List.of(id), rig.ids(JobAction.ACKNOWLEDGE), "everything shows by the 5 s upper bound");
        assertEquals(List.of(), rig.ids(JobAction.PROCESS));
        assertEquals(JobState.SUCCEEDED, rig.shown(id).state());
        assertEquals(Optional.of("e1"), rig.shown(id).responseHeaderFields().map(h -> h.get("etag")));
        String text = rig.trace.text();
        assertFalse(text.contains("\"state\":\"PENDING\""), "a PENDING that shows is not traced (no rule tells it from REGISTERED): " + text);
        assertTrue(text.contains("\"ev\":\"job.visible\",\"job\":\"" + id + "\",\"state\":\"SUCCEEDED\""), text);
    }

    @Test
    @DisplayName("a change dropped for a transition not shown yet tells the extension the state it was shown, not the truth")
    void aDroppedChangeDoesNotRevealALaggingTransition() {
        Rig rig = new Rig(1, true);
        String id = rig.create();
        rig.store.markPending(rig.job(id));
        rig.runUntil(rig.clock[0] + MAX); // PENDING shows
        rig.store.markSucceeded(rig.job(id), 201, new TreeMap<>());
        assertEquals(JobState.PENDING, rig.shown(id).state(), "the success has not shown yet");
        JobStore.ChangeSet changes = rig.store.begin(1);
        changes.cancel(id); // legal as the extension sees the job, too late in truth
        assertEquals(Optional.empty(), changes.commit());
        JobStore.Dropped dropped = changes.dropped().get(0);
        assertEquals(JobState.SUCCEEDED, dropped.state(), "the trace (the checkers) keep the truth");
        assertEquals(JobState.PENDING, dropped.shown(), "the extension is told what the fetch sets show");
        assertTrue(!dropped.reasonAsShown().contains("SUCCEEDED"), dropped.reasonAsShown());
        assertTrue(rig.trace.text().contains("\"ev\":\"change.dropped\""), "traced");
    }

    @Test
    @DisplayName("the lag is drawn in [100 ms, 5 s] from the seed: the same seed shows the same times, another seed others")
    void deterministicPerSeed() {
        List<Long> first = visibleTimes(7);
        assertEquals(first, visibleTimes(7), "same seed, same visibility times");
        assertNotEquals(first, visibleTimes(8), "another seed draws other lags");
        for (int i = 0; i < first.size(); i++) {
            long lag = first.get(i);
            assertTrue(lag >= MIN && lag <= MAX, "lag " + lag + " within [100 ms, 5 s]");
        }
    }

    /** Ten jobs failing at once on seed {@code seed}: each one's lag, from its failure to its job.visible. */
    private static List<Long> visibleTimes(long seed) {
        Rig rig = new Rig(seed, true);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = rig.create();
            rig.store.markPending(rig.job(id));
            ids.add(id);
        }
        rig.runUntil(rig.clock[0] + MAX); // every PENDING shows
        long failedAt = rig.clock[0];
        for (String id : ids) {
            rig.store.markFailed(rig.job(id), UploadError.transport(UploadError.TIMED_OUT, "timed out"), null);
        }
        assertEquals(List.of(), rig.ids(JobAction.RETRY), "no failure shows at once");
        rig.runUntil(failedAt + MAX);
        assertEquals(ids, rig.ids(JobAction.RETRY), "every failure shows by 5 s");
        List<Long> lags = new ArrayList<>();
        for (Visible v : visible(rig.trace)) {
            if (v.state().equals("FAILED")) {
                lags.add(v.t() - failedAt);
            }
        }
        assertEquals(10, lags.size());
        return lags;
    }

    /** One job.visible line. */
    private record Visible(long t, String job, String state) {
    }

    private static List<Visible> visible(Trace trace) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Visible> result = new ArrayList<>();
        for (String line : trace.text().split("\n")) {
            if (line.contains("\"job.visible\"")) {
                try {
                    var node = json.readTree(line);
                    result.add(new Visible(node.path("t").asLong(), node.path("job").asText(), node.path("state").asText()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        return result;
    }

    @Test
    @DisplayName("the extension's own changes show at once: a retry shows REGISTERED, and a failure that had not shown yet never resurfaces")
    void ownChangesAtOnce() {
        Rig rig = new Rig(3, true);
        String id = rig.create();
        rig.store.markPending(rig.job(id));
        rig.store.markFailed(rig.job(id), UploadError.transport(UploadError.TIMED_OUT, "timed out"), null);
        // The extension retries the job by its stored id before the failure showed (legal at the commit: it failed).
        JobStore.ChangeSet retry = rig.store.begin(2);
        retry.retry(id, null);
        assertEquals(Optional.empty(), retry.commit());
        assertEquals(JobState.REGISTERED, rig.shown(id).state());
        rig.runUntil(rig.clock[0] + 2 * MAX);
        assertEquals(JobState.REGISTERED, rig.shown(id).state(), "the first attempt's stale FAILED must not show after the retry");
        assertEquals(List.of(id), rig.ids(JobAction.PROCESS));
        assertEquals(List.of(), rig.ids(JobAction.RETRY));
    }

    @Test
    @DisplayName("without the lag every transition shows at once and nothing is traced job.visible (the store as before)")
    void offShowsAtOnce() {
        Rig rig = new Rig(1, false);
        String id = rig.create();
        rig.store.markPending(rig.job(id));
        rig.store.markSucceeded(rig.job(id), 201, new TreeMap<>());
        assertEquals(List.of(id), rig.ids(JobAction.ACKNOWLEDGE));
        assertEquals(JobState.SUCCEEDED, rig.shown(id).state());
        assertTrue(!rig.trace.text().contains("job.visible"));
    }

    @Test
    @DisplayName("a transition never shows before the one it follows: PENDING then SUCCEEDED, in order; only the finish is traced")
    void inOrder() {
        for (long seed = 1; seed <= 20; seed++) {
            Rig rig = new Rig(seed, true);
            String id = rig.create();
            long pendingAt = rig.clock[0];
            rig.store.markPending(rig.job(id));
            rig.clock[0] += 10; // a short transfer: its end may be drawn a shorter lag than its start
            rig.store.markSucceeded(rig.job(id), 201, new TreeMap<>());
            long pendingShown = -1;
            long succeededShown = -1;
            for (long t = rig.clock[0]; t <= pendingAt + 2 * MAX && succeededShown < 0; t++) {
                rig.runUntil(t);
                JobState state = rig.shown(id).state();
                if (state != JobState.REGISTERED && pendingShown < 0) {
                    pendingShown = t;
                }
                if (state == JobState.SUCCEEDED) {
                    succeededShown = t;
                }
            }
            assertTrue(pendingShown >= pendingAt + MIN, "seed " + seed + ": PENDING showed after its lag, at " + pendingShown);
            assertTrue(succeededShown >= pendingShown, "seed " + seed + ": " + pendingShown + " then " + succeededShown);
            List<Visible> traced = visible(rig.trace);
            assertEquals(List.of(new Visible(succeededShown, id, "SUCCEEDED")), traced, "seed " + seed);
            assertEquals(JobState.SUCCEEDED, rig.shown(id).state());
        }
    }
}
