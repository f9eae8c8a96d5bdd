package org.upcert.conformance.rules;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * One run's {@link SystemState} replayed once, event by event, and what the rules that judge a
 * call against the state read from it, kept at the moments they read it: CAP-02, CAP-03, RES-01,
 * RES-02, RES-03, TRM-03 and ACK-01 each replayed the whole trace themselves before (17% of a
 * certification's CPU). A reading of the run's evidence ({@link RunEvidence#derived}): computed
 * the first time a checker asks, shared by every checker after, immutable, and still a pure
 * function of the trace (the checkers read nothing else).
 *
 * <p>The moments, and what each keeps (asking for anything else throws, so that a rule never reads
 * a figure that was not recorded where it asks):
 * <ul>
 *   <li>{@link #after} a {@code call.end}: the job limit, the unacknowledged jobs, those in
 *       flight, whether consent was withdrawn during the call; for a call that returned (or
 *       answered COMPLETED) with consent in place, also the backlog, the known acknowledgeable
 *       jobs and why work remains ({@link ResultRules#remainingWork});
 *   <li>{@link #after} a {@code job.create} or a {@code changes.rejected}: the job limit and the
 *       unacknowledged jobs; at a rejection or a create that filled the queue, also the jobs
 *       acknowledgeable since before the call started;
 *   <li>{@link #beforeCreate} a {@code job.create}: what was true of its resource just before
 *       it (its unacknowledged jobs and their lines, its upload and its acknowledged success).
 * </ul>
 * A rule that needs another reading of the state adds it here, at the moment it reads it.
 */
final class SystemStateReplay {
    /** By the event itself (identity: two events are never confused, whatever their line numbers). */
    private final IdentityHashMap<TraceEvent, Moment> after;
    private final IdentityHashMap<TraceEvent, BeforeCreate> beforeCreate;

    private SystemStateReplay(IdentityHashMap<TraceEvent, Moment> after, IdentityHashMap<TraceEvent, BeforeCreate> beforeCreate) {
        this.after = after;
        this.beforeCreate = beforeCreate;
    }

    /** The replay of {@code evidence}'s run, made once and shared by every checker of the run. */
    static SystemStateReplay of(RunEvidence evidence) {
        return evidence.derived(SystemStateReplay.class, SystemStateReplay::replay);
    }

    private static SystemStateReplay replay(RunEvidence evidence) {
        IdentityHashMap<TraceEvent, Moment> after = new IdentityHashMap<>();
        IdentityHashMap<TraceEvent, BeforeCreate> before = new IdentityHashMap<>();
        SystemState state = new SystemState(evidence);
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("job.create")) {
                before.put(event, BeforeCreate.of(state, event.text("resource")));
            }
            state.apply(event);
            switch (event.name()) {
                case "call.end" -> after.put(event, Moment.atCallEnd(event, state));
                case "job.create", "changes.rejected" -> after.put(event, Moment.atChange(event, state));
                default -> {
                }
            }
        }
        return new SystemStateReplay(after, before);
    }

    /** The state right after {@code event}: a {@code call.end}, {@code job.create} or {@code changes.rejected}. */
    Moment after(TraceEvent event) {
        Moment moment = after.get(event);
        if (moment == null) {
            throw new IllegalArgumentException("the replay keeps no state after " + event.name() + " (line " + event.line() + ")");
        }
        return moment;
    }

    /** What was true of the resource of the {@code job.create} {@code create} just before it. */
    BeforeCreate beforeCreate(TraceEvent create) {
        BeforeCreate moment = beforeCreate.get(create);
        if (moment == null) {
            throw new IllegalArgumentException("the replay keeps no state before " + create.name() + " (line " + create.line() + ")");
        }
        return moment;
    }

    /**
     * The state after one event, with {@link SystemState}'s names and meanings. A figure not kept at
     * this event throws ({@code -1} inside, never read): what costs a walk over jobs or resources is
     * kept only where a rule reads it.
     */
    static final class Moment {
        private final String event;
        private final int jobLimit;
        private final int unacknowledged;
        private final int acknowledgeableAtCallStart;
        private final int inFlight;
        private final int backlogSize;
        private final int knownAcknowledgeable;
        private final boolean consentWithdrawnDuringCall;
        private final String remainingWork;

        private Moment(String event, int jobLimit, int unacknowledged, int acknowledgeableAtCallStart, int inFlight,
                int backlogSize, int knownAcknowledgeable, boolean consentWithdrawnDuringCall, String remainingWork) {
            this.event = event;
            this.jobLimit = jobLimit;
            this.unacknowledged = unacknowledged;
            this.acknowledgeableAtCallStart = acknowledgeableAtCallStart;
            this.inFlight = inFlight;
            this.backlogSize = backlogSize;
            this.knownAcknowledgeable = knownAcknowledgeable;
            this.consentWithdrawnDuringCall = consentWithdrawnDuringCall;
            this.remainingWork = remainingWork;
        }

        /**
         * At a {@code call.end}. The work that remains (the backlog, the known acknowledgeable jobs)
         * is kept only for a call that returned (or answered COMPLETED) with consent in place: the
         * only calls judged on it, and the figures that cost a walk over the waiting resources.
         */
        static Moment atCallEnd(TraceEvent event, SystemState state) {
            boolean consent = state.consentWithdrawnDuringCall();
            boolean judged = !consent && (event.text("outcome").equals("returned") || event.text("result").equals("COMPLETED"));
            return new Moment(event.name(), state.jobLimit(), state.unacknowledged(), -1, state.inFlight(),
                    judged ? state.backlogSize() : -1, judged ? state.knownAcknowledgeable().size() : -1, consent,
                    judged ? ResultRules.remainingWork(state) : null);
        }

        /**
         * At a {@code job.create} or {@code changes.rejected}. The jobs acknowledgeable since before
         * the call are counted (a walk over the unacknowledged jobs) only where the call is at the
         * limit: at a rejection, or at a create that filled the queue.
         */
        static Moment atChange(TraceEvent event, SystemState state) {
            boolean atLimit = event.name().equals("changes.rejected")
                    || (state.jobLimit() > 0 && state.unacknowledged() >= state.jobLimit());
            return new Moment(event.name(), state.jobLimit(), state.unacknowledged(),
                    atLimit ? state.acknowledgeableAtCallStart() : -1, -1, -1, -1, false, null);
        }

        private int kept(int value, String what) {
            if (value < 0) {
                throw new IllegalStateException("the replay keeps no " + what + " after " + event);
            }
            return value;
        }

        private void atCallEnd(String what) {
            if (!event.equals("call.end")) {
                throw new IllegalStateException("the replay keeps no " + what + " after " + event);
            }
        }

        /** {@link SystemState#jobLimit()}. */
        int jobLimit() {
            return jobLimit;
        }

        /** {@link SystemState#unacknowledged()}. */
        int unacknowledged() {
            return unacknowledged;
        }

        /**
         * {@link SystemState#acknowledgeableAtCallStart()}; at a {@code changes.rejected}, or at a
         * {@code job.create} that filled the queue to the job limit.
         */
        int acknowledgeableAtCallStart() {
            return kept(acknowledgeableAtCallStart, "count of jobs acknowledgeable at the call's start");
        }

        /** {@link SystemState#inFlight()}; at every {@code call.end}. */
        int inFlight() {
            return kept(inFlight, "jobs in flight");
        }

        /**
         * {@link SystemState#backlogSize()}; at the {@code call.end} of a call that returned (or
         * answered COMPLETED) with consent in place.
         */
        int backlogSize() {
            return kept(backlogSize, "backlog");
        }

        /** {@code SystemState#knownAcknowledgeable().size()}; where {@link #backlogSize} is kept. */
        int knownAcknowledgeable() {
            return kept(knownAcknowledgeable, "known acknowledgeable jobs");
        }

        /** {@link SystemState#consentWithdrawnDuringCall()}; at every {@code call.end}. */
        boolean consentWithdrawnDuringCall() {
            atCallEnd("consent");
            return consentWithdrawnDuringCall;
        }

        /** {@link ResultRules#remainingWork}: why work remains, or null if none does; where {@link #backlogSize} is kept. */
        String remainingWork() {
            kept(backlogSize, "remaining work");
            return remainingWork;
        }
    }

    /**
     * What was true of one resource just before a {@code job.create} for it, with
     * {@link SystemState}'s names; asking about another resource throws.
     */
    static final class BeforeCreate {
        private final String resource;
        private final List<String> unackedJobs;
        private final int[] createdLines;
        private final int lastSucceededAckLine;
        private final boolean everUploaded;
        private final int uploadedLine;

        private BeforeCreate(String resource, List<String> unackedJobs, int[] createdLines, int lastSucceededAckLine,
                boolean everUploaded, int uploadedLine) {
            this.resource = resource;
            this.unackedJobs = unackedJobs;
            this.createdLines = createdLines;
            this.lastSucceededAckLine = lastSucceededAckLine;
            this.everUploaded = everUploaded;
            this.uploadedLine = uploadedLine;
        }

        private static final int[] NO_LINES = new int[0];

        static BeforeCreate of(SystemState state, String resource) {
            Set<String> open = state.unackedJobsOf(resource);
            List<String> jobs = open.isEmpty() ? List.of() : List.copyOf(open); // in order: SystemState keeps a TreeSet
            int[] created = jobs.isEmpty() ? NO_LINES : new int[jobs.size()];
            for (int i = 0; i < jobs.size(); i++) {
                created[i] = state.createdLine(jobs.get(i));
            }
            return new BeforeCreate(resource, jobs, created, state.lastSucceededAckLine(resource),
                    state.everUploaded(resource), state.uploadedLine(resource));
        }

        private void about(String asked) {
            if (!java.util.Objects.equals(asked, resource)) {
                throw new IllegalArgumentException("the replay keeps " + resource + " before this job.create, not " + asked);
            }
        }

        /** {@link SystemState#unackedJobsOf}: the resource's unacknowledged jobs, in order. */
        List<String> unackedJobsOf(String resource) {
            about(resource);
            return unackedJobs;
        }

        /** {@link SystemState#createdLine} of one of {@link #unackedJobsOf}. */
        int createdLine(String job) {
            int index = unackedJobs.indexOf(job);
            if (index < 0) {
                throw new IllegalArgumentException("the replay keeps the created lines of " + resource
                        + "'s unacknowledged jobs only, not of " + job);
            }
            return createdLines[index];
        }

        /** {@link SystemState#lastSucceededAckLine}. */
        int lastSucceededAckLine(String resource) {
            about(resource);
            return lastSucceededAckLine;
        }

        /** {@link SystemState#everUploaded}. */
        boolean everUploaded(String resource) {
            about(resource);
            return everUploaded;
        }

        /** {@link SystemState#uploadedLine}. */
        int uploadedLine(String resource) {
            about(resource);
            return uploadedLine;
        }
    }
}
