package org.upcert.conformance.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * A small trace written by hand in a rule's test: JSON lines as the simulator writes them, each at a
 * virtual time and in an activation, then the {@link RunEvidence} a checker reads. Lines are
 * numbered as in a trace file (the header is line 1, so the first event is line 2). Fluent: each
 * method returns the trace.
 *
 * <pre>{@code
 * RunEvidence evidence = new HandWrittenTrace().live("A1#PHOTO").os("26.1")
 *         .line(0, "{\"ev\":\"job.create\",\"job\":\"J1\",\"resource\":\"A1#PHOTO\",\"url\":\"http://h/x\"}")
 *         .line(1000, "{\"ev\":\"job.failed\",\"job\":\"J1\",\"code\":-1005}")
 *         .evidence();
 * }</pre>
 */
public final class HandWrittenTrace {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<TraceEvent> events = new ArrayList<>();
    private final ObjectNode header = JSON.createObjectNode().put("ev", "header");
    private final TreeSet<String> live = new TreeSet<>();
    private long t;
    private int activation = 1;

    public HandWrittenTrace() {
        header.putArray("assumptions");
    }

    /** The next lines happen at virtual time {@code millis} (until told otherwise). */
    public HandWrittenTrace at(long millis) {
        t = millis;
        return this;
    }

    /** Virtual time now (the time of the next line). */
    public long now() {
        return t;
    }

    /** The next lines belong to activation {@code act} (1 at first). */
    public HandWrittenTrace activation(int act) {
        activation = act;
        return this;
    }

    /** One event line at the current time and activation; its {@code ev} field names it. */
    public HandWrittenTrace line(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a JSON line: " + json, e);
        }
        events.add(new TraceEvent(events.size() + 2, t, node.path("ev").asText(), activation, node));
        return this;
    }

    /** One event line at virtual time {@code millis}, which the following lines keep. */
    public HandWrittenTrace line(long millis, String json) {
        return at(millis).line(json);
    }

    /** An assumption the run states in its header (e.g. {@code http-status}). */
    public HandWrittenTrace assume(String assumption) {
        ((ArrayNode) header.get("assumptions")).add(assumption);
        return this;
    }

    /** The OS level the header's workload names ({@code workload.os}). */
    public HandWrittenTrace os(String level) {
        object("workload").put("os", level);
        return this;
    }

    /** The fetch-set lag the header's policy names ({@code policy.fetchLagMaxMs}). */
    public HandWrittenTrace fetchLagMaxMs(long millis) {
        object("policy").put("fetchLagMaxMs", millis);
        return this;
    }

    private ObjectNode object(String field) {
        JsonNode known = header.get(field);
        return known instanceof ObjectNode node ? node : header.putObject(field);
    }

    /** Resources in the library at the end of the run (the evidence's live resources). */
    public HandWrittenTrace live(String... resources) {
        live.addAll(List.of(resources));
        return this;
    }

    /** How many lines so far are {@code ev} events (e.g. {@code job.create}, to name the next job). */
    public int count(String ev) {
        return (int) events.stream().filter(e -> e.name().equals(ev)).count();
    }

    /** The events so far, in order. */
    public List<TraceEvent> events() {
        return List.copyOf(events);
    }

    /** The run's evidence as a checker reads it: profile "test", seed 1, no cloud, library or payloads. */
    public RunEvidence evidence() {
        return new RunEvidence("test", 1, header.deepCopy(), events(), Set.copyOf(live), Set.of(), null, null, null);
    }
}
