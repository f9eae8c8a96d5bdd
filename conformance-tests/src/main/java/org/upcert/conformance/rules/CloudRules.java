package org.upcert.conformance.rules;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cloud.CloudInventory;

/** The CLD rules (cloud protocol). */
public final class CloudRules {
    private CloudRules() {
    }

    /** CLD-01, CLD-02. */
    public static List<RuleChecker> all() {
        return List.of(new TwoPhaseUploadsCommittedOnce(), new NilResourceJobsAcknowledged());
    }

    /**
     * CLD-01: response headers are read by lowercase name; for two-phase dialects (upload, then
     * commit: Google Photos' upload token and {@code batchCreate}) every succeeded upload is
     * committed exactly once. The host watches the extension's lookups in
     * {@code responseHeaderFields}: each call's count is on {@code call.end} ({@code headers}) and
     * a lookup by a name that is not lowercase is a {@code header.case} event. <em>Exercised</em>
     * by any header lookup, or by a two-phase upload. <em>Violated</em> when:
     * <ul>
     *   <li>the extension looked a header up by a name that is not lowercase (the first
     *       {@code header.case}): on a device it finds nothing;
     *   <li>an upload was committed twice (the cloud holds two commits of one upload);
     *   <li>an upload the cloud had committed was sent to commit again (the cloud refused it as
     *       {@code already committed}) although the extension could know the first commit went
     *       through: the request that committed it was answered 2xx and the call that sent it
     *       returned normally (time to record the outcome durably). A second commit attempt is
     *       the mistake, whether or not the cloud refuses it: a service without that refusal
     *       would hold a duplicate. Excused, and counted in the message: a first commit whose
     *       answer was lost (the extension's request failed), or whose call was killed, crashed
     *       or threw before returning — the extension cannot know then, and the service's
     *       idempotent refusal is the designed outcome; and a first commit whose answer no write
     *       could record ({@link Unrecordable}: a lock that began after the request went out and
     *       outlasted the process that got the answer), repeated by a later process;
     *   <li>more uploads stayed uncommitted than the device never saw succeed. Only uploads the
     *       device saw succeed must be committed: an upload whose response was lost (a
     *       {@code fault.fire} of {@code network.response-lost} on a transfer) reached the cloud
     *       but failed on the phone, and its token never reached the extension. Only uploads of
     *       the account's current stay on the server count (a change of server, {@code host.server}):
     *       one the server received in an earlier stay, left uncommitted when the account moved
     *       away, is excused and counted in the message, as duplicates are counted per stay (an
     *       extension need not keep what it did on a server for a move back; the uploads left on a
     *       server the account left for good are not in the run's inventory at all).
     * </ul>
     * The commit counts are judged on the end state (the excerpt is the end of the trace); a
     * repeated commit at the extension's request that sent it again.
     */
    static final class TwoPhaseUploadsCommittedOnce extends MustRule {
        TwoPhaseUploadsCommittedOnce() {
            super("CLD-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            long lookups = 0;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("header.case")) {
                    return Verdict.fail(ruleId(), "looked up response header '" + event.text("name") + "' of " + event.text("job")
                            + " by a name that is not lowercase: the system presents lowercase names, so it finds nothing",
                            evidence.excerptEndingAt(event, 5));
                }
                if (event.name().equals("call.end")) {
                    lookups += event.number("headers");
                }
            }
            TreeMap<String, Integer> commits = evidence.inventory().commitsByUpload();
            if (commits.isEmpty()) {
                return lookups == 0 ? Verdict.notExercised(ruleId(), "no response header was looked up and no two-phase upload was made")
                        : Verdict.pass(ruleId(), lookups + " response-header lookups, every one by lowercase name (cloud "
                                + evidence.cloud() + " has no commit step)");
            }
            List<TraceEvent> events = evidence.events();
            List<TraceEvent> end = events.subList(Math.max(0, events.size() - 3), events.size());
            for (Map.Entry<String, Integer> entry : commits.entrySet()) {
                if (entry.getValue() > 1) {
                    return Verdict.fail(ruleId(), "upload " + entry.getKey() + " was committed " + entry.getValue() + " times", end);
                }
            }
            RepeatedCommits repeats = RepeatedCommits.of(evidence);
            if (repeats.violation != null) {
                return repeats.violation;
            }
            int refusedAgain = repeats.excused;
            int lostResponses = 0;
            for (TraceEvent event : events) {
                if (event.name().equals("fault.fire") && event.text("kind").equals("network.response-lost")
                        && event.text("on").equals("transfer")) {
                    lostResponses++;
                }
            }
            TreeSet<String> uncommitted = new TreeSet<>();
            int earlierStay = 0;
            for (Map.Entry<String, Integer> entry : commits.entrySet()) {
                if (entry.getValue() == 0) {
                    if (evidence.inventory().stayOf(entry.getKey()) < evidence.inventory().stay()) {
                        earlierStay++; // received before the account last moved here: it moved away first
                    } else {
                        uncommitted.add(entry.getKey());
                    }
                }
            }
            if (uncommitted.size() > lostResponses) {
                return Verdict.fail(ruleId(), (uncommitted.size() - lostResponses) + " succeeded uploads never committed ("
                        + uncommitted.size() + " uncommitted, " + lostResponses + " of them may be lost responses), first token "
                        + uncommitted.first(), end);
            }
            return Verdict.pass(ruleId(), lookups + " header lookups by lowercase name; " + commits.size()
                    + " two-phase uploads, every one the device saw succeed committed once"
                    + (uncommitted.isEmpty() ? "" : " (" + uncommitted.size() + " lost-response uploads uncommitted)")
                    + (earlierStay == 0 ? "" : "; " + earlierStay + " uploads received in an earlier stay of the account on "
                            + "this server left uncommitted (it moved away)")
                    + (refusedAgain == 0 ? "" : "; " + refusedAgain + " repeated commits refused as already committed, "
                            + "each after a first commit whose answer was lost, whose call did not return, or whose answer the "
                            + "app group refused every write from until its process ended"));
        }

        /** The repeated commits of a run: the first the extension could have avoided (a FAIL), or how many were excused. */
        private record RepeatedCommits(Verdict violation, int excused) {
            static RepeatedCommits of(RunEvidence evidence) {
                TreeMap<String, Long> committedAt = new TreeMap<>();
                List<CloudInventory.CommitAttempt> repeats = new java.util.ArrayList<>();
                for (CloudInventory.CommitAttempt attempt : evidence.inventory().commitAttempts()) {
                    if (attempt.refusal() == null) {
                        committedAt.putIfAbsent(attempt.uploadId(), attempt.t());
                    } else if (attempt.refusal().startsWith("already committed") && committedAt.containsKey(attempt.uploadId())) {
                        repeats.add(attempt);
                    }
                }
                if (repeats.isEmpty()) {
                    return new RepeatedCommits(null, 0);
                }
                // The extension's commit requests by virtual time (a request's time is the cloud's), and how their calls ended.
                TreeMap<Long, TraceEvent> requestAt = new TreeMap<>();
                TreeMap<Long, TraceEvent> callEndOf = new TreeMap<>();
                List<Long> inCall = new java.util.ArrayList<>();
                Unrecordable unrecordable = new Unrecordable();
                for (TraceEvent event : evidence.events()) {
                    unrecordable.see(event);
                    if (event.name().equals("call.start")) {
                        inCall.clear();
                    } else if (isCommit(event)) {
                        requestAt.put(event.t(), event);
                        inCall.add(event.t());
                    } else if (event.name().equals("call.end")) {
                        for (long t : inCall) {
                            callEndOf.put(t, event);
                        }
                        inCall.clear();
                    }
                }
                int excused = 0;
                for (CloudInventory.CommitAttempt repeat : repeats) {
                    long first = committedAt.get(repeat.uploadId());
                    TraceEvent request = requestAt.get(first);
                    TraceEvent end = callEndOf.get(first);
                    boolean answered = request != null && request.fields().has("status")
                            && request.number("status") >= 200 && request.number("status") < 300;
                    boolean returned = end != null && end.text("outcome").equals("returned");
                    if (!answered || !returned) {
                        excused++;
                        continue;
                    }
                    Long processEnded = unrecordable.processEndOf.get(first);
                    if (processEnded != null && repeat.t() > processEnded) {
                        excused++; // its answer could be kept nowhere durable, and the process ended before it could be
                        continue;
                    }
                    TraceEvent again = requestAt.get(repeat.t());
                    List<TraceEvent> excerpt = again != null ? evidence.excerptEndingAt(again, 5)
                            : evidence.excerptEndingAt(request, 5);
                    return new RepeatedCommits(Verdict.fail("CLD-01", "upload " + repeat.uploadId() + " was sent to commit "
                            + "again at t=" + repeat.t() + " ms (refused: already committed), although its commit at t=" + first
                            + " ms was answered " + request.number("status") + " in activation " + end.activation()
                            + ", which returned normally: the extension knew it had gone through. Record each commit's "
                            + "outcome durably (the app group) before the call returns, and never commit a token twice",
                            excerpt), excused);
                }
                return new RepeatedCommits(null, excused);
            }
        }

        private static boolean isCommit(TraceEvent event) {
            return event.name().equals("http") && event.text("url").contains("mediaItems:batchCreate");
        }

        /**
         * The 2xx commits whose answer no extension could record: the app group took writes when the
         * commit's call made its API call before the request (the extension could not see a lock
         * coming), refused every write from the answer on ({@code host.filelock}, or the device's
         * {@code device.locked}, traced before the extension's next API call or its return), and
         * went on refusing them until the process that received the answer ended
         * ({@code process.exit}), or stopped refusing only while no call of that process ran. A
         * relaunched process finds no record of such a commit, and the
         * service offers no way to ask whether an upload token was committed (Google Photos:
         * {@code batchCreate} only, appendonly scope): sending it again is the only way to learn.
         * A lock already in force before the request (the extension could have written a line
         * first and seen it refused), a lock that ended while the process lived and then ran a call
         * (it could record the answer then), or a repeat by the same process (it knew) stay FAILs.
         */
        private static final class Unrecordable {
            /** Each such commit's time, with when its process ended. */
            final TreeMap<Long, Long> processEndOf = new TreeMap<>();
            private boolean hostLock;
            private boolean deviceLock;
            /** Whether writes were refused when the call made its latest API call (or began). */
            private boolean refusedAtLastCall;
            /** A 2xx commit judged at the call's next API call or its end: were writes refused by then? */
            private Long awaiting;
            /** Commits whose process has had every write refused since their answer. */
            private final List<Long> held = new java.util.ArrayList<>();

            private boolean refused() {
                return hostLock || deviceLock;
            }

            void see(TraceEvent event) {
                switch (event.name()) {
                    case "host.filelock" -> hostLock = true;
                    case "host.fileunlock" -> hostLock = false;
                    case "device.locked" -> deviceLock = true;
                    case "device.unlock" -> deviceLock = false;
                    case "call.start" -> {
                        refusedAtLastCall = refused();
                        awaiting = null;
                    }
                    case "call.end" -> judgeAwaiting();
                    case "process.exit" -> {
                        for (long t : held) {
                            processEndOf.put(t, event.t());
                        }
                        held.clear();
                    }
                    default -> {
                        if (event.fields().has("n")) { // an API call of the extension (or what it met inside one)
                            judgeAwaiting();
                            if (isCommit(event) && !refusedAtLastCall && event.fields().has("status")
                                    && event.number("status") >= 200 && event.number("status") < 300) {
                                awaiting = event.t();
                            }
                            refusedAtLastCall = refused();
                        }
                    }
                }
                if (!refused() && (event.name().equals("call.start") || event.fields().has("n"))) {
                    // writes possible again while the process lives and the extension runs (a call begins, or it makes
                    // an API call): it could record the answer now. A lock that ends while no call runs gives it no
                    // such chance before the process ends (the app updated 10 s after the unlock, between two calls).
                    held.clear();
                }
            }

            private void judgeAwaiting() {
                if (awaiting != null && refused()) {
                    held.add(awaiting);
                }
                awaiting = null;
            }
        }
    }

    /**
     * CLD-02: a terminal job with no {@code resource} (the real-device quirk of the
     * {@code device-quirks-26x} profile, {@code nilResourceOnTerminalJobs} in the header's
     * policy: succeeded jobs and failed jobs whose retry is spent) is still identified and
     * acknowledged; and so is a job created before an OS upgrade to iOS 27 ({@code os.upgrade}),
     * for which {@code assetResource(forUploadJob:)} aborts the process (YAIIU #80): it must be
     * identified from its destination or a stored id. The quirk follows the OS level: an
     * {@code os.upgrade} line that switches {@code nilResourceOnTerminalJobs} ends it (or starts
     * it) from there. <em>Exercised</em> by a job that finished without a resource, or by jobs
     * created under 26.x still unacknowledged at the upgrade to 27. <em>Violated</em> by:
     * <ul>
     *   <li>{@code assetResource(forUploadJob:)} asked for a job created before the upgrade (the
     *       {@code api.abort}: the process crashed);
     *   <li>a new job for a resource whose job already succeeded without a resource: the
     *       extension did not recognise the finished job and uploads again (at that
     *       {@code job.create});
     *   <li>at the end of the run, such a job, or a job from before the upgrade to 27, never
     *       acknowledged.
     * </ul>
     */
    static final class NilResourceJobsAcknowledged extends MustRule {
        NilResourceJobsAcknowledged() {
            super("CLD-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            boolean quirk = evidence.header() != null
                    && evidence.header().path("policy").path("nilResourceOnTerminalJobs").asBoolean(false);
            boolean everQuirk = quirk;
            TreeMap<String, String> resourceOfJob = new TreeMap<>();
            TreeSet<String> retried = new TreeSet<>();
            TreeMap<String, TraceEvent> hiddenUnacked = new TreeMap<>();
            TreeMap<String, String> uploadedBy = new TreeMap<>(); // resource -> hidden succeeded job
            TreeSet<String> open = new TreeSet<>(); // jobs created and not yet acknowledged or cancelled
            TreeMap<String, TraceEvent> legacyUnacked = new TreeMap<>(); // created under 26.x, open at the upgrade to 27
            int hidden = 0;
            int legacy = 0;
            ServerChanges.AsOfNow server = new ServerChanges.AsOfNow();
            TreeMap<String, TraceEvent> attemptOf = new TreeMap<>(); // job -> its latest create or retry
            for (TraceEvent event : evidence.events()) {
                String job = event.text("job");
                if (server.see(event)) {
                    // host.server: duplicates are counted per tenure: what the old server holds is not uploaded on
                    // the new one, and an extension cannot know what a server it returns to holds
                    uploadedBy.clear();
                }
                switch (event.name()) {
                    case "os.upgrade" -> {
                        if (event.fields().has("nilResourceOnTerminalJobs")) {
                            quirk = event.fields().path("nilResourceOnTerminalJobs").asBoolean();
                            everQuirk |= quirk;
                        }
                        if (event.text("to").equals("27") && !event.fields().has("skipped")) {
                            for (String id : open) {
                                legacyUnacked.put(id, event);
                            }
                            legacy += open.size();
                        }
                    }
                    case "api.abort" -> {
                        return Verdict.fail(ruleId(), "asked assetResource(forUploadJob:) for " + job + ", created under iOS "
                                + event.text("origin") + " before the OS upgrade: on iOS 27 that aborts the process (YAIIU #80);"
                                + " identify such a job from its destination or a stored id", evidence.excerptEndingAt(event, 5));
                    }
                    case "job.create" -> {
                        String resource = event.text("resource");
                        resourceOfJob.put(job, resource);
                        attemptOf.put(job, event);
                        open.add(job);
                        String earlier = uploadedBy.get(resource);
                        if (earlier != null && !DownloadOnly.is(event)) {
                            return Verdict.fail(ruleId(), "created " + job + " for " + resource + " although " + earlier
                                    + " (no resource) already uploaded it to this server: that job's success was not"
                                    + " recognised (identify a finished job from its destination or a stored id), or a"
                                    + " photo the server holds was uploaded again", evidence.excerptEndingAt(event, 5));
                        }
                    }
                    case "job.retry" -> {
                        retried.add(job);
                        TraceEvent before = attemptOf.get(job);
                        attemptOf.put(job, event.fields().has("url") || before == null ? event : before);
                    }
                    case "job.succeeded" -> {
                        if (quirk) {
                            hidden++;
                            hiddenUnacked.put(job, event);
                            String resource = resourceOfJob.get(job);
                            TraceEvent attempt = attemptOf.get(job);
                            boolean counts = attempt == null || server.counts(attempt.text("url"));
                            if (resource != null && !DownloadOnly.is(event) && counts) { // a download-only success uploaded nothing
                                uploadedBy.put(resource, job);
                            }
                        }
                    }
                    case "job.failed" -> {
                        if (quirk && retried.contains(job)) {
                            hidden++;
                            hiddenUnacked.put(job, event);
                        }
                    }
                    case "job.ack", "job.cancel" -> {
                        hiddenUnacked.remove(job);
                        legacyUnacked.remove(job);
                        open.remove(job);
                    }
                    default -> {
                    }
                }
            }
            if (hidden == 0 && legacy == 0) {
                return Verdict.notExercised(ruleId(), everQuirk ? "no job ended without its resource"
                        : "the system gave every job its resource (no nil-resource quirk) and no job outlived an upgrade to iOS 27");
            }
            if (!hiddenUnacked.isEmpty()) {
                TraceEvent first = hiddenUnacked.values().stream().min((a, b) -> Integer.compare(a.line(), b.line())).orElseThrow();
                return Verdict.fail(ruleId(), hiddenUnacked.size() + " finished jobs without a resource never acknowledged, first "
                        + first.text("job") + " (" + resourceOfJob.getOrDefault(first.text("job"), "?") + ")",
                        evidence.excerptEndingAt(first, 5));
            }
            if (!legacyUnacked.isEmpty()) {
                java.util.Map.Entry<String, TraceEvent> first = legacyUnacked.firstEntry();
                return Verdict.fail(ruleId(), legacyUnacked.size() + " jobs created before the upgrade to iOS 27 never acknowledged,"
                        + " first " + first.getKey() + " (" + resourceOfJob.getOrDefault(first.getKey(), "?") + ")",
                        evidence.excerptEndingAt(first.getValue(), 5));
            }
            List<String> parts = new java.util.ArrayList<>();
            if (hidden > 0) {
                parts.add(hidden + " finished jobs without a resource");
            }
            if (legacy > 0) {
                parts.add(legacy + " jobs from before the upgrade to iOS 27");
            }
            return Verdict.pass(ruleId(), String.join(" and ", parts) + ", all identified and acknowledged");
        }
    }
}
