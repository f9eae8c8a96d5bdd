package org.upcert.conformance.rules;

import java.util.List;

/** Rules judged on how calls end and what follows them: RES-04, TRM-04, ACK-02. */
public final class CallRulesChecker {
    private CallRulesChecker() {
    }

    public static List<RuleChecker> all() {
        return List.of(
                new EventRule("RES-04", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> e.name().equals("call.end") && e.text("outcome").equals("threw"),
                        e -> "an exception escaped processJobs: " + e.text("exception")),
                new EventRule("TRM-04", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> e.name().equals("api.refused") && e.text("reason").equals("after return"),
                        e -> "the extension used its context after processJobs returned: " + e.text("api")),
                new EventRule("ACK-02", "calls presented jobs",
                        e -> e.name().equals("call.start") && e.number("presented") > 0,
                        e -> e.name().equals("system.penalty"),
                        e -> e.number("outstanding") + " presented jobs left unacknowledged (50008, deferred "
                                + e.number("deferral") / 1000 + " s)"));
    }
}
