package org.upcert.conformance.rules;

import java.util.List;
import java.util.TreeMap;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/**
 * The TRM rules: termination notices and kills. (TRM-04 lives in {@link CallRulesChecker}.) A
 * notice <i>during a call</i> is a {@code process.notice} with a {@code grace} field; one after
 * the call returned carries {@code when} instead and is nothing a call has to answer.
 */
public final class TerminationRules {
    private TerminationRules() {
    }

    public static List<RuleChecker> all() {
        return List.of(new ReturnsWithinGrace(), nothingAfterKill(), new ConvergesAfterKills(), new WorkAfterNotice());
    }

    private static boolean noticeDuringCall(TraceEvent event) {
        return event.name().equals("process.notice") && event.fields().has("grace");
    }

    /**
     * TRM-01: after {@code willTerminate}, {@code processJobs} returns within the grace period.
     * The host kills a call that outlives its grace ({@code process.kill} "grace period …
     * expired"); a call that stopped making API calls altogether is killed as hung; a call that
     * kept calling the API after the notice may be killed for memory before its grace runs out.
     * FAIL at that kill (or at a {@code call.end} later than notice + grace, should the host ever
     * let one through). Exercised by every notice delivered during a call.
     */
    static final class ReturnsWithinGrace extends MustRule {
        ReturnsWithinGrace() {
            super("TRM-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int notices = 0;
            TraceEvent notice = null;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("call.start")) {
                    notice = null;
                } else if (noticeDuringCall(event)) {
                    notices++;
                    notice = event;
                } else if (notice != null && event.name().equals("process.kill")
                        && (event.text("reason").startsWith("grace period") || event.text("reason").contains("hung")
                                || event.text("reason").startsWith("memory limit exceeded"))) {
                    // A jetsam kill after the notice is a call that kept working after it (every
                    // API call it made since added to what it held) until memory, not the grace
                    // timer, ran out first.
                    return Verdict.fail(ruleId(), "activation " + event.activation() + " did not return within "
                            + notice.number("grace") + " ms of willTerminate (" + event.text("reason") + ")",
                            evidence.excerptEndingAt(event, 5));
                } else if (notice != null && event.name().equals("call.end") && event.text("outcome").equals("returned")
                        && event.t() - notice.t() > notice.number("grace")) {
                    return Verdict.fail(ruleId(), "activation " + event.activation() + " returned " + (event.t() - notice.t())
                            + " ms after willTerminate, grace " + notice.number("grace") + " ms", evidence.excerptEndingAt(event, 5));
                }
            }
            return notices == 0 ? Verdict.notExercised(ruleId(), "no termination notice arrived during a call")
                    : Verdict.pass(ruleId(), notices + " notices during calls, each call returned within the grace period");
        }
    }

    /**
     * TRM-02: after a kill, nothing of the killed activation reaches the library, jobs or
     * storage. In-process the host enforces it: every API call of a killed call is refused and
     * recorded as {@code api.refused} with reason "after kill". Such a line is the violation:
     * the killed activation kept running (caught the kill, kept a thread) and tried to change
     * something. Finishing the block in progress after a notice is not a kill and is allowed.
     * Exercised by every call that ended killed.
     */
    static RuleChecker nothingAfterKill() {
        return new EventRule("TRM-02", "calls killed",
                e -> e.name().equals("call.end") && e.text("outcome").equals("killed"),
                e -> e.name().equals("api.refused") && e.text("reason").equals("after kill"),
                e -> "activation " + e.text("act") + " kept working after it was killed: " + e.text("api") + " (refused by the host)");
    }

    /**
     * TRM-03: after a kill at any point, later activations converge: no resource lost, no
     * duplicate job. A kill is blamed only for what follows it causally:
     * <ul>
     *   <li>a duplicate: a {@code job.create} for a resource that still has an unacknowledged job
     *       created <em>before</em> a kill that came between the two, or whose upload landed
     *       before such a kill and a SUCCEEDED job of which the killed activation acknowledged (the
     *       success was lost with the killed process; a landed upload the extension saw fail it had
     *       every reason to upload again, kill or no kill; one acknowledged by an earlier activation, or by a later
     *       one that saw the outcome itself, was the extension's to keep, kill or no kill: DUP-02
     *       reports the second upload; a SUCCEEDED job sent to the server the account has left
     *       (host.server) is no success of it on the new one, nor is an upload that landed before the
     *       account left the server and came back to it). A duplicate with no
     *       kill in between is DUP-01's or DUP-02's, not a kill's; nor is one beside a job the
     *       extension could not know it had ({@link UnseenOrphans}: committed right before the
     *       kill, still in flight, before iOS 26.5, where no PROCESS set shows it);
     *   <li>a loss (judged at the end on the {@link ResourceFates}): a {@link ResourceFates.Fate#LOST}
     *       resource whose last job was created before a kill and not yet acknowledged when the
     *       killed activation started: the job, or its outcome, was the killed process's to handle,
     *       and no later activation picked it up. A loss the kill had no hand in (the resource never
     *       attempted; its last job acknowledged by an activation that returned before the kill)
     *       is not a kill's: E2E-01 and RTY-01 judge it.
     * </ul>
     * Exercised only when a kill happened.
     */
    static final class ConvergesAfterKills extends MustRule {
        ConvergesAfterKills() {
            super("TRM-03");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            SystemStateReplay replay = SystemStateReplay.of(evidence);
            UnseenOrphans orphans = UnseenOrphans.of(evidence);
            int kills = 0;
            TraceEvent lastKill = null;
            java.util.TreeMap<Integer, TraceEvent> killsByLine = new java.util.TreeMap<>();
            java.util.TreeMap<Integer, Integer> killedCallStart = new java.util.TreeMap<>(); // kill line -> its call.start line
            int currentCallStart = 0;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("call.start")) {
                    currentCallStart = event.line();
                }
                if (lastKill != null && event.name().equals("job.create") && !DownloadOnly.is(event)) {
                    String resource = event.text("resource");
                    SystemStateReplay.BeforeCreate state = replay.beforeCreate(event);
                    for (String open : state.unackedJobsOf(resource)) {
                        TraceEvent kill = killsByLine.higherEntry(state.createdLine(open)) == null ? null
                                : killsByLine.higherEntry(state.createdLine(open)).getValue();
                        if (kill != null && !orphans.unseen(open, event)) {
                            return Verdict.fail(ruleId(), "after the kill at t=" + kill.t() / 1000 + " s (" + kill.text("reason")
                                    + "), created " + event.text("job") + " for " + resource + " while " + open
                                    + ", created before the kill, is unacknowledged", evidence.excerptEndingAt(event, 5));
                        }
                    }
                    // The kill lost the outcome only if the killed activation had acknowledged a success
                    // of this resource (and died before keeping what it learnt). Acknowledged by an
                    // earlier activation, or by a later one that saw the outcome itself, the outcome was
                    // the extension's to keep, kill or no kill: DUP-02 reports the second upload. A landed
                    // upload the extension saw fail (the response lost, a 204 counted as a failure on iOS
                    // 26.1 with no headers to tell) it would upload again with or without a kill.
                    // Exploration found the sample blamed for both (explore:604, explore:910).
                    // The upload must have landed in this stay of the account on its server (uploadedLine is
                    // per stay): one that landed before the account left the server and came back is what
                    // the server kept, which no extension can know of (a move, not a kill, made it upload
                    // again: explore:18 on the OneDrive session style, a job in flight across 2 -> 1 -> 2).
                    int successAck = state.lastSucceededAckLine(resource);
                    java.util.Map.Entry<Integer, TraceEvent> after = successAck > 0 ? killsByLine.higherEntry(successAck) : null;
                    int landed = state.uploadedLine(resource);
                    if (after != null && !(state.everUploaded(resource) && landed > 0 && landed < after.getKey()
                            && killedCallStart.getOrDefault(after.getKey(), Integer.MAX_VALUE) < successAck)) {
                        after = null;
                    }
                    if (after != null) {
                        TraceEvent kill = after.getValue();
                        return Verdict.fail(ruleId(), "after the kill at t=" + kill.t() / 1000 + " s (" + kill.text("reason")
                                + "), created " + event.text("job") + " for " + resource
                                + " although it was uploaded before the kill", evidence.excerptEndingAt(event, 5));
                    }
                }
                if (event.name().equals("process.kill")) {
                    kills++;
                    lastKill = event;
                    killsByLine.put(event.line(), event);
                    killedCallStart.put(event.line(), currentCallStart);
                }
            }
            if (kills == 0) {
                return Verdict.notExercised(ruleId(), "no kill");
            }
            // A kill is blamed for a loss only when the killed activation had the resource in hand:
            // its last job was created before the kill and was not yet acknowledged when the killed
            // activation started (the job, or its outcome, was the killed process's to handle), and
            // nothing was attempted for the resource afterwards.
            TreeMap<String, Integer> ackLine = new TreeMap<>(); // job -> line of its acknowledgement
            TreeMap<Integer, Integer> callStartOfKill = new TreeMap<>(); // kill line -> its activation's call.start line
            int callStart = 0;
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "job.ack", "job.cancel" -> ackLine.putIfAbsent(event.text("job"), event.line());
                    case "call.start" -> callStart = event.line();
                    case "process.kill" -> callStartOfKill.put(event.line(), callStart);
                    default -> {
                    }
                }
            }
            java.util.TreeMap<String, java.util.List<Attempts.Attempt>> attempts = evidence.derived(Attempts.class, Attempts::of)
                    .byResource();
            int blamed = 0;
            ResourceFates.ResourceFate first = null;
            TraceEvent firstKill = null;
            Attempts.Attempt firstAttempt = null;
            for (ResourceFates.ResourceFate fate : ResourceFates.of(evidence).lost()) {
                java.util.List<Attempts.Attempt> tried = attempts.get(fate.resource());
                if (tried == null || tried.isEmpty()) {
                    continue; // never attempted: E2E-01's, no kill had it in hand
                }
                Attempts.Attempt last = tried.get(tried.size() - 1);
                int acked = ackLine.getOrDefault(last.job(), Integer.MAX_VALUE);
                for (java.util.Map.Entry<Integer, TraceEvent> kill : killsByLine.tailMap(last.start().line(), false).entrySet()) {
                    if (acked >= callStartOfKill.get(kill.getKey())) {
                        blamed++;
                        if (first == null) {
                            first = fate;
                            firstKill = kill.getValue();
                            firstAttempt = last;
                        }
                        break;
                    }
                }
            }
            if (first != null) {
                return Verdict.fail(ruleId(), blamed + " resources lost after a kill; resource " + first.resource() + " lost: "
                        + first.why() + "; its job " + firstAttempt.job() + " was still unacknowledged when activation "
                        + firstKill.activation() + " was killed at t=" + firstKill.t() / 1000 + " s (" + firstKill.text("reason")
                        + ") and no later activation picked it up", evidence.excerptEndingAt(firstKill, 5));
            }
            return Verdict.pass(ruleId(), kills + " kills; no duplicate job and no resource lost after one");
        }
    }

    /**
     * TRM-05 (SHOULD): changes committed after {@code willTerminate}. For every notice during a
     * call: the job changes committed after it in that call ({@code changes.commit} counts) and
     * the simulated time from the notice to the call's end. Figure: change blocks committed after a notice, per notice (mean); the
     * message gives the longest and mean notice-to-return time. Not exercised without a notice
     * during a call.
     */
    static final class WorkAfterNotice extends ShouldRule {
        WorkAfterNotice() {
            super("TRM-05");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int notices = 0;
            long changes = 0;
            long blocks = 0;
            long longest = 0;
            long total = 0;
            TraceEvent notice = null;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("call.start")) {
                    notice = null;
                } else if (noticeDuringCall(event)) {
                    notices++;
                    notice = event;
                } else if (notice != null && event.name().equals("changes.commit")) {
                    changes += event.number("create") + event.number("ack") + event.number("retry") + event.number("cancel");
                    blocks++;
                } else if (notice != null && event.name().equals("call.end")) {
                    long took = event.t() - notice.t();
                    longest = Math.max(longest, took);
                    total += took;
                    notice = null;
                }
            }
            if (notices == 0) {
                return Verdict.notExercised(ruleId(), "no termination notice arrived during a call");
            }
            return Verdict.measured(ruleId(), Figure.average("change blocks committed after willTerminate", blocks, notices, "per notice"),
                    notices + " notices during calls; " + blocks + " change blocks (" + changes + " job changes) committed after them;"
                            + " notice to return "
                            + "longest " + longest + " ms, mean " + total / notices + " ms");
        }
    }
}
