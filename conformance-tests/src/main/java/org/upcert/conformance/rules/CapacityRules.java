package org.upcert.conformance.rules;

import java.util.List;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/** The CAP rules: the job limit. */
public final class CapacityRules {
    private CapacityRules() {
    }

    public static List<RuleChecker> all() {
        return List.of(new StopsAtTheLimit(), new AcknowledgesBeforeCreating(), new IdleCapacity());
    }

    /**
     * CAP-01: on {@code LIMIT_EXCEEDED} the call stops creating, does not spin, and returns
     * PROCESSING. After the first {@code changes.rejected} with code LIMIT_EXCEEDED in a call,
     * FAIL at a second LIMIT_EXCEEDED rejection in the same call (spinning), at a
     * {@code job.create} committed later in the same call (it did not stop creating), or at the
     * call's {@code call.end} if it returned anything but PROCESSING. Exercised by every call
     * that met LIMIT_EXCEEDED.
     */
    static final class StopsAtTheLimit extends MustRule {
        StopsAtTheLimit() {
            super("CAP-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int calls = 0;
            boolean hit = false;
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "call.start" -> hit = false;
                    case "changes.rejected" -> {
                        if (event.text("code").equals("LIMIT_EXCEEDED")) {
                            if (hit) {
                                return fail(evidence, event, "activation " + event.activation()
                                        + " tried again after LIMIT_EXCEEDED in the same call (spinning)");
                            }
                            hit = true;
                            calls++;
                        }
                    }
                    case "job.create" -> {
                        if (hit) {
                            return fail(evidence, event, "activation " + event.activation()
                                    + " kept creating after LIMIT_EXCEEDED: " + event.text("job"));
                        }
                    }
                    case "call.end" -> {
                        if (hit && event.text("outcome").equals("returned") && !event.text("result").equals("PROCESSING")) {
                            return fail(evidence, event, "activation " + event.activation() + " returned "
                                    + event.text("result") + " after LIMIT_EXCEEDED");
                        }
                    }
                    default -> {
                    }
                }
            }
            return calls == 0 ? Verdict.notExercised(ruleId(), "no call met LIMIT_EXCEEDED")
                    : Verdict.pass(ruleId(), calls + " calls met LIMIT_EXCEEDED; each stopped creating and answered PROCESSING");
        }

        private Verdict fail(RunEvidence evidence, TraceEvent event, String message) {
            return Verdict.fail(ruleId(), message, evidence.excerptEndingAt(event, 5));
        }
    }

    /**
     * CAP-02 (SHOULD): at the limit, acknowledge before create. A call is <i>at the limit</i>
     * when it meets LIMIT_EXCEEDED or a {@code job.create} of it fills the queue to the job
     * limit. Figure: the share of calls at the limit in which, at that moment, jobs that had
     * finished before the call started were still unacknowledged (capacity the call could have
     * freed first). Not exercised when no call reached the limit.
     */
    static final class AcknowledgesBeforeCreating extends ShouldRule {
        AcknowledgesBeforeCreating() {
            super("CAP-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            SystemStateReplay replay = SystemStateReplay.of(evidence);
            int atLimit = 0;
            int withAcknowledgeable = 0;
            boolean counted = false;
            for (TraceEvent event : evidence.events()) {
                boolean reached = switch (event.name()) {
                    case "call.start" -> {
                        counted = false;
                        yield false;
                    }
                    case "changes.rejected" -> event.text("code").equals("LIMIT_EXCEEDED");
                    case "job.create" -> {
                        SystemStateReplay.Moment state = replay.after(event);
                        yield state.jobLimit() > 0 && state.unacknowledged() >= state.jobLimit();
                    }
                    default -> false;
                };
                if (reached && !counted) {
                    counted = true;
                    atLimit++;
                    if (replay.after(event).acknowledgeableAtCallStart() > 0) {
                        withAcknowledgeable++;
                    }
                }
            }
            if (atLimit == 0) {
                return Verdict.notExercised(ruleId(), "no call reached the job limit");
            }
            return Verdict.measured(ruleId(), Figure.ratio("calls at the limit with acknowledgeable jobs pending",
                    withAcknowledgeable, atLimit), withAcknowledgeable + " of " + atLimit
                            + " calls reached the job limit while jobs finished before the call were unacknowledged");
        }
    }

    /**
     * CAP-03 (SHOULD): keep the queue topped up while work remains. At each {@code call.end} of
     * a returned call with consent in place and a backlog (resources in the library since
     * before the call, never uploaded, without a job), the call leaves
     * {@code idle = min(jobLimit − unacknowledged, backlog)} job slots empty that it could have
     * filled. Figure: idle-capacity ratio = Σ idle / Σ jobLimit over those calls. A call whose
     * library answered nothing ({@code library.flaky} mode {@code empty}) is left out: it could not
     * see the backlog. Not exercised when no call returned with a backlog.
     */
    static final class IdleCapacity extends ShouldRule {
        IdleCapacity() {
            super("CAP-03");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            SystemStateReplay replay = SystemStateReplay.of(evidence);
            long idle = 0;
            long slots = 0;
            int calls = 0;
            boolean libraryAnsweredNothing = false;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("call.start")) {
                    libraryAnsweredNothing = false;
                } else if (event.name().equals("library.flaky") && event.text("mode").equals("empty")) {
                    // PhotoKit answered this call's fetchAssets with nothing (library.flaky): the
                    // backlog was invisible to the extension, as it would be on a device, so the
                    // slots it left empty say nothing about how it fills the queue (as RES-01).
                    libraryAnsweredNothing = true;
                }
                if (!event.name().equals("call.end") || libraryAnsweredNothing) {
                    continue;
                }
                SystemStateReplay.Moment state = replay.after(event);
                if (event.text("outcome").equals("returned")
                        && !state.consentWithdrawnDuringCall() && state.jobLimit() > 0) {
                    int backlog = state.backlogSize();
                    if (backlog == 0) {
                        continue;
                    }
                    calls++;
                    idle += Math.min(Math.max(0, state.jobLimit() - state.unacknowledged()), backlog);
                    slots += state.jobLimit();
                }
            }
            if (calls == 0) {
                return Verdict.notExercised(ruleId(), "no call returned while resources waited for a job");
            }
            return Verdict.measured(ruleId(), Figure.ratio("idle capacity", idle, slots), calls
                    + " calls returned while resources waited; " + idle + " of " + slots + " job slots left empty");
        }
    }
}
