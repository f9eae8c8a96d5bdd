package org.upcert.conformance.rules;

import java.util.List;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/** Rules judged on how calls end and what follows them: RES-04, TRM-04, ACK-02, ISO-01. */
public final class CallRulesChecker {
    private CallRulesChecker() {
    }

    public static List<RuleChecker> all() {
        return List.of(
                new EventRule("RES-04", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> (e.name().equals("call.end") && (e.text("outcome").equals("threw") || e.text("outcome").equals("crashed")))
                                || (e.name().equals("process.kill") && e.text("reason").endsWith("(hung)"))
                                || hungNotice(e)
                                || trapped(e),
                        e -> trapped(e) ? "called " + e.text("api") + ", which the device's OS lacks (" + e.text("reason")
                                + "): on a device the selector does not exist and the call traps, crashing the process;"
                                + " check the OS version first (#available)"
                                : e.name().equals("process.kill") ? "the call hung and was killed: " + e.text("reason")
                                : hungNotice(e) ? "willTerminate hung: " + e.text("reason")
                                : e.text("outcome").equals("crashed") ? "the extension's process crashed: " + e.text("reason")
                                : "an exception escaped processJobs: " + e.text("exception")),
                new EventRule("TRM-04", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> e.name().equals("api.refused") && e.text("reason").equals("after return"),
                        e -> "the extension used its context after processJobs returned: " + e.text("api")),
                new PresentedJobsHandled(),
                // Reported by the sandbox of an out-of-process host (the JVM worker's security manager,
                // the container): in process nothing is detected, and the certificate says so.
                new EventRule("ISO-01", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> e.name().equals("sandbox.violation"),
                        e -> "the sandbox refused the extension: " + e.text("what") + " (" + e.text("kind") + ")"));
    }

    /**
     * A call of an API member the simulated OS level lacks ({@code api.refused} "not available
     * before iOS …"): upcert throws {@link UnsupportedOperationException} so the run goes on, but
     * on a device the selector does not exist and the call traps: the process crashes (RES-04),
     * even where the extension catches the exception.
     */
    /**
     * A {@code willTerminate} that did not return within the wall bound ({@code process.notice-problem}):
     * the process hung as a call does, and each costs the harness its whole wall bound.
     */
    static boolean hungNotice(TraceEvent e) {
        return e.name().equals("process.notice-problem") && e.text("reason").contains("did not return within");
    }

    /**
     * A call of an API member the simulated OS level lacks: see {@link #trapped}.
     */
    static boolean trapped(TraceEvent e) {
        return e.name().equals("api.refused") && e.text("reason").startsWith("not available before iOS");
    }

    /**
     * ACK-02: FAIL at the first 50008 penalty (presented jobs left unacknowledged when the call
     * returned), except after a call that found its app-group container locked (a restart not yet
     * followed by an unlock, {@code storage.locked}): an outcome cannot be stored before its job is
     * acknowledged then (ACK-03), and keeping the job for a later call is the right answer; the
     * system still defers, as a device would. A call that starts or ends without full access gets
     * no penalty from the simulator at all (fetchJobs showed it none of its jobs). Exercised by
     * every call that was presented jobs.
     */
    static final class PresentedJobsHandled implements RuleChecker {
        @Override
        public String ruleId() {
            return "ACK-02";
        }

        @Override
        public boolean must() {
            return true;
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            int exercised = 0;
            int excused = 0;
            boolean locked = false;
            for (TraceEvent event : evidence.events()) {
                switch (event.name()) {
                    case "call.start" -> {
                        locked = false;
                        if (event.number("presented") > 0) {
                            exercised++;
                        }
                    }
                    case "storage.locked" -> locked = true;
                    case "system.penalty" -> {
                        if (locked) {
                            excused++;
                            continue;
                        }
                        return Verdict.fail(ruleId(), event.number("outstanding") + " presented jobs left unacknowledged (50008, deferred "
                                + event.number("deferral") / 1000 + " s)", evidence.excerptEndingAt(event, 5));
                    }
                    default -> {
                    }
                }
            }
            return exercised == 0 ? Verdict.notExercised(ruleId(), "no calls presented jobs")
                    : Verdict.pass(ruleId(), exercised + " calls presented jobs, no violation"
                            + (excused == 0 ? "" : " (" + excused + " left for later while the container was locked)"));
        }
    }
}
