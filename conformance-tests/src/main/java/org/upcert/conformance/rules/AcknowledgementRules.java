package org.upcert.conformance.rules;

import java.util.List;
import java.util.TreeMap;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;

/** ACK-03 (ACK-01 is in {@link LivenessCheckers}, ACK-02 in {@link CallRulesChecker}). */
public final class AcknowledgementRules {
    private AcknowledgementRules() {
    }

    /** ACK-03. */
    public static List<RuleChecker> all() {
        return List.of(new OutcomeStoredBeforeAcknowledge());
    }

    /**
     * ACK-03 (SHOULD, a figure): an outcome is stored durably before its job is acknowledged
     * (the job record disappears once acknowledged, and with it the server id in its response
     * headers).
     *
     * <p>What the trace can show, and so what is measured: for each {@code job.ack} of a
     * succeeded or failed job, whether the extension wrote to app-group storage
     * ({@code storage.write} or {@code storage.append}) after the job finished and before the
     * change block that acknowledged it committed — in the same call or an earlier one (a call
     * killed after storing its outcomes leaves the acknowledgement to the next). Figure: acknowledgements <em>without</em> such
     * a write ÷ all acknowledgements of finished jobs (0% is best). It is a necessary condition,
     * not proof: the trace shows that something was written, not that it was this job's outcome
     * (the bytes written are the extension's own format), and it says nothing of whether a kill
     * between the write and the acknowledgement would leave a consistent state — the
     * {@code hard-kills} profile and TRM-03/E2E-01 judge that by its effects. An extension that
     * keeps no record at all scores 100%. <em>Exercised</em> by at least one acknowledgement of a
     * finished job; NOT_EXERCISED otherwise. Never FAIL.
     */
    static final class OutcomeStoredBeforeAcknowledge extends ShouldRule {
        OutcomeStoredBeforeAcknowledge() {
            super("ACK-03");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TreeMap<String, Integer> finishedAt = new TreeMap<>(); // job -> index of job.succeeded/failed
            int lastWrite = -1; // index of the last storage write
            int blockCommit = -1; // index of the changes.commit the job.* lines belong to
            int acknowledged = 0;
            int unrecorded = 0;
            String first = null;
            List<TraceEvent> events = evidence.events();
            for (int i = 0; i < events.size(); i++) {
                TraceEvent event = events.get(i);
                switch (event.name()) {
                    case "job.succeeded", "job.failed" -> finishedAt.put(event.text("job"), i);
                    // with the fetch-set lag the extension learns the outcome when it shows, not before
                    case "job.visible" -> {
                        if (finishedAt.containsKey(event.text("job")) && !event.text("state").equals("PENDING")) {
                            finishedAt.put(event.text("job"), i);
                        }
                    }
                    case "storage.write", "storage.append" -> lastWrite = i;
                    case "changes.commit" -> blockCommit = i;
                    case "job.ack" -> {
                        Integer finished = finishedAt.remove(event.text("job"));
                        if (finished == null) {
                            continue;
                        }
                        acknowledged++;
                        if (!(lastWrite > finished && lastWrite < blockCommit)) {
                            unrecorded++;
                            if (first == null) {
                                first = event.text("job") + " in activation " + event.activation();
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            if (acknowledged == 0) {
                return Verdict.notExercised(ruleId(), "no finished job was acknowledged");
            }
            return Verdict.measured(ruleId(), Figure.ratio("acknowledged without a write before", unrecorded, acknowledged),
                    unrecorded + " of " + acknowledged + " acknowledgements of finished jobs came without a storage write"
                            + " between the job finishing and the acknowledgement"
                            + (first == null ? "" : ", first " + first));
        }
    }
}
