package org.upcert.conformance.rules;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/**
 * The JOB rules (job changes), each judged from the events the job store and the host record:
 * an illegal change is a {@code change.illegal} line (the store rejected it the way PhotoKit
 * does), a change outside its block an {@code api.refused} of a {@code JobChanges} call, a nested
 * block a {@code change.nested}.
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

    /** The job store rejected an {@code op} as illegal (a {@code change.illegal} line). */
    private static RuleChecker illegal(String id, String op, String applied, String what) {
        return new EventRule(id, op + " changes",
                e -> e.name().equals(applied),
                e -> e.name().equals("change.illegal") && e.text("op").equals(op),
                e -> what + ": " + e.text("job") + " (" + e.text("code") + ": " + e.text("reason") + ")");
    }

    /**
     * JOB-05: a failed job is retried or acknowledged in a call, never both. The job store makes
     * the second change illegal once the first is made (a retried job is no longer acknowledgeable,
     * an acknowledged one is gone), so a violation shows as an illegal second change for a job the
     * same call already retried or acknowledged (in an earlier block, or earlier in the same block).
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
                    case "change.illegal" -> {
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
