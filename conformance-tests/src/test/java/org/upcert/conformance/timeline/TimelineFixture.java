package org.upcert.conformance.timeline;

import org.upcert.harness.cli.BundledSample;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileException;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;

/** One real run for the timeline tests: the sample under the {@code everything} profile, seed 1, simulated once. */
final class TimelineFixture {
    private static String trace;

    private TimelineFixture() {
    }

    static synchronized String trace() {
        if (trace == null) {
            RunPlan plan;
            try {
                plan = PlanExpander.expand(ProfileCatalogue.load("everything"), 1).plan();
            } catch (ProfileException e) {
                throw new AssertionError("the standard profile does not load", e);
            }
            trace = Simulation.run(plan, ExtensionSource.jar(BundledSample.extract().orElseThrow(
                    () -> new AssertionError("the sample extension jar is not bundled; build with ./mvnw package first"))),
                    RunOptions.inMemory().withTransport("direct")).traceText();
        }
        return trace;
    }

    /** The 1-based line of the first event named {@code name}. */
    static int firstLine(String name) {
        String[] lines = trace().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("\"ev\":\"" + name + "\"")) {
                return i + 1;
            }
        }
        throw new AssertionError("no " + name + " in the trace");
    }

    /** How many lines of the trace contain {@code text}. */
    static long count(String text) {
        return trace().lines().filter(line -> line.contains(text)).count();
    }
}
