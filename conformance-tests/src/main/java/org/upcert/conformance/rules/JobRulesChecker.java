package org.upcert.conformance.rules;

import java.util.ArrayList;
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

    /** JOB-05: a failed job is retried or acknowledged in a call, never both. */
    static final class RetryOrAcknowledgeNotBoth implements RuleChecker {
        @Override
        public String ruleId() {
            return "JOB-05";
        }

        @Override
        public boolean must() {
            return true;
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TreeMap<Integer, TreeSet<String>> retriedIn = new TreeMap<>();
            int retries = 0;
            List<TraceEvent> acks = new ArrayList<>();
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("job.retry")) {
                    retries++;
                    retriedIn.computeIfAbsent(event.activation(), a -> new TreeSet<>()).add(event.text("job"));
                } else if (event.name().equals("job.ack") && event.text("state").equals("FAILED")) {
                    acks.add(event);
                }
            }
            for (TraceEvent ack : acks) {
                if (retriedIn.getOrDefault(ack.activation(), new TreeSet<>()).contains(ack.text("job"))) {
                    return Verdict.fail(ruleId(), ack.text("job") + " was retried and acknowledged in activation "
                            + ack.activation(), evidence.excerptEndingAt(ack, 5));
                }
            }
            return retries == 0 ? Verdict.notExercised(ruleId(), "no failed job was retried")
                    : Verdict.pass(ruleId(), retries + " retries, none also acknowledged in the same call");
        }
    }
}
