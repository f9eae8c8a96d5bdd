package org.upcert.harness.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.upcert.harness.faults.profile.Durations;
import org.upcert.harness.faults.profile.Expansion;
import org.upcert.harness.faults.profile.Profile;
import org.upcert.harness.faults.profile.ProfileProblem;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.sim.VirtualClock;

/** Prints an expanded profile (for {@code profiles show} and before {@code run}) and profile problems. */
final class PlanPrinter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlanPrinter() {
    }

    /** The expanded plan for people: profile, workload, system, phases, then one line per fault. */
    static void print(PrintWriter out, Expansion expansion) {
        Profile profile = expansion.profile();
        RunPlan plan = expansion.plan();
        out.printf(java.util.Locale.ROOT, "profile   %s (%s) · seed %d%n", profile.name(), profile.source(), plan.seed());
        out.printf(java.util.Locale.ROOT, "          %s%n", profile.summary());
        if (!profile.imitates().isEmpty()) {
            out.printf(java.util.Locale.ROOT, "imitates  %s%n", profile.imitates().replaceAll("\\s+", " "));
        }
        if (!profile.rules().isEmpty()) {
            out.printf(java.util.Locale.ROOT, "rules     %s%n", String.join(", ", profile.rules()));
        }
        out.printf(java.util.Locale.ROOT, "workload  %s · os %s%n", json(plan.workload()), profile.os());
        String quirks = quirks(plan.policy());
        out.printf(java.util.Locale.ROOT, "system    %s%s%n", profile.overrides().isEmpty() ? "defaults of iOS " + profile.os()
                : "defaults of iOS " + profile.os() + " with " + String.join(", ", profile.overrides()),
                (quirks.isEmpty() ? "" : " · device quirks on: " + quirks) + " · " + fetchLag(plan.policy()));
        out.printf(java.util.Locale.ROOT, "phases    %s%n", phases(plan.phases()));
        List<String> lines = PlanJson.lines(plan.faults());
        out.printf(java.util.Locale.ROOT, "faults    %d in the plan%n", lines.size());
        for (int i = 0; i < lines.size(); i++) {
            out.printf(java.util.Locale.ROOT, "  %-16s %s%n", when(plan.faults().get(i)), lines.get(i));
        }
        for (Expansion.EntryOutcome entry : expansion.entries()) {
            if (!entry.active()) {
                out.printf(java.util.Locale.ROOT, "  (entry %d, %s at line %d: not active for this seed)%n", entry.index(), entry.kind(),
                        entry.location().line());
            }
        }
        out.flush();
    }

    /** The fetch-set lag of the policy, for people: "fetch-set lag 100ms to 5s" or "fetch-set lag off". */
    static String fetchLag(org.upcert.harness.plan.SystemPolicy policy) {
        return policy.fetchLagOn() ? "fetch-set lag " + org.upcert.harness.faults.profile.Durations.format(policy.fetchLagMinMs())
                + " to " + org.upcert.harness.faults.profile.Durations.format(policy.fetchLagMaxMs()) : "fetch-set lag off";
    }

    /** The device quirks the policy switches on, by name; empty if none. */
    static String quirks(org.upcert.harness.plan.SystemPolicy policy) {
        List<String> on = new java.util.ArrayList<>();
        if (policy.nilResourceOnTerminalJobs()) {
            on.add("nilResourceOnTerminalJobs");
        }
        if (policy.noticeAfterReturn()) {
            on.add("noticeAfterReturn");
        }
        if (policy.count204AsFailure()) {
            on.add("count204AsFailure");
        }
        return String.join(", ", on);
    }

    /** The expanded plan as one JSON object. */
    static String json(Expansion expansion, boolean pretty) {
        Profile profile = expansion.profile();
        RunPlan plan = expansion.plan();
        ObjectNode node = MAPPER.createObjectNode();
        node.put("profile", profile.name());
        node.put("source", profile.source());
        node.put("seed", plan.seed());
        node.put("description", profile.description());
        node.put("imitates", profile.imitates());
        ArrayNode rules = node.putArray("rules");
        profile.rules().forEach(rules::add);
        node.put("os", profile.os());
        node.set("workload", MAPPER.valueToTree(plan.workload()));
        node.set("policy", MAPPER.valueToTree(plan.policy()));
        node.set("phases", MAPPER.valueToTree(plan.phases()));
        node.set("faults", MAPPER.valueToTree(PlanJson.faults(plan.faults())));
        ArrayNode entries = node.putArray("entries");
        for (Expansion.EntryOutcome entry : expansion.entries()) {
            ObjectNode e = entries.addObject();
            e.put("index", entry.index());
            e.put("kind", entry.kind());
            e.put("line", entry.location().line());
            e.put("active", entry.active());
            e.put("occurrences", entry.occurrences());
        }
        try {
            return pretty ? MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node)
                    : MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void problems(PrintWriter err, List<ProfileProblem> problems) {
        for (ProfileProblem problem : problems) {
            err.println(problem);
        }
        err.flush();
    }

    static String phases(Phases phases) {
        String fault = "fault phase " + Durations.format(phases.faultPhaseMs());
        if (!phases.recovery()) {
            return fault + ", no recovery phase";
        }
        if (phases.newAssetEveryMs() == 0 || phases.recoveryNewAssets() == 0) {
            return fault + ", then recovery (no new photos)";
        }
        return String.format(Locale.ROOT, "%s, then recovery (a new photo every %s, at most %d)", fault,
                Durations.format(phases.newAssetEveryMs()), phases.recoveryNewAssets());
    }

    private static String when(PlannedFault fault) {
        if (fault instanceof PlannedFault.Timed t) {
            return t.until() == t.from() ? VirtualClock.format(t.from())
                    : VirtualClock.format(t.from()) + "+" + Durations.format(t.until() - t.from());
        }
        return "activation " + ((PlannedFault.Pinned) fault).activation();
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
