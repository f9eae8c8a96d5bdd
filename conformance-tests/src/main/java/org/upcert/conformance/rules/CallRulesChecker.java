package org.upcert.conformance.rules;

import java.util.List;

/** Rules judged on how calls end and what follows them: RES-04, TRM-04, ACK-02, ISO-01. */
public final class CallRulesChecker {
    private CallRulesChecker() {
    }

    public static List<RuleChecker> all() {
        return List.of(
                new EventRule("RES-04", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> (e.name().equals("call.end") && (e.text("outcome").equals("threw") || e.text("outcome").equals("crashed")))
                                || (e.name().equals("process.kill") && e.text("reason").endsWith("(hung)")),
                        e -> e.name().equals("process.kill") ? "the call hung and was killed: " + e.text("reason")
                                : e.text("outcome").equals("crashed") ? "the extension's process crashed: " + e.text("reason")
                                : "an exception escaped processJobs: " + e.text("exception")),
                new EventRule("TRM-04", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> e.name().equals("api.refused") && e.text("reason").equals("after return"),
                        e -> "the extension used its context after processJobs returned: " + e.text("api")),
                new EventRule("ACK-02", "calls presented jobs",
                        e -> e.name().equals("call.start") && e.number("presented") > 0,
                        e -> e.name().equals("system.penalty"),
                        e -> e.number("outstanding") + " presented jobs left unacknowledged (50008, deferred "
                                + e.number("deferral") / 1000 + " s)"),
                // Reported by the sandbox of an out-of-process host (the JVM worker's security manager,
                // the container): in process nothing is detected, and the certificate says so.
                new EventRule("ISO-01", "calls ended",
                        e -> e.name().equals("call.end"),
                        e -> e.name().equals("sandbox.violation"),
                        e -> "the sandbox refused the extension: " + e.text("what") + " (" + e.text("kind") + ")"));
    }
}
