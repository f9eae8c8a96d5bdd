package org.upcert.conformance.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/**
 * The CNS rules (consent). Consent is withdrawn while a planned {@code consent.access} fault
 * with a status other than {@code AUTHORIZED} (limited, denied, not determined) or a
 * {@code consent.disabled} fault is open: from its {@code fault.start} to its {@code fault.end}
 * or the {@code phase.recovery} that closes every fault. The fault's status is read from the
 * plan in the trace header ({@code plan.faults[fault]}).
 */
public final class ConsentRules {
    private ConsentRules() {
    }

    /** CNS-01, CNS-02. */
    public static List<RuleChecker> all() {
        return List.of(new NothingCreatedWithoutConsent(), new BackupResumesWithConsent());
    }

    /** Follows the trace and says whether consent is withdrawn at the event last seen. */
    static final class Tracker {
        private final JsonNode faults;
        private final TreeSet<Long> open = new TreeSet<>();
        private int withdrawals;
        private TraceEvent lastRestored;

        Tracker(RunEvidence evidence) {
            this.faults = evidence.header() == null ? null : evidence.header().path("plan").path("faults");
        }

        /** Updates the state with {@code event}; returns true if it restored consent. */
        boolean see(TraceEvent event) {
            switch (event.name()) {
                case "fault.start" -> {
                    if (withdraws(event)) {
                        if (open.isEmpty()) {
                            withdrawals++;
                        }
                        open.add(event.number("fault"));
                    }
                }
                case "fault.end" -> {
                    if (open.remove(event.number("fault")) && open.isEmpty()) {
                        lastRestored = event;
                        return true;
                    }
                }
                case "phase.recovery" -> {
                    if (!open.isEmpty()) {
                        open.clear();
                        lastRestored = event;
                        return true;
                    }
                }
                default -> {
                }
            }
            return false;
        }

        private boolean withdraws(TraceEvent event) {
            String kind = event.text("kind");
            if (kind.equals("consent.disabled") || kind.equals("host.signout")) {
                return true; // the host app disables the extension on sign-out (reference §3)
            }
            if (!kind.equals("consent.access")) {
                return false;
            }
            String status = faults == null ? "" : faults.path((int) event.number("fault")).path("status").asText();
            return !status.equalsIgnoreCase("AUTHORIZED");
        }

        boolean withdrawn() {
            return !open.isEmpty();
        }

        /** How many times consent went from given to withdrawn. */
        int withdrawals() {
            return withdrawals;
        }

        /** The event that last gave consent back; null if it never came back (or never left). */
        TraceEvent lastRestored() {
            return lastRestored;
        }
    }

    /**
     * CNS-01: no job is created without full library access and an enabled extension; presented
     * jobs are still acknowledged. <em>Exercised</em> by a call of {@code processJobs} that
     * starts, or is running, while consent is withdrawn. <em>Violated</em> only by what the
     * extension could have avoided, judged on consent <em>at the start of the call</em> (what the
     * extension reads first): a {@code job.create} committed, or a creation the system refused for
     * consent ({@code change.illegal}, {@code ACCESS_USER_DENIED}), while consent is withdrawn and
     * was withdrawn already when the call started; and a 50008 penalty ({@code system.penalty})
     * after a call that started without consent: presented jobs left unacknowledged. Consent
     * withdrawn during a call, after the extension checked it, refuses the creation (nothing is
     * created) but is no violation: the extension could not have known.
     */
    static final class NothingCreatedWithoutConsent extends MustRule {
        NothingCreatedWithoutConsent() {
            super("CNS-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            Tracker consent = new Tracker(evidence);
            int calls = 0;
            boolean inCall = false;
            boolean countedThisCall = false;
            boolean lastCallWithoutConsent = false;
            boolean withdrawnAtStart = false;
            int raced = 0;
            for (TraceEvent event : evidence.events()) {
                consent.see(event);
                switch (event.name()) {
                    case "call.start" -> {
                        inCall = true;
                        countedThisCall = false;
                        withdrawnAtStart = consent.withdrawn();
                    }
                    case "call.end" -> {
                        inCall = false;
                        lastCallWithoutConsent = withdrawnAtStart;
                    }
                    case "job.create" -> {
                        if (consent.withdrawn() && withdrawnAtStart) {
                            return fail(evidence, event, "created " + event.text("job") + " for " + event.text("resource")
                                    + " while consent was withdrawn (since before the call started)");
                        }
                    }
                    case "change.illegal" -> {
                        if (event.text("op").equals("create") && event.text("code").equals("ACCESS_USER_DENIED")) {
                            if (!withdrawnAtStart) {
                                raced++; // withdrawn during the call: the system refused it, nothing to blame
                                break;
                            }
                            return fail(evidence, event, "tried to create " + event.text("job") + " without consent, "
                                    + "withdrawn already when the call started (" + event.text("reason") + ")");
                        }
                    }
                    case "system.penalty" -> {
                        if (lastCallWithoutConsent) {
                            return fail(evidence, event, "a call without consent left " + event.number("outstanding")
                                    + " presented jobs unacknowledged (50008)");
                        }
                    }
                    default -> {
                    }
                }
                if (inCall && !countedThisCall && consent.withdrawn()) {
                    countedThisCall = true;
                    calls++;
                }
            }
            if (calls == 0) {
                return Verdict.notExercised(ruleId(), "no call ran while consent was withdrawn");
            }
            return Verdict.pass(ruleId(), calls + " calls ran without consent; nothing created, presented jobs acknowledged"
                    + (raced == 0 ? "" : "; " + raced + " creations refused because consent was withdrawn during the call "
                            + "(after it started: not the extension's doing)"));
        }

        private Verdict fail(RunEvidence evidence, TraceEvent event, String message) {
            return Verdict.fail(ruleId(), message, evidence.excerptEndingAt(event, 5));
        }
    }

    /**
     * CNS-02 (liveness, judged at the end of the run, after the recovery phase): when consent
     * returns, the backup resumes and converges. <em>Exercised</em> when consent was withdrawn
     * and given back. <em>Violated</em> when, at the end, a resource is
     * {@link ResourceFates.Fate#LOST} (in the library, in the declared scope, eligible, not in
     * the cloud and not given up after a permanent failure: it needed an upload when consent came
     * back); the excerpt ends at the last restoration of consent.
     */
    static final class BackupResumesWithConsent extends MustRule {
        BackupResumesWithConsent() {
            super("CNS-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            Tracker consent = new Tracker(evidence);
            evidence.events().forEach(consent::see);
            TraceEvent restored = consent.lastRestored();
            if (restored == null) {
                return Verdict.notExercised(ruleId(), "consent was never withdrawn and given back");
            }
            ResourceFates fates = ResourceFates.of(evidence);
            List<ResourceFates.ResourceFate> lost = fates.lost();
            if (!lost.isEmpty()) {
                return Verdict.fail(ruleId(), "after consent came back (t=" + restored.t() / 1000 + " s) the backup did not converge: "
                        + lost.size() + " resources lost at the end; resource " + lost.get(0).resource() + " lost: "
                        + lost.get(0).why(), evidence.excerptEndingAt(restored, 5));
            }
            return Verdict.pass(ruleId(), "consent withdrawn " + consent.withdrawals() + " times; afterwards none of the "
                    + fates.required(evidence).size() + " resources to upload was lost");
        }
    }
}
