package org.upcert.conformance.rules;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/** ACK-01, DUP-01 and E2E-01: judged over the whole run and its end state. */
public final class LivenessCheckers {
    private LivenessCheckers() {
    }

    public static List<RuleChecker> all() {
        return List.of(new EveryFinishedJobAcknowledged(), new NoTwoLiveJobsPerResource(), new EverythingInTheCloud());
    }


    /**
     * ACK-01: every job that reaches succeeded or failed is eventually acknowledged. When the
     * first job left unacknowledged finished after the extension's last call, and that call
     * answered COMPLETED with jobs still in flight, the message says so: after COMPLETED only a
     * library change calls the extension again (reference §5), which on a phone left alone
     * ({@code quiet-phone}) may be days away.
     */
    static final class EveryFinishedJobAcknowledged extends MustRule {
        EveryFinishedJobAcknowledged() {
            super("ACK-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TreeMap<String, TraceEvent> finishedUnacked = new TreeMap<>();
            SystemStateReplay replay = SystemStateReplay.of(evidence);
            int finished = 0;
            TraceEvent lastStart = null;
            TraceEvent lastEnd = null;
            int inFlightAtLastEnd = 0;
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "job.succeeded", "job.failed" -> {
                        finished++;
                        finishedUnacked.put(event.text("job"), event);
                    }
                    // with the fetch-set lag the extension could see the outcome only from its job.visible on
                    case "job.visible" -> {
                        if (!event.text("state").equals("PENDING") && finishedUnacked.containsKey(event.text("job"))) {
                            finishedUnacked.put(event.text("job"), event);
                        }
                    }
                    case "job.ack", "job.retry", "job.cancel" -> finishedUnacked.remove(event.text("job"));
                    case "call.start" -> lastStart = event;
                    case "call.end" -> {
                        lastEnd = event;
                        inFlightAtLastEnd = replay.after(event).inFlight();
                    }
                    default -> {
                    }
                }
            }
            if (finished == 0) {
                return Verdict.notExercised(ruleId(), "no job finished");
            }
            if (!finishedUnacked.isEmpty()) {
                TraceEvent first = finishedUnacked.values().stream().min(java.util.Comparator.comparingInt(TraceEvent::line))
                        .orElseThrow();
                String message = finishedUnacked.size() + " finished jobs never acknowledged by the end of the run, first "
                        + first.text("job");
                boolean noCallAfter = lastStart == null || lastStart.line() < first.line();
                if (noCallAfter && lastEnd != null && lastEnd.text("result").equals("COMPLETED") && inFlightAtLastEnd > 0) {
                    return Verdict.fail(ruleId(), message + ": it finished (showed in the fetch sets) after the last call (activation " + lastEnd.activation()
                            + ") answered COMPLETED with " + inFlightAtLastEnd + " jobs still in flight, and nothing called the "
                            + "extension again (after COMPLETED only a library change does, maybe days later on a phone left "
                            + "alone). Answer PROCESSING while jobs are registered or pending, COMPLETED once they are "
                            + "acknowledged", evidence.excerptEndingAt(lastEnd, 3));
                }
                if (noCallAfter) {
                    message += " (no call came after it finished)";
                }
                return Verdict.fail(ruleId(), message, evidence.excerptEndingAt(first, 3));
            }
            return Verdict.pass(ruleId(), finished + " finished jobs, all acknowledged");
        }
    }

    /**
     * DUP-01: never two unacknowledged jobs for the same resource. Upload jobs and download-only
     * jobs are counted apart: a download-only job has no destination and sends nothing, so an
     * upload job created while it is unacknowledged (the hydrating order: download, then upload)
     * duplicates nothing; two download-only jobs of one resource do. A second job beside one the
     * extension could not know it had ({@link UnseenOrphans}: committed right before a kill, still
     * in flight, before iOS 26.5) is not held against it.
     */
    static final class NoTwoLiveJobsPerResource extends MustRule {
        NoTwoLiveJobsPerResource() {
            super("DUP-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TreeMap<String, String> resourceOfJob = new TreeMap<>();
            TreeMap<String, TreeSet<String>> liveJobs = new TreeMap<>();
            UnseenOrphans orphans = UnseenOrphans.of(evidence);
            int creates = 0;
            int unseen = 0;
            for (TraceEvent event : evidence.events()) {
                String job = event.text("job");
                switch (event.name()) {
                    case "job.create" -> {
                        creates++;
                        String resource = event.text("resource") + (DownloadOnly.is(event) ? " (download-only)" : "");
                        resourceOfJob.put(job, resource);
                        TreeSet<String> live = liveJobs.computeIfAbsent(resource, r -> new TreeSet<>());
                        if (!live.isEmpty() && live.stream().allMatch(open -> orphans.unseen(open, event))) {
                            unseen++; // the live job is one a kill kept the extension from knowing (UnseenOrphans)
                        } else if (!live.isEmpty()) {
                            return Verdict.fail(ruleId(), "created " + job + " for " + resource + " while " + live.first()
                                    + " for it is still unacknowledged", evidence.excerptEndingAt(event, 5));
                        }
                        live.add(job);
                    }
                    case "job.ack", "job.cancel" -> {
                        String resource = resourceOfJob.get(job);
                        if (resource != null) {
                            liveJobs.get(resource).remove(job);
                        }
                    }
                    default -> {
                    }
                }
            }
            return creates == 0 ? Verdict.notExercised(ruleId(), "no job was created")
                    : Verdict.pass(ruleId(), creates + " jobs created, never two live for one resource"
                            + (unseen == 0 ? "" : " but " + unseen + " beside a job a kill right after its commit hid "
                                    + "(no PROCESS set before iOS 26.5)"));
        }
    }

    /**
     * E2E-01: every eligible resource is in the cloud with identical bytes. Judged on the
     * {@link ResourceFates}: the resources the extension had to upload are those in the library
     * at the end, inside its declared scope and under the cloud's request cap; FAIL when any of
     * them is {@link ResourceFates.Fate#LOST} (not in the cloud byte for byte, and not given up
     * after a failure the extension could judge permanent). The message says what happened to
     * the first lost resource, the excerpt ends at the event that decided its loss.
     */
    static final class EverythingInTheCloud extends MustRule {
        EverythingInTheCloud() {
            super("E2E-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            if (evidence.liveResources().isEmpty()) {
                return Verdict.notExercised(ruleId(), "the library was empty");
            }
            ResourceFates fates = ResourceFates.of(evidence);
            java.util.SortedSet<String> required = fates.required(evidence);
            if (required.isEmpty()) {
                return Verdict.notExercised(ruleId(), "no resource of the library was in the declared scope and eligible ("
                        + fates.tally() + ")");
            }
            List<ResourceFates.ResourceFate> lost = fates.lost();
            if (!lost.isEmpty()) {
                ResourceFates.ResourceFate first = lost.get(0);
                List<TraceEvent> events = evidence.events();
                List<TraceEvent> excerpt = first.decidedBy() != null ? evidence.excerptEndingAt(first.decidedBy(), 3)
                        : events.subList(Math.max(0, events.size() - 3), events.size());
                return Verdict.fail(ruleId(), lost.size() + " of " + required.size() + " resources the extension had to upload"
                        + " are not in the cloud with the right bytes; resource " + first.resource() + " lost: " + first.why(),
                        excerpt);
            }
            return Verdict.pass(ruleId(), required.size() + " resources to upload, none lost (" + fates.tally() + ")");
        }
    }
}
