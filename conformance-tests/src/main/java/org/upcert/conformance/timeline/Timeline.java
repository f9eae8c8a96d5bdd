package org.upcert.conformance.timeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the timeline picture shows of one run, read from its trace alone: activations, process
 * generations, fault windows and strikes, library churn, job counts by state over time, the
 * recovery phase and how the run ended. Every item keeps the trace line it came from, so a
 * picture can always be traced back to the events.
 *
 * <p>Reading skips what the picture does not draw (storage, fetches, logs) without parsing it,
 * so a trace of tens of thousands of events reads in well under a second.
 */
public final class Timeline {

    /** The trace format this reader understands (the header's {@code format}). */
    public static final String FORMAT = "upcert-trace/1";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Where a job is, as the job-count lanes stack them. */
    public enum JobBucket {
        REGISTERED, PENDING, SUCCEEDED, FAILED, ACKNOWLEDGED, ACKNOWLEDGED_FAILED, CANCELLED;

        /** Whether the job still counts against {@code jobLimit} (not yet acknowledged or cancelled). */
        public boolean outstanding() {
            return ordinal() <= FAILED.ordinal();
        }
    }

    /**
     * One call of {@code processJobs}, from {@code call.start} to {@code call.end}.
     *
     * @param ending {@code PROCESSING}, {@code COMPLETED}, {@code FAILURE} (it returned that),
     *     {@code killed}, {@code threw}, or {@code unfinished} (the trace ends inside the call)
     * @param detail the kill reason or exception, empty when it returned
     */
    public record Activation(int number, int startLine, int endLine, long start, long end, String reason, int generation,
            int unacked, int presented, String ending, String detail, long calls, long changes) {
    }

    /** One extension process (generation), from {@code process.launch} to {@code process.exit}. */
    public record ProcessLife(int generation, int line, long start, long end, String exitReason) {
    }

    /**
     * Something that happened to the process or that the system refused: {@code kill},
     * {@code notice}, {@code penalty} (50008), {@code refused}, {@code illegal}, {@code rejected},
     * {@code launch-failed}.
     */
    public record Marker(int line, long t, String kind, String detail) {
    }

    /**
     * A planned fault as it ran: a window {@code [from, until)}, or an instant
     * ({@code until == from}).
     *
     * @param fault its index in the plan
     * @param parameters its plan parameters, e.g. {@code latencyMs=600 uplinkKbps=2000}
     */
    public record FaultWindow(int fault, String kind, int line, long from, long until, String parameters) {
        public boolean instant() {
            return until == from;
        }
    }

    /**
     * A moment: a {@code fault.fire} (kind = the fault's kind) or library churn (kind =
     * {@code library.insert}, {@code library.delete}, {@code library.offload}).
     */
    public record Point(int line, long t, String kind, String detail) {
    }

    /** Job counts by {@link JobBucket} from time {@code t} on (until the next snapshot). */
    public record JobCounts(long t, int registered, int pending, int succeeded, int failed, int acknowledged,
            int acknowledgedFailed, int cancelled) {

        public int count(JobBucket bucket) {
            return switch (bucket) {
                case REGISTERED -> registered;
                case PENDING -> pending;
                case SUCCEEDED -> succeeded;
                case FAILED -> failed;
                case ACKNOWLEDGED -> acknowledged;
                case ACKNOWLEDGED_FAILED -> acknowledgedFailed;
                case CANCELLED -> cancelled;
            };
        }

        /** Jobs counting against {@code jobLimit}. */
        public int outstanding() {
            return registered + pending + succeeded + failed;
        }

        /** Jobs done with: acknowledged or cancelled. */
        public int done() {
            return acknowledged + acknowledgedFailed + cancelled;
        }
    }

    /** One trace line, for marks: its time, event name and the activation it falls in (0 before the first). */
    public record Event(int line, long t, String name, int activation, String json) {
    }

    private final JsonNode header;
    private final String[] lines;
    private final long[] times;
    private final int[] activationAt;
    private final List<Activation> activations;
    private final List<ProcessLife> processes;
    private final List<Marker> markers;
    private final List<FaultWindow> faults;
    private final List<Point> fires;
    private final List<Point> library;
    private final List<JobCounts> jobCounts;
    private final long recoveryAt;
    private final long end;
    private final JsonNode runEnd;

    private Timeline(Reader r) {
        this.header = r.header;
        this.lines = r.lines;
        this.times = r.times;
        this.activationAt = r.activationAt;
        this.activations = List.copyOf(r.activations);
        this.processes = List.copyOf(r.processes);
        this.markers = List.copyOf(r.markers);
        this.faults = List.copyOf(r.faults);
        this.fires = List.copyOf(r.fires);
        this.library = List.copyOf(r.library);
        this.jobCounts = List.copyOf(r.jobCounts);
        this.recoveryAt = r.recoveryAt;
        this.end = r.end;
        this.runEnd = r.runEnd;
    }

    /**
     * Reads a trace's text (JSON Lines, header first).
     *
     * @throws TraceFormatException when line 1 is not an {@code upcert-trace/1} header or a line is not JSON
     */
    public static Timeline parse(String traceText) {
        return new Timeline(new Reader(traceText, null));
    }

    /**
     * Reads a trace's text whose lines were parsed already: {@code parsed[n]} is line {@code n}'s JSON
     * (1-based; null where not parsed, then the line is read here). A certification draws every run it
     * judged, and parsing the same lines a second time was over half of drawing them (JFR). The nodes
     * are only read.
     */
    public static Timeline parse(String traceText, JsonNode[] parsed) {
        return new Timeline(new Reader(traceText, parsed));
    }

    /**
     * Reads a trace file.
     *
     * @throws TraceFormatException when it is not an upcert trace
     * @throws UncheckedIOException when it cannot be read
     */
    public static Timeline read(Path trace) {
        try {
            return parse(Files.readString(trace, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + trace + ": " + e.getMessage(), e);
        }
    }

    /** The header line (seed, profile, plan, policy, extension). */
    public JsonNode header() {
        return header;
    }

    public String profile() {
        return header.path("profile").asText("none");
    }

    public long seed() {
        return header.path("seed").asLong();
    }

    public String extension() {
        return header.path("extension").path("name").asText();
    }

    public String cloud() {
        return header.path("cloud").asText();
    }

    public int jobLimit() {
        return header.path("workload").path("jobLimit").asInt();
    }

    /** The number of lines in the trace, header included. */
    public int lineCount() {
        return lines.length;
    }

    /**
     * One line of the trace.
     *
     * @throws IllegalArgumentException when {@code line} is outside {@code 1..lineCount()}
     */
    public Event event(int line) {
        if (line < 1 || line > lines.length) {
            throw new IllegalArgumentException("line " + line + " is outside the trace (lines 1-" + lines.length + ")");
        }
        int i = line - 1;
        String name = line == 1 ? "header" : nameOf(lines[i]);
        return new Event(line, times[i], name, activationAt[i], lines[i]);
    }

    public List<Activation> activations() {
        return activations;
    }

    /**
     * The activation an event belongs to: the one whose call it happened in, or else the last
     * one started before it; empty before the first call.
     */
    public Optional<Activation> activationOf(int line) {
        int number = event(line).activation();
        // Activations are numbered 1, 2, 3… in trace order, so the number is almost always the index.
        if (number >= 1 && number <= activations.size() && activations.get(number - 1).number() == number) {
            return Optional.of(activations.get(number - 1));
        }
        return activations.stream().filter(a -> a.number() == number).findFirst();
    }

    public List<ProcessLife> processes() {
        return processes;
    }

    public List<Marker> markers() {
        return markers;
    }

    /** Every planned fault that started, in the order the trace started them. */
    public List<FaultWindow> faults() {
        return faults;
    }

    /** Every {@code fault.fire}. */
    public List<Point> fires() {
        return fires;
    }

    /** Every {@code library.insert}, {@code library.delete} and {@code library.offload}. */
    public List<Point> libraryChurn() {
        return library;
    }

    /** Job counts after every change (one snapshot per distinct time), starting with all zero at 0. */
    public List<JobCounts> jobCounts() {
        return jobCounts;
    }

    /** When the recovery phase began, if it did. */
    public Optional<Long> recoveryAt() {
        return recoveryAt < 0 ? Optional.empty() : Optional.of(recoveryAt);
    }

    /** The virtual time of the last event. */
    public long end() {
        return end;
    }

    /** The {@code run.end} or {@code run.aborted} line, if the trace has one. */
    public Optional<JsonNode> runEnd() {
        return Optional.ofNullable(runEnd);
    }

    /** How the run ended, in one line: {@code quiescent · 48 activations · 519 of 519 uploaded · 0 unacknowledged}. */
    public String endSummary() {
        if (runEnd == null) {
            return "the trace ends without run.end (cut short)";
        }
        if (runEnd.path("ev").asText().equals("run.aborted")) {
            return "aborted: " + runEnd.path("error").asText();
        }
        return runEnd.path("reason").asText() + " · " + runEnd.path("activations").asLong() + " activations · "
                + runEnd.path("uploaded").asLong() + " of " + runEnd.path("resources").asLong() + " resources uploaded · "
                + runEnd.path("unacked").asLong() + " jobs unacknowledged";
    }

    /** The event name of a line, read without parsing it (lines are written {@code {"t":N,"ev":"NAME",…}}). */
    static String nameOf(String line) {
        int at = line.indexOf("\"ev\":\"");
        if (at < 0) {
            return "";
        }
        int from = at + 6;
        int to = line.indexOf('"', from);
        return to < 0 ? "" : line.substring(from, to);
    }

    /** One pass over the lines. */
    private static final class Reader {
        JsonNode header;
        String[] lines;
        long[] times;
        int[] activationAt;
        final List<Activation> activations = new ArrayList<>();
        final List<ProcessLife> processes = new ArrayList<>();
        final List<Marker> markers = new ArrayList<>();
        final List<FaultWindow> faults = new ArrayList<>();
        final List<Point> fires = new ArrayList<>();
        final List<Point> library = new ArrayList<>();
        final List<JobCounts> jobCounts = new ArrayList<>();
        long recoveryAt = -1;
        long end;
        JsonNode runEnd;

        // State while reading. Maps are looked up, never iterated (except the TreeMap, in key order).
        private JsonNode openCall;
        private int openCallLine;
        private final TreeMap<Integer, JsonNode> openProcesses = new TreeMap<>();
        private final TreeMap<Integer, Integer> openProcessLines = new TreeMap<>();
        private final TreeMap<Integer, long[]> openWindows = new TreeMap<>(); // fault -> {from, line, planned until}
        private final TreeMap<Integer, String> openKinds = new TreeMap<>();
        private final Map<String, JobBucket> jobs = new HashMap<>();
        private final int[] counts = new int[JobBucket.values().length];

        /** Lines parsed already, by 1-based line number; null when none were given. */
        private final JsonNode[] parsed;

        Reader(String text, JsonNode[] parsed) {
            this.parsed = parsed;
            String[] split = text.split("\n", -1);
            int n = split.length;
            while (n > 0 && split[n - 1].isBlank()) {
                n--;
            }
            if (n == 0) {
                throw new TraceFormatException("the file is empty, not an upcert trace");
            }
            lines = n == split.length ? split : java.util.Arrays.copyOf(split, n);
            times = new long[n];
            activationAt = new int[n];
            header = parseHeader(lines[0]);
            jobCounts.add(snapshot(0));
            int activation = 0;
            for (int i = 1; i < n; i++) {
                String line = lines[i];
                if (line.isBlank()) {
                    times[i] = end;
                    activationAt[i] = activation;
                    continue;
                }
                String name = nameOf(line);
                JsonNode node = relevant(name) ? known(line, i + 1) : null;
                long t = node != null ? node.path("t").asLong() : timeOf(line, i + 1);
                times[i] = t;
                end = Math.max(end, t);
                if (name.equals("call.start")) {
                    activation = node.path("act").asInt();
                }
                activationAt[i] = activation;
                if (node != null) {
                    take(name, node, i + 1, t);
                }
            }
            finish();
        }

        private static JsonNode parseHeader(String first) {
            JsonNode node;
            try {
                node = MAPPER.readTree(first);
            } catch (IOException e) {
                throw new TraceFormatException("line 1 is not JSON, so this is not an upcert trace");
            }
            if (node == null || !node.path("ev").asText().equals("header") || !node.path("format").asText().equals(FORMAT)) {
                throw new TraceFormatException("line 1 is not an upcert trace header (expected {\"ev\":\"header\",\"format\":\""
                        + FORMAT + "\",…})");
            }
            return node;
        }

        private static boolean relevant(String name) {
            return name.startsWith("call.") || name.startsWith("process.") || name.startsWith("job.")
                    || name.startsWith("fault.") || name.startsWith("library.") || name.startsWith("run.")
                    || name.equals("phase.recovery") || name.equals("system.penalty") || name.equals("api.refused")
                    || name.equals("change.illegal") || name.equals("change.dropped") || name.equals("changes.rejected");
        }

        /** Line {@code number}'s JSON: as parsed before, or read now. */
        private JsonNode known(String line, int number) {
            JsonNode node = parsed != null && number < parsed.length ? parsed[number] : null;
            return node != null ? node : json(line, number);
        }

        private static JsonNode json(String line, int number) {
            try {
                return MAPPER.readTree(line);
            } catch (IOException e) {
                throw new TraceFormatException("trace line " + number + " is not JSON");
            }
        }

        /** {@code t} of a line the picture does not draw, without parsing it. */
        private static long timeOf(String line, int number) {
            if (line.startsWith("{\"t\":")) {
                long t = 0;
                int i = 5;
                while (i < line.length() && Character.isDigit(line.charAt(i))) {
                    t = t * 10 + (line.charAt(i) - '0');
                    i++;
                }
                if (i > 5) {
                    return t;
                }
            }
            return json(line, number).path("t").asLong();
        }

        private void take(String name, JsonNode e, int line, long t) {
            switch (name) {
                case "call.start" -> {
                    openCall = e;
                    openCallLine = line;
                }
                case "call.end" -> endCall(e, line, t);
                case "process.launch" -> {
                    openProcesses.put(e.path("gen").asInt(), e);
                    openProcessLines.put(e.path("gen").asInt(), line);
                }
                case "process.exit" -> {
                    int gen = e.path("gen").asInt();
                    JsonNode launch = openProcesses.remove(gen);
                    Integer launchLine = openProcessLines.remove(gen);
                    long start = launch == null ? 0 : launch.path("t").asLong();
                    processes.add(new ProcessLife(gen, launchLine == null ? line : launchLine, start, t, e.path("reason").asText()));
                }
                case "process.kill" -> markers.add(new Marker(line, t, "kill", e.path("reason").asText()));
                case "process.notice" -> markers.add(new Marker(line, t, "notice",
                        e.has("when") ? e.path("when").asText() : "grace " + e.path("grace").asLong() + " ms"));
                case "process.launch-failed" -> markers.add(new Marker(line, t, "launch-failed", e.path("reason").asText()));
                case "system.penalty" -> markers.add(new Marker(line, t, "penalty",
                        "50008: " + e.path("outstanding").asLong() + " presented jobs left unacknowledged, deferred "
                                + e.path("deferral").asLong() + " ms"));
                case "api.refused" -> markers.add(new Marker(line, t, "refused",
                        e.path("api").asText() + ": " + e.path("reason").asText()));
                case "change.illegal" -> markers.add(new Marker(line, t, "illegal",
                        e.path("op").asText() + " " + e.path("job").asText() + ": " + e.path("code").asText()));
                case "change.dropped" -> markers.add(new Marker(line, t, e.path("cause").asText().equals("extension") ? "illegal" : "dropped",
                        e.path("op").asText() + " " + e.path("job").asText() + " dropped: " + e.path("fetched").asText() + " at its last fetch, "
                                + e.path("state").asText() + " at the commit (" + e.path("cause").asText() + ")"));
                case "changes.rejected" -> markers.add(new Marker(line, t, "rejected",
                        e.path("code").asText() + " (" + e.path("changes").asLong() + " changes): " + e.path("reason").asText()));
                case "fault.start" -> startFault(e, line, t);
                case "fault.end" -> endFault(e.path("fault").asInt(), t);
                case "fault.fire" -> fires.add(new Point(line, t, e.path("kind").asText(), "on " + e.path("on").asText()));
                case "library.insert", "library.delete", "library.offload" -> library.add(new Point(line, t, name,
                        e.path("asset").asText() + (e.has("fault") ? " (fault " + e.path("fault").asInt() + ")"
                                : e.has("why") ? " (" + e.path("why").asText() + ")" : "")));
                case "phase.recovery" -> {
                    recoveryAt = t;
                    for (Integer fault : List.copyOf(openWindows.keySet())) {
                        endFault(fault, t);
                    }
                }
                case "run.end", "run.aborted" -> runEnd = e;
                default -> {
                    if (name.startsWith("job.")) {
                        job(name, e, t);
                    }
                }
            }
        }

        private void endCall(JsonNode e, int line, long t) {
            JsonNode start = openCall;
            int number = e.path("act").asInt();
            String outcome = e.path("outcome").asText();
            String ending = outcome.equals("returned") ? e.path("result").asText() : outcome;
            String detail = outcome.equals("killed") ? e.path("reason").asText()
                    : outcome.equals("threw") ? e.path("exception").asText() : "";
            activations.add(new Activation(number, start == null ? line : openCallLine, line,
                    start == null ? t - e.path("ms").asLong() : start.path("t").asLong(), t,
                    start == null ? "" : start.path("reason").asText(), start == null ? 0 : start.path("gen").asInt(),
                    start == null ? 0 : start.path("unacked").asInt(), start == null ? 0 : start.path("presented").asInt(),
                    ending, detail, e.path("calls").asLong(), e.path("changes").asLong()));
            openCall = null;
        }

        private void startFault(JsonNode e, int line, long t) {
            int index = e.path("fault").asInt();
            String kind = e.path("kind").asText();
            if (e.has("until")) {
                openWindows.put(index, new long[] {t, line, e.path("until").asLong()});
                openKinds.put(index, kind);
            } else {
                faults.add(new FaultWindow(index, kind, line, t, t, parameters(index)));
            }
        }

        private void endFault(int index, long t) {
            long[] open = openWindows.remove(index);
            String kind = openKinds.remove(index);
            if (open != null) {
                faults.add(new FaultWindow(index, kind, (int) open[1], open[0], t, parameters(index)));
            }
        }

        /** The plan's parameters of fault {@code index}, {@code name=value} separated by spaces. */
        private String parameters(int index) {
            JsonNode planned = header.path("plan").path("faults").path(index);
            StringBuilder text = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> it = planned.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("kind") || field.getKey().equals("from") || field.getKey().equals("until")) {
                    continue;
                }
                text.append(text.length() == 0 ? "" : " ").append(field.getKey()).append('=').append(field.getValue().asText());
            }
            return text.toString();
        }

        private void job(String name, JsonNode e, long t) {
            String id = e.path("job").asText();
            JobBucket before = jobs.get(id);
            JobBucket after = switch (name) {
                case "job.create" -> JobBucket.REGISTERED;
                case "job.pending" -> JobBucket.PENDING;
                case "job.succeeded" -> JobBucket.SUCCEEDED;
                case "job.failed" -> JobBucket.FAILED;
                case "job.retry" -> JobBucket.REGISTERED;
                case "job.cancel" -> JobBucket.CANCELLED;
                case "job.ack" -> e.path("state").asText().equals("FAILED") || before == JobBucket.FAILED
                        ? JobBucket.ACKNOWLEDGED_FAILED : JobBucket.ACKNOWLEDGED;
                default -> before;
            };
            if (after == null || after == before) {
                return;
            }
            if (before != null) {
                counts[before.ordinal()]--;
            }
            counts[after.ordinal()]++;
            jobs.put(id, after);
            JobCounts now = snapshot(t);
            if (jobCounts.get(jobCounts.size() - 1).t() == t) {
                jobCounts.set(jobCounts.size() - 1, now); // one snapshot per instant: the state after it
            } else {
                jobCounts.add(now);
            }
        }

        private JobCounts snapshot(long t) {
            return new JobCounts(t, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]);
        }

        /** Closes what the trace left open: a call cut short, live processes, windows still open. */
        private void finish() {
            if (openCall != null) {
                activations.add(new Activation(openCall.path("act").asInt(), openCallLine, lines.length,
                        openCall.path("t").asLong(), end, openCall.path("reason").asText(), openCall.path("gen").asInt(),
                        openCall.path("unacked").asInt(), openCall.path("presented").asInt(), "unfinished",
                        "the trace ends inside the call", 0, 0));
            }
            for (Map.Entry<Integer, JsonNode> open : openProcesses.entrySet()) {
                processes.add(new ProcessLife(open.getKey(), openProcessLines.get(open.getKey()), open.getValue().path("t").asLong(),
                        end, "alive at the end"));
            }
            for (Integer fault : List.copyOf(openWindows.keySet())) {
                long planned = openWindows.get(fault)[2];
                endFault(fault, Math.min(planned, Math.max(end, openWindows.get(fault)[0])));
            }
            processes.sort(java.util.Comparator.comparingInt(ProcessLife::generation));
            faults.sort(java.util.Comparator.comparingLong(FaultWindow::from).thenComparingInt(FaultWindow::fault));
        }
    }
}
