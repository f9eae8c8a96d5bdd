package org.upcert.conformance.rules;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.scope.DeclaredScope;

/**
 * Which rules are triggered only by an optional API, and whether a run used it (RULES.md, verdict
 * semantics v2). A rule whose checker found nothing to judge is {@code NOT_APPLICABLE} — not
 * {@code NOT_EXERCISED} — when the extension never used the optional API the rule is about, or
 * when its OS level does not have that API: an extension that never cancels cannot cancel the
 * wrong job, and cancel does not exist before iOS 26.4. {@code NOT_APPLICABLE} never blocks
 * certification; {@code NOT_EXERCISED} is kept for situations upcert itself failed to produce.
 *
 * <p>This is the one place that knows the triggers; {@code explain} prints them from here, so
 * what it says and what the judge does cannot drift apart.
 */
public final class Applicability {

    /**
     * An optional API that triggers a rule.
     *
     * @param ruleId the rule
     * @param api the API, as an author knows it
     * @param since the OS level that introduced it ({@code "26.1"} when every level has it)
     * @param alternative what an extension may legitimately do instead, for the explanation
     * @param use the trace events that show the extension used it
     */
    public record Trigger(String ruleId, String api, String since, String alternative, Predicate<TraceEvent> use) {

        /** The condition in words, for {@code explain} and the verdict. */
        public String describe() {
            return "NOT_APPLICABLE when the extension never uses " + api
                    + (since.equals("26.1") ? "" : " or runs at an OS level below " + since + ", which lacks it") + " ("
                    + alternative + ")";
        }
    }

    private static final Predicate<TraceEvent> RETRIES = e -> e.name().equals("job.retry")
            || (e.name().equals("change.illegal") && e.text("op").equals("retry"))
            || (e.name().equals("change.dropped") && e.text("op").equals("retry"));
    private static final String NEW_JOB_INSTEAD = "retrying in place is optional: acknowledging the failed job and creating a"
            + " new one later is a legitimate retry policy, which RTY-01 judges";

    private static final List<Trigger> TRIGGERS = List.of(
            new Trigger("JOB-03", "retry (JobChanges.retry)", "26.1", NEW_JOB_INSTEAD, RETRIES),
            new Trigger("JOB-04", "cancel (JobChanges.cancel)", "26.4",
                    "cancelling is optional: acknowledging a job once it finished is always correct",
                    e -> e.name().equals("job.cancel") || (e.name().equals("change.illegal") && e.text("op").equals("cancel"))
                            || (e.name().equals("change.dropped") && e.text("op").equals("cancel"))),
            new Trigger("JOB-05", "retry (JobChanges.retry)", "26.1", NEW_JOB_INSTEAD, RETRIES),
            new Trigger("CHG-01", "persistent change tokens (currentChangeToken / fetchPersistentChanges)", "26.1",
                    "a date watermark or a full walk of the library is a legitimate alternative; E2E-01 and CHG-02 still"
                            + " judge that no asset is missed",
                    e -> e.name().equals("library.token") || e.name().equals("library.changes")),
            new Trigger("CLD-01", "response headers (UploadJob.responseHeaderFields) or a two-phase cloud", "26.4",
                    "headers are optional on a one-phase cloud; on a two-phase cloud (upload then commit) the commit part"
                            + " applies to every extension",
                    e -> e.name().equals("header.case") || (e.name().equals("call.end") && e.number("headers") > 0)));

    /**
     * A situation a rule needs that upcert produces only on devices below an OS level: out of
     * reach for an extension whose declared deployment target ({@code deploymentTarget}, docs/scope.md)
     * is at or above it, since no run of it is played below its target.
     *
     * @param ruleId the rule
     * @param situation what the rule judges, in words
     * @param below the OS level from which the situation no longer arises
     */
    public record OutOfReach(String ruleId, String situation, String below) {

        /** The condition in words, for {@code explain} and the verdict. */
        public String describe() {
            return "NOT_APPLICABLE when the extension declares deploymentTarget \"" + below + "\" or later and no run showed "
                    + "it: " + situation + " arise only below iOS " + below + " (a profile that switches the quirk on at " + below
                    + " itself still exercises the rule)";
        }
    }

    private static final List<OutOfReach> OUT_OF_REACH = List.of(
            new OutOfReach("CLD-02", "terminal jobs without a resource (the nil-resource quirk measured on iOS 26.x) and jobs"
                    + " created under 26.x that outlive an upgrade to iOS 27", "27"));

    private Applicability() {
    }

    /** The situation of one rule that a deployment target can put out of reach, if any. */
    public static Optional<OutOfReach> outOfReach(String ruleId) {
        return OUT_OF_REACH.stream().filter(o -> o.ruleId().equals(ruleId)).findFirst();
    }

    /** Every rule that an optional API triggers. */
    public static List<Trigger> triggers() {
        return TRIGGERS;
    }

    /** The trigger of one rule, if an optional API triggers it. */
    public static Optional<Trigger> trigger(String ruleId) {
        return TRIGGERS.stream().filter(t -> t.ruleId().equals(ruleId)).findFirst();
    }

    /**
     * The checker's verdict, or NOT_APPLICABLE in its place when the checker found nothing to judge
     * ({@code NOT_EXERCISED}) and the run shows the rule's optional trigger was never used or does
     * not exist at the run's OS level, or the rule's situation is {@linkplain OutOfReach out of reach}
     * of the extension's declared deployment target. Any other verdict stands: a rule the extension did meet is
     * judged on what it did.
     */
    public static Verdict apply(Verdict verdict, RunEvidence evidence) {
        if (verdict.status() != Verdict.Status.NOT_EXERCISED) {
            return verdict;
        }
        Optional<OutOfReach> outOfReach = outOfReach(verdict.ruleId());
        if (outOfReach.isPresent()) {
            String level = evidence.header() == null ? null
                    : DeclaredScope.fromHeader(evidence.header().path("scope")).deploymentLevel();
            if (level != null && compare(level, outOfReach.get().below()) >= 0) {
                return Verdict.notApplicable(verdict.ruleId(), "the extension runs on iOS " + level + " and later only (its"
                        + " deploymentTarget): " + outOfReach.get().situation() + " arise only below iOS " + outOfReach.get().below());
            }
        }
        Optional<Trigger> trigger = trigger(verdict.ruleId());
        if (trigger.isEmpty()) {
            return verdict;
        }
        return notApplicableBecause(trigger.get(), evidence)
                .map(why -> Verdict.notApplicable(verdict.ruleId(), why))
                .orElse(verdict);
    }

    private static Optional<String> notApplicableBecause(Trigger trigger, RunEvidence evidence) {
        if (trigger.ruleId().equals("CLD-01") && !evidence.inventory().commitsByUpload().isEmpty()) {
            return Optional.empty(); // a two-phase cloud: the commit part applies whatever the extension reads
        }
        String os = os(evidence);
        if (!os.isEmpty() && compare(os, trigger.since()) < 0) {
            return Optional.of(trigger.api() + " does not exist at iOS " + os + " (since " + trigger.since() + ")");
        }
        for (TraceEvent event : evidence.events()) {
            if (trigger.use().test(event)) {
                return Optional.empty();
            }
        }
        return Optional.of("the extension never used " + trigger.api() + " in this run (" + trigger.alternative() + ")");
    }

    /**
     * The highest OS level of the run: the trace header's ({@code workload.os}), or the last
     * {@code os.upgrade} that raised it (an API a level introduced existed from then on); empty if
     * not recorded.
     */
    static String os(RunEvidence evidence) {
        String os = evidence.header() == null ? "" : evidence.header().path("workload").path("os").asText("");
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("os.upgrade") && !event.fields().has("skipped")) {
                os = event.text("to");
            }
        }
        return os;
    }

    /** Compares OS levels numerically, part by part ({@code "26.10" > "26.4"}). */
    static int compare(String a, String b) {
        String[] left = a.split("\\.");
        String[] right = b.split("\\.");
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            int x = i < left.length ? parse(left[i]) : 0;
            int y = i < right.length ? parse(right[i]) : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    private static int parse(String part) {
        try {
            return Integer.parseInt(part.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
