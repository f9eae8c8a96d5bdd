package org.upcert.conformance.rules;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/**
 * The JOB rules (job changes), each judged from the events the job store and the host record:
 * a change the job's state did not allow is a {@code change.dropped} line (the store dropped it at
 * the commit, as PhotoKit gives no change request for a job that cannot be changed), a change
 * outside its block an {@code api.refused} of a {@code JobChanges} call, a nested block a
 * {@code change.nested}.
 *
 * <p>A rule fails only what the extension could have avoided: a drop with {@code cause}
 * {@code extension} (the change was illegal already as the extension last saw the job in that
 * call: its last fetch, with its own committed changes since, or a job it never fetched in the
 * call). A drop with {@code cause} {@code system} (legal at the extension's last fetch; the
 * system moved the job before the commit, e.g. a pending job it cancels succeeded) is reported in
 * the PASS note, never failed. A {@code change.illegal} of the same op (traces before drops
 * existed) is a violation too.
 */
public final class JobRulesChecker {
    private JobRulesChecker() {
    }

    /** JOB-01 … JOB-05. */
    public static List<RuleChecker> all() {
        return List.of(
                new EventRule("JOB-01", "change blocks",
                        e -> e.name().startsWith("changes."),
                        e -> e.name().equals("change.nested") || (e.name().equals("api.refused")
                                && e.text("api").startsWith("JobChanges.") && e.text("reason").contains("outside")),
                        e -> e.name().equals("change.nested") ? "performChanges nested inside a block"
                                : e.text("api") + " called outside its performChanges block"),
                illegal("JOB-02", "acknowledge", "job.ack", "acknowledged a job outside the ACKNOWLEDGE set"),
                illegal("JOB-03", "retry", "job.retry", "retried a job that was not failed, unacknowledged and never retried"),
                illegal("JOB-04", "cancel", "job.cancel", "cancelled a job that was not registered or pending"),
                new RetryOrAcknowledgeNotBoth());
    }

    /** An {@code op} the extension could have known was illegal ({@code change.dropped}, cause extension). */
    private static RuleChecker illegal(String id, String op, String applied, String what) {
        return new IllegalChanges(id, op, applied, what);
    }

    /** JOB-02, JOB-03, JOB-04: the changes of one kind, judged as the extension saw each job. */
    static final class IllegalChanges extends MustRule {
        private final String op;
        private final String applied;
        private final String what;

        IllegalChanges(String id, String op, String applied, String what) {
            super(id);
            this.op = op;
            this.applied = applied;
            this.what = what;
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int exercised = 0;
            int raced = 0;
            TraceEvent firstRace = null;
            for (TraceEvent e : evidence.events()) {
                if (e.name().equals(applied)) {
                    exercised++;
                    continue;
                }
                boolean dropped = e.name().equals("change.dropped") && e.text("op").equals(op);
                if (dropped && e.text("cause").equals("system")) {
                    exercised++;
                    raced++;
                    if (firstRace == null) {
                        firstRace = e;
                    }
                    continue;
                }
                if (dropped || (e.name().equals("change.illegal") && e.text("op").equals(op))) {
                    String seen = dropped ? ", " + e.text("fetched") + " at its last fetch, " + e.text("state") + " at the commit" : "";
                    return Verdict.fail(ruleId(), what + ": " + e.text("job") + " (" + e.text("code") + ": " + e.text("reason")
                            + seen + ")", evidence.excerptEndingAt(e, 5));
                }
            }
            if (exercised == 0) {
                return Verdict.notExercised(ruleId(), "no " + op + " changes");
            }
            String races = raced == 0 ? "" : "; " + raced + " dropped because the system moved the job after the extension's "
                    + "last fetch (not the extension's doing, e.g. " + firstRace.text("job") + " " + firstRace.text("fetched")
                    + " -> " + firstRace.text("state") + ")";
            return Verdict.pass(ruleId(), exercised + " " + op + " changes, no violation" + races);
        }
    }

    /**
     * JOB-05: a failed job is retried or acknowledged in a call, never both. The job store makes
     * the second change illegal once the first is made (a retried job is no longer acknowledgeable,
     * an acknowledged one is gone), so a violation shows as a dropped (or, in older traces,
     * illegal) second change for a job the same call already retried or acknowledged (in an
     * earlier block, or earlier in the same block).
     */
    static final class RetryOrAcknowledgeNotBoth extends MustRule {
        RetryOrAcknowledgeNotBoth() {
            super("JOB-05");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TreeMap<String, String> handledInCall = new TreeMap<>();
            TreeSet<String> offeredForRetry = new TreeSet<>();
            int activation = -1;
            int retries = 0;
            List<TraceEvent> events = evidence.events();
            for (TraceEvent event : events) {
                if (event.activation() != activation) {
                    activation = event.activation();
                    handledInCall.clear();
                    offeredForRetry.clear();
                }
                String job = event.text("job");
                switch (event.name()) {
                    case "job.retry" -> {
                        retries++;
                        if ("acknowledge".equals(handledInCall.put(job, "retry"))) {
                            return fail(evidence, event, job);
                        }
                    }
                    case "job.ack" -> {
                        if (event.text("state").equals("FAILED") && "retry".equals(handledInCall.put(job, "acknowledge"))) {
                            return fail(evidence, event, job);
                        }
                    }
                    case "fetch.jobs" -> {
                        if (event.text("action").equals("RETRY")) {
                            event.fields().path("jobs").forEach(id -> offeredForRetry.add(id.asText()));
                        }
                    }
                    case "change.illegal", "change.dropped" -> {
                        if (event.name().equals("change.dropped") && event.text("cause").equals("system")) {
                            break; // the system moved the job: not the extension's doing
                        }
                        String op = event.text("op");
                        // A job offered for retry that is REGISTERED when acknowledged was retried
                        // earlier in the same block: nothing else moves a failed job during a call.
                        boolean retriedInBlock = op.equals("acknowledge") && offeredForRetry.contains(job)
                                && event.text("reason").endsWith("is REGISTERED");
                        if (retriedInBlock
                                || (op.equals("acknowledge") && "retry".equals(handledInCall.get(job)))
                                || (op.equals("retry") && "acknowledge".equals(handledInCall.get(job)))) {
                            return fail(evidence, event, job);
                        }
                    }
                    default -> {
                    }
                }
            }
            return retries == 0 ? Verdict.notExercised(ruleId(), "no failed job was retried")
                    : Verdict.pass(ruleId(), retries + " retries, none also acknowledged in the same call");
        }

        private Verdict fail(RunEvidence evidence, TraceEvent event, String job) {
            return Verdict.fail(ruleId(), job + " was both retried and acknowledged in activation " + event.activation(),
                    evidence.excerptEndingAt(event, 5));
        }
    }
}
