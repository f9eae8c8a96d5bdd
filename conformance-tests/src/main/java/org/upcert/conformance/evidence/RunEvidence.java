package org.upcert.conformance.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.upcert.api.AssetResource;
import org.upcert.harness.cloud.CloudInventory;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.library.SimulatedLibrary;
import org.upcert.harness.run.RunResult;

/**
 * Everything a checker may judge about one run: the trace's events (parsed once and shared by
 * every rule), the header, and the end state: which resources the library holds and which
 * contents the cloud stores.
 *
 * @param profile the profile name
 * @param seed the seed
 * @param header the trace header
 * @param events every event after the header, in order
 * @param liveResources keys of the resources in the library at the end
 * @param storedResources keys of the live resources whose exact bytes the cloud holds
 * @param inventory the cloud stub's inventory at the end (objects, writes, commits, refusals);
 *     read only
 * @param library the library at the end (every resource it ever held, which are live); read only
 * @param payloads the bytes (and their SHA-256) the system sends for each resource
 * @param readings readings of this evidence computed once and shared by every checker ({@link #derived})
 */
public record RunEvidence(String profile, long seed, JsonNode header, List<TraceEvent> events,
        Set<String> liveResources, Set<String> storedResources, CloudInventory inventory, SimulatedLibrary library,
        Payloads payloads, Readings readings) {

    /** Evidence with no readings computed yet (tests that build evidence by hand). */
    public RunEvidence(String profile, long seed, JsonNode header, List<TraceEvent> events, Set<String> liveResources,
            Set<String> storedResources, CloudInventory inventory, SimulatedLibrary library, Payloads payloads) {
        this(profile, seed, header, events, liveResources, storedResources, inventory, library, payloads, new Readings());
    }

    /**
     * Readings derived from one run's evidence, computed at most once per run (each is a pure
     * function of the evidence) and shared by every checker. Identity-based: two evidences are
     * never confused.
     */
    public static final class Readings {
        private final java.util.Map<Class<?>, java.util.concurrent.CompletableFuture<Object>> values = new java.util.IdentityHashMap<>();

        @Override
        public boolean equals(Object other) {
            return other instanceof Readings;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /**
     * The reading of type {@code type} of this run, computed by {@code compute} the first time
     * it is asked for and kept (e.g. {@code ResourceFates}: one model of every resource's fate,
     * read by every liveness rule). {@code compute} may ask for other readings. Computed once:
     * a thread that asks while another computes it waits for that one (the rule groups of a
     * certification judge a run on several threads at once).
     */
    public <T> T derived(Class<T> type, java.util.function.Function<RunEvidence, T> compute) {
        java.util.concurrent.CompletableFuture<Object> mine = null;
        java.util.concurrent.CompletableFuture<Object> known;
        synchronized (readings.values) {
            known = readings.values.get(type);
            if (known == null) {
                mine = new java.util.concurrent.CompletableFuture<>();
                readings.values.put(type, mine);
            }
        }
        if (mine == null) {
            try {
                return type.cast(known.join());
            } catch (java.util.concurrent.CompletionException e) {
                // as if this thread had computed it: the same failure (a pure function of the evidence)
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error cause) {
                    throw cause;
                }
                throw e;
            }
        }
        try {
            T made = compute.apply(this);
            mine.complete(made);
            return made;
        } catch (RuntimeException | Error e) {
            synchronized (readings.values) {
                readings.values.remove(type, mine); // the next to ask computes it again, as before
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Evidence from a finished in-memory run. */
    public static RunEvidence of(RunResult result) {
        if (result.traceText() == null) {
            throw new IllegalArgumentException("the run kept no trace in memory");
        }
        TreeSet<String> live = new TreeSet<>();
        TreeSet<String> stored = new TreeSet<>();
        var bySha = result.inventory().objectsBySha256();
        for (AssetResource resource : result.library().liveResources()) {
            live.add(resource.key());
            CloudInventory.StoredObject object = bySha.get(result.payloads().sha256(resource));
            if (object != null) {
                stored.add(resource.key());
            }
        }
        JsonNode header = null;
        List<TraceEvent> events = new ArrayList<>();
        int activation = 0;
        int number = 0;
        for (String line : result.traceText().split("\n")) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = MAPPER.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException("trace line " + number + " is not JSON", e);
            }
            String name = node.path("ev").asText();
            if (name.equals("header")) {
                header = node;
                continue;
            }
            if (name.equals("call.start")) {
                activation = node.path("act").asInt();
            }
            events.add(new TraceEvent(number, node.path("t").asLong(), name, activation, node));
        }
        return new RunEvidence(result.summary().profile(), result.summary().seed(), header, List.copyOf(events),
                java.util.Collections.unmodifiableSet(live), java.util.Collections.unmodifiableSet(stored),
                result.inventory(), result.library(), result.payloads(), new Readings());
    }

    /** The cloud dialect the run used ({@code generic-put}, {@code s3-presigned}, …). */
    public String cloud() {
        return header == null ? "" : header.path("cloud").asText();
    }

    /**
     * The assumptions the run stated beyond what PhotoKit documents (the trace header's
     * {@code assumptions}, e.g. {@code http-status}: the extension saw the HTTP status of failed
     * uploads). Empty for a run that showed the extension only what a device shows.
     */
    public Set<String> assumptions() {
        TreeSet<String> assumptions = new TreeSet<>();
        if (header != null) {
            header.path("assumptions").forEach(node -> assumptions.add(node.asText()));
        }
        return java.util.Collections.unmodifiableSet(assumptions);
    }

    /** The few events before {@code event} and the event itself: the excerpt a FAIL shows. */
    public List<TraceEvent> excerptEndingAt(TraceEvent event, int before) {
        int index = events.indexOf(event);
        return events.subList(Math.max(0, index - before), index + 1);
    }
}
