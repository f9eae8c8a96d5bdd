package org.upcert.conformance.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/**
 * The RES rules: what {@code processJobs} answers. RES-01, RES-02 and RES-03 judge each
 * returned call against the state the trace rebuilds ({@link SystemState}) at its {@code call.end};
 * RES-05 measures call durations. (RES-04 lives in {@link CallRulesChecker}.)
 *
 * <p><b>Work remains</b> at a return when (a) a job the call could know to be finished (finished
 * before the call or before its last {@code fetchJobs}) is still unacknowledged, or (b) a
 * resource in the library since before the call started was never uploaded, has no
 * unacknowledged job and was not abandoned after a failure the extension could judge permanent;
 * resources the {@link ResourceFates} exempt (outside the declared scope, over the cloud's
 * request cap) are never work. "Uploaded" is the fates' verdict: a response that said stored
 * counts from its event on, even a 204 the system reported as a failure (the extension sees the
 * server's response headers; it may trust them), and so does a request whose answer was lost when
 * the server answered it 2xx ({@code lostStatus}, docs/trace.md; the extension may ask the service).
 * Jobs in flight are not
 * remaining work: the system transfers them (RULES.md: "uploaded or in flight"). Calls during
 * which library access or the extension was withdrawn are not judged: without consent no work
 * is eligible.
 */
public final class ResultRules {
    /** RES-03's N: this many consecutive PROCESSING answers without progress fail. */
    public static final int DEFAULT_NO_PROGRESS_CALLS = 5;

    private ResultRules() {
    }

    public static List<RuleChecker> all() {
        return List.of(new CompletedOnlyWhenDone(), new ProcessingWhileWorkRemains(),
                new NoEndlessProcessing(DEFAULT_NO_PROGRESS_CALLS), new CallDuration());
    }


    /** Why work remains at this moment, or null if none does. */
    static String remainingWork(SystemState state) {
        List<SystemState.Job> acknowledgeable = state.knownAcknowledgeable();
        if (!acknowledgeable.isEmpty()) {
            return acknowledgeable.size() + " finished jobs unacknowledged (first " + acknowledgeable.get(0).id + ")";
        }
        String first = state.backlogFirst();
        if (first != null) {
            return state.backlogSize() + " resources neither uploaded nor in a job (first " + first + ")";
        }
        return null;
    }

    /**
     * RES-01: {@code COMPLETED} only when no work remains (see the class comment). Exercised by
     * every call that returned COMPLETED with consent in place; FAIL at the first such
     * {@code call.end} while work remained.
     */
    static final class CompletedOnlyWhenDone extends MustRule {
        CompletedOnlyWhenDone() {
            super("RES-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            SystemStateReplay replay = SystemStateReplay.of(evidence);
            int judged = 0;
            boolean sawEmptyLibrary = false;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("call.start")) {
                    sawEmptyLibrary = false;
                } else if (event.name().equals("library.flaky") && event.text("mode").equals("empty")) {
                    // The library answered nothing (library.flaky): the call could not see the work
                    // that remained, and a device would not show it either. Its acknowledgements are
                    // still judged: the job sets were whole.
                    sawEmptyLibrary = true;
                }
                if (event.name().equals("call.end") && event.text("result").equals("COMPLETED")
                        && !replay.after(event).consentWithdrawnDuringCall()) {
                    SystemStateReplay.Moment state = replay.after(event);
                    if (sawEmptyLibrary && state.knownAcknowledgeable() == 0) {
                        continue;
                    }
                    judged++;
                    String work = state.remainingWork();
                    if (work != null) {
                        return Verdict.fail(ruleId(), "activation " + event.activation() + " returned COMPLETED while "
                                + work + " remained", evidence.excerptEndingAt(event, 5));
                    }
                }
            }
            return judged == 0 ? Verdict.notExercised(ruleId(), "no call returned COMPLETED")
                    : Verdict.pass(ruleId(), judged + " COMPLETED answers, none while work remained");
        }
    }

    /**
     * RES-02: {@code PROCESSING} while work remains and after {@code LIMIT_EXCEEDED}. FAIL at the
     * {@code call.end} of a call that (a) met a LIMIT_EXCEEDED rejection and returned anything
     * but PROCESSING, or (b) returned FAILURE while work remained although the call itself met no
     * error that could make it unrecoverable (its own HTTP failing or answering 4xx/5xx, a
     * library error, an error logged). COMPLETED while work remains is RES-01's. Exercised by
     * every returned call that hit LIMIT_EXCEEDED or returned while work remained.
     */
    static final class ProcessingWhileWorkRemains extends MustRule {
        ProcessingWhileWorkRemains() {
            super("RES-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            SystemStateReplay replay = SystemStateReplay.of(evidence);
            int judged = 0;
            boolean limitExceeded = false;
            boolean metError = false;
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "call.start" -> {
                        limitExceeded = false;
                        metError = false;
                    }
                    case "changes.rejected" -> limitExceeded |= event.text("code").equals("LIMIT_EXCEEDED");
                    case "http", "library.changes", "log", "library.flaky", "storage.locked" -> metError |= errorMet(event);
                    case "call.end" -> {
                        if (!event.text("outcome").equals("returned")) {
                            continue;
                        }
                        String result = event.text("result");
                        if (limitExceeded) {
                            judged++;
                            if (!result.equals("PROCESSING")) {
                                return Verdict.fail(ruleId(), "activation " + event.activation() + " returned " + result
                                        + " after LIMIT_EXCEEDED", evidence.excerptEndingAt(event, 5));
                            }
                            continue;
                        }
                        SystemStateReplay.Moment state = replay.after(event);
                        if (state.consentWithdrawnDuringCall()) {
                            continue;
                        }
                        String work = state.remainingWork();
                        if (work != null) {
                            judged++;
                            if (result.equals("FAILURE") && !metError) {
                                return Verdict.fail(ruleId(), "activation " + event.activation()
                                        + " returned FAILURE without meeting any error while " + work + " remained",
                                        evidence.excerptEndingAt(event, 5));
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            return judged == 0 ? Verdict.notExercised(ruleId(), "no call returned while work remained or after LIMIT_EXCEEDED")
                    : Verdict.pass(ruleId(), judged + " calls returned while work remained or after LIMIT_EXCEEDED, "
                            + "each with PROCESSING (or FAILURE after an error)");
        }
    }

    /**
     * RES-03: no endless PROCESSING without progress. Two judgements, one rule:
     *
     * <p><b>A streak.</b> A returned PROCESSING is <i>idle</i> when nothing moved: the call
     * committed no job change, left no job of the extension in flight (a correct extension whose
     * queue is uploading may answer PROCESSING with nothing to change: the system's own progress is
     * to come), discovered nothing new (persistent changes that listed something or had expired;
     * a full library scan counts only if the library changed since the extension's previous full
     * scan — walking an unchanged library every call discovers nothing), and changed nothing in
     * the cloud by its own requests (a 2xx to a POST, PUT, PATCH or DELETE other than a sign-in,
     * e.g. a two-phase commit). Writes to the app group do not count: a heartbeat there moves
     * nothing. FAIL at the {@code n}-th consecutive idle PROCESSING; any other call (progress,
     * another answer, a kill) ends the streak; calls during which consent was withdrawn are not
     * judged (nothing is eligible) and neither count nor end it, nor does a call the system told
     * to stop (a termination notice during it) that moved nothing: returning PROCESSING at once is
     * what it must do (TRM-01), not a sign of a loop (exploration found the sample failed for five
     * notices in a row, explore:209); nor does a call whose changes the system refused with
     * LIMIT_EXCEEDED and that moved nothing: PROCESSING is what CAP-01 demands then (exploration:
     * a job limit dipping at every commit for five calls, explore:474). Library activity that keeps the
     * run alive (recovery photos) only ends a streak through the progress it causes.
     *
     * <p><b>A run that never becomes quiescent.</b> If the run stopped at the time or activation
     * limit, or was stopped as stalled (nothing moved for {@code Simulation.STALL_AFTER_MS} after
     * the recovery activity), and the extension's last answer was PROCESSING, it would be called for ever: FAIL,
     * whatever each call did (the system calls again after every PROCESSING; only COMPLETED lets
     * a phone rest until the library changes). Exercised by every returned PROCESSING.
     */
    static final class NoEndlessProcessing extends MustRule {
        private final int limit;

        NoEndlessProcessing(int limit) {
            super("RES-03");
            if (limit < 2) {
                throw new IllegalArgumentException("RES-03 needs at least 2 calls: " + limit);
            }
            this.limit = limit;
        }

        /** Why the run stopped, from its {@code run.end} line; "" if it has none. */
        static String endReason(RunEvidence evidence) {
            List<TraceEvent> events = evidence.events();
            for (int i = events.size() - 1; i >= 0 && i >= events.size() - 3; i--) {
                if (events.get(i).name().equals("run.end")) {
                    return events.get(i).text("reason");
                }
            }
            return "";
        }

        /**
         * Whether the extension's own request changed the cloud: a 2xx to a write that is not a
         * sign-in, nor Dropbox's {@code files/get_metadata} (a read the API sends as a POST).
         */
        static boolean cloudWrite(TraceEvent http) {
            String method = http.text("method");
            long status = http.fields().has("status") ? http.number("status") : 0;
            String url = http.text("url");
            int query = url.indexOf('?');
            String path = query < 0 ? url : url.substring(0, query);
            return status >= 200 && status < 300 && !path.endsWith("/token") && !path.endsWith("/files/get_metadata")
                    && (method.equals("POST") || method.equals("PUT") || method.equals("PATCH") || method.equals("DELETE"));
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            SystemStateReplay replay = SystemStateReplay.of(evidence);
            int processing = 0;
            int streak = 0;
            int longest = 0;
            int tail = 0; // PROCESSING answers since the last other outcome
            TraceEvent tailStart = null;
            TraceEvent lastReturned = null;
            boolean discovered = false;
            boolean cloudChanged = false;
            boolean libraryChangedSinceScan = true; // the first full scan discovers the library
            boolean told = false;
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "call.start" -> {
                        discovered = false;
                        cloudChanged = false;
                        told = false;
                    }
                    case "process.notice" -> told |= !event.fields().has("when"); // during the call, not after it returned
                    case "changes.rejected" -> told |= event.text("code").equals("LIMIT_EXCEEDED"); // CAP-01: PROCESSING then
                    case "library.flaky", "storage.locked" -> told = true; // the device failed it: its PROCESSING says nothing about a loop
                    case "library.insert", "library.delete", "library.offload" -> libraryChangedSinceScan = true;
                    case "library.changes" -> discovered |= event.fields().has("code") || event.number("count") > 0;
                    case "fetch.assets" -> {
                        if (!event.fields().has("asked")) {
                            discovered |= libraryChangedSinceScan;
                            libraryChangedSinceScan = false;
                        }
                    }
                    case "http" -> cloudChanged |= cloudWrite(event);
                    case "call.end" -> {
                        if (!event.text("outcome").equals("returned") || !event.text("result").equals("PROCESSING")) {
                            streak = 0;
                            tail = 0;
                            tailStart = null;
                            if (event.text("outcome").equals("returned")) {
                                lastReturned = event;
                            }
                            continue;
                        }
                        processing++;
                        lastReturned = event;
                        if (tail++ == 0) {
                            tailStart = event;
                        }
                        SystemStateReplay.Moment state = replay.after(event);
                        if (state.consentWithdrawnDuringCall()) {
                            continue;
                        }
                        if (told && event.number("changes") == 0 && !discovered && !cloudChanged) {
                            continue; // the system stopped it (a notice, or LIMIT_EXCEEDED): its PROCESSING says nothing about a loop
                        }
                        boolean idle = event.number("changes") == 0 && !discovered && !cloudChanged && state.inFlight() == 0;
                        streak = idle ? streak + 1 : 0;
                        longest = Math.max(longest, streak);
                        if (streak >= limit) {
                            return Verdict.fail(ruleId(), limit + " consecutive calls (up to activation " + event.activation()
                                    + ") returned PROCESSING with nothing moved: no job change, no job in flight, nothing new "
                                    + "discovered, nothing changed in the cloud. The system calls again after every PROCESSING; "
                                    + "answer COMPLETED when no work remains (a library change calls the extension again) and "
                                    + "FAILURE when something it cannot fix stops it", evidence.excerptEndingAt(event, 5));
                        }
                    }
                    default -> {
                    }
                }
            }
            String end = endReason(evidence);
            if ((end.equals("time-limit") || end.equals("activation-limit") || end.equals("stalled")) && tail > 0
                    && lastReturned != null
                    && lastReturned.text("result").equals("PROCESSING")) {
                String since = tailStart.activation() == 1 ? "every call since the first" : "every call since activation "
                        + tailStart.activation();
                String stop = end.equals("stalled") ? "was stopped when nothing had moved for "
                        + org.upcert.harness.run.Simulation.STALL_AFTER_MS / 3_600_000 + " h after the recovery phase"
                        : "stopped at the " + end.replace('-', ' ');
                return Verdict.fail(ruleId(), "the run never became quiescent: it " + stop + " ("
                        + lastReturned.t() / 3_600_000 + " h of simulated time) with the extension answering PROCESSING to "
                        + since + " (" + tail + " answers), so the system would call it for ever. Answer COMPLETED once "
                        + "nothing is left to acknowledge, to upload or in flight", evidence.excerptEndingAt(lastReturned, 5));
            }
            return processing == 0 ? Verdict.notExercised(ruleId(), "no call returned PROCESSING")
                    : Verdict.pass(ruleId(), processing + " PROCESSING answers, at most " + longest
                            + " in a row without progress (limit " + limit + ")" + (end.isEmpty() ? "" : "; the run ended " + end));
        }
    }

    /**
     * RES-05 (SHOULD): each call returns within the runtime budget. Figure: the p99 (nearest
     * rank) of the simulated duration of every call that ended ({@code call.end} {@code ms},
     * killed calls included). Exercised by any call. The message also counts the calls killed
     * at the runtime limit and those killed for memory (jetsam over the ~32 MB budget: reference
     * §7.19, "within a memory budget if measurable"); they do not change the figure.
     */
    static final class CallDuration extends ShouldRule {
        CallDuration() {
            super("RES-05");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            List<Long> durations = new ArrayList<>();
            int overTime = 0;
            int overMemory = 0;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("call.end")) {
                    durations.add(event.number("ms"));
                } else if (event.name().equals("process.kill")) {
                    String reason = event.text("reason");
                    if (reason.startsWith("runtime limit")) {
                        overTime++;
                    } else if (reason.startsWith("memory limit")) {
                        overMemory++;
                    }
                }
            }
            if (durations.isEmpty()) {
                return Verdict.notExercised(ruleId(), "no call ended");
            }
            Collections.sort(durations);
            long p99 = durations.get((int) Math.ceil(0.99 * durations.size()) - 1);
            long max = durations.get(durations.size() - 1);
            long limit = evidence.header() == null ? 0 : evidence.header().path("policy").path("runtimeLimitMs").asLong();
            return Verdict.measured(ruleId(), Figure.maximum("p99 call duration", p99, "ms"), durations.size()
                    + " calls; p99 " + p99 + " ms, longest " + max + " ms" + (limit > 0 ? " (runtime limit " + limit + " ms)" : "")
                    + (overTime > 0 ? "; " + overTime + " killed at the runtime limit" : "")
                    + (overMemory > 0 ? "; " + overMemory + " killed for memory (jetsam)" : ""));
        }
    }

    /**
     * An error the extension met in its call that can make FAILURE the honest answer (RES-02,
     * CHG-01): its own HTTP failing or answering 4xx/5xx, a library read failing or answering
     * nothing ({@code library.flaky}), an error it logged.
     */
    static boolean errorMet(TraceEvent event) {
        return switch (event.name()) {
            case "http" -> event.fields().has("code") || event.number("status") >= 400;
            case "library.changes" -> event.fields().has("code");
            case "library.flaky" -> true; // the library answered nothing, or failed (library.flaky)
            case "storage.locked" -> true; // the app group was locked: before the first unlock after a restart
            case "log" -> event.text("level").equals("error");
            default -> false;
        };
    }
}
