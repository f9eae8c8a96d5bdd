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
                illegal("JOB-02", "acknowledge", "acknowledged a job outside the ACKNOWLEDGE set"),
                illegal("JOB-03", "retry", "retried a job that was not failed, unacknowledged and never retried"),
                illegal("JOB-04", "cancel", "cancelled a job that was not registered or pending"),
                new JobChangesInsideBlocks(),
                new RetryOrAcknowledgeNotBoth());
    }

    private static RuleChecker illegal(String id, String op, String what) {
        return new RuleChecker() {
            @Override
            public String ruleId() {
                return id;
            }

            @Override
            public boolean must() {
                return true;
            }

            @Override
            public Verdict check(RunEvidence evidence) {
                int applied = 0;
                String done = op.equals("acknowledge") ? "job.ack" : "job." + op;
                for (TraceEvent event : evidence.events()) {
                    if (event.name().equals("change.illegal") && event.text("op").equals(op)) {
                        return Verdict.fail(id, what + ": " + event.text("job") + " (" + event.text("code") + ": "
                                + event.text("reason") + ")", evidence.excerptEndingAt(event, 5));
                    }
                    if (event.name().equals(done)) {
                        applied++;
                    }
                }
                return applied == 0 ? Verdict.notExercised(id, "no " + op + " was made")
                        : Verdict.pass(id, applied + " " + op + " changes, all legal");
            }
        };
    }

    /** JOB-01: changes only inside {@code performChanges}; blocks never nested. */
    static final class JobChangesInsideBlocks implements RuleChecker {
        @Override
        public String ruleId() {
            return "JOB-01";
        }

        @Override
        public boolean must() {
            return true;
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int blocks = 0;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("change.nested")) {
                    return Verdict.fail(ruleId(), "performChanges nested inside a block", evidence.excerptEndingAt(event, 5));
                }
                if (event.name().equals("api.refused") && event.text("api").startsWith("JobChanges.")
                        && event.text("reason").contains("outside")) {
                    return Verdict.fail(ruleId(), event.text("api") + " called outside its performChanges block",
                            evidence.excerptEndingAt(event, 5));
                }
                if (event.name().startsWith("changes.")) {
                    blocks++;
                }
            }
            return blocks == 0 ? Verdict.notExercised(ruleId(), "no performChanges block")
                    : Verdict.pass(ruleId(), blocks + " blocks, none nested, no change outside a block");
        }
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
