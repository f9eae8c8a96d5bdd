package org.upcert.conformance.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every rule of catalogue v1 (shared/design/RULES.md) and the checker that judges it. The ids are
 * stable: reports, issues and tests name rules by them. A rule whose checker is missing is judged
 * SKIPPED by the suite — never PASS.
 */
public final class RuleCatalogue {
    /** The groups in catalogue order; one test class each. */
    public static final List<String> GROUPS = List.of("JOB", "CAP", "ACK", "RTY", "RES", "TRM", "DUP", "E2E", "CNS", "CHG",
            "CLD", "ISO");

    private static final List<Rule> RULES = List.of(
            must("JOB-01", "doc", "every create/acknowledge/retry/cancel happens inside performChanges; blocks are never nested", "baseline"),
            must("JOB-02", "doc", "acknowledge only jobs in the ACKNOWLEDGE set (succeeded or failed, unacknowledged)", "baseline"),
            must("JOB-03", "doc", "retry only failed, unacknowledged, never-retried jobs: at most one retry per job", "flaky-network"),
            must("JOB-04", "doc", "cancel only registered or pending jobs", "library-churn"),
            must("JOB-05", "eng", "a failed job is retried or acknowledged in a call, never both in the same call", "flaky-network"),
            must("CAP-01", "doc", "on LIMIT_EXCEEDED the call stops creating, does not spin, and returns PROCESSING", "tiny-job-limit"),
            should("CAP-02", "doc", "at the limit, acknowledge before create", "tiny-job-limit"),
            should("CAP-03", "doc", "keep the queue topped up while work remains", "baseline"),
            must("ACK-01", "doc", "every job that reaches succeeded or failed is eventually acknowledged", "baseline"),
            must("ACK-02", "dev", "every job presented in the ACKNOWLEDGE set at the start of a call is acknowledged or retried before that call returns", "baseline"),
            should("ACK-03", "doc", "an outcome is stored durably before its job is acknowledged", "hard-kills"),
            must("RTY-01", "doc", "a failed upload leads to the resource being uploaded later unless giving up was justified (a network failure, retry-after or a 5xx burst never justifies it)", "flaky-network"),
            must("RTY-02", "doc", "a server's refusal is never retried in an unbounded loop: not resent as is, attempts spaced and bounded, acknowledged", "cloud-errors"),
            must("RTY-03", "eng", "a failure caused by an expired destination is retried with a fresh destination, never the stale one", "expired-urls"),
            should("RTY-04", "eng", "Retry-After is honoured", "cloud-errors"),
            must("RES-01", "doc", "COMPLETED only when no work remains", "baseline"),
            must("RES-02", "doc", "PROCESSING while work remains and after LIMIT_EXCEEDED", "tiny-job-limit"),
            must("RES-03", "doc", "no endless PROCESSING without progress", "offline-windows"),
            must("RES-04", "eng", "no exception escapes processJobs and the process neither crashes (exit, out of memory, stack overflow, protocol violation) nor hangs, and calls no API member its OS level lacks (a trap on a device); an unexpected error becomes FAILURE", "baseline"),
            should("RES-05", "dev", "each call returns within the runtime budget", "baseline"),
            must("TRM-01", "doc", "after willTerminate, processJobs returns within the grace period", "termination-storm"),
            must("TRM-02", "doc", "after a kill, nothing of the killed activation reaches the library, jobs or storage", "hard-kills"),
            must("TRM-03", "doc", "after a kill at any point, later activations converge: no resource lost, no duplicate job", "hard-kills"),
            must("TRM-04", "eng", "no work continues after processJobs returns", "baseline"),
            should("TRM-05", "doc", "changes committed after willTerminate", "termination-storm"),
            must("DUP-01", "eng", "never two unacknowledged jobs for the same resource", "baseline"),
            should("DUP-02", "eng", "no resource is uploaded successfully twice", "lost-responses"),
            must("E2E-01", "eng", "every eligible resource is in the cloud with identical bytes: nothing lost, nothing corrupted", "baseline"),
            must("E2E-02", "doc", "no destination outside uploadUrlBase; nothing uploaded for a resource never in the library, outside the declared scope, or while consent was withdrawn", "consent-changes"),
            must("E2E-03", "eng", "jobs of assets deleted or offloaded mid-backup are resolved without looping", "library-churn"),
            must("CNS-01", "doc", "no job is created without full library access and an enabled extension; presented jobs are still acknowledged", "consent-changes"),
            must("CNS-02", "eng", "when consent returns, the backup resumes and converges", "consent-changes"),
            must("CHG-01", "doc", "on an expired change token the extension resynchronises and returns PROCESSING; no asset is missed", "library-churn"),
            must("CHG-02", "eng", "assets added during a backup are uploaded too", "library-churn"),
            must("CLD-01", "doc", "response headers are read by lowercase name; every succeeded upload of a two-phase dialect is committed exactly once", "baseline"),
            must("CLD-02", "dev", "a terminal job with no resource is still identified and acknowledged", "device-quirks-26x"),
            must("ISO-01", "eng", "the extension acts only through its API: it does not exit its process, write files outside storage(), open sockets outside http(), start or reach other processes, or start threads without bound", "baseline"));

    private static final TreeMap<String, Rule> BY_ID = new TreeMap<>();

    static {
        for (Rule rule : RULES) {
            if (BY_ID.put(rule.id(), rule) != null) {
                throw new ExceptionInInitializerError("rule listed twice: " + rule.id());
            }
        }
    }

    private RuleCatalogue() {
    }

    private static Rule must(String id, String source, String text, String profile) {
        return new Rule(id, id.substring(0, 3), Rule.Severity.MUST, source, text, profile);
    }

    private static Rule should(String id, String source, String text, String profile) {
        return new Rule(id, id.substring(0, 3), Rule.Severity.SHOULD, source, text, profile);
    }

    /** Every rule, in catalogue order. */
    public static List<Rule> rules() {
        return RULES;
    }

    /** The rules of one group, in catalogue order. */
    public static List<Rule> group(String group) {
        return RULES.stream().filter(r -> r.group().equals(group)).collect(Collectors.toUnmodifiableList());
    }

    public static Optional<Rule> rule(String id) {
        return Optional.ofNullable(BY_ID.get(id.toUpperCase(java.util.Locale.ROOT)));
    }

    /** Every checker there is, keyed by rule id (sorted). */
    public static TreeMap<String, RuleChecker> checkers() {
        List<RuleChecker> all = new ArrayList<>();
        all.addAll(JobRulesChecker.all());
        all.addAll(LivenessCheckers.all());
        all.addAll(CallRulesChecker.all());
        // group checkers register here, one line each
        all.addAll(CapacityRules.all());
        all.addAll(ResultRules.all());
        all.addAll(TerminationRules.all());
        all.addAll(ChangeRules.all());
        all.addAll(RetryRules.all());
        all.addAll(CloudRules.all());
        all.addAll(EndToEndRules.all());
        all.addAll(ConsentRules.all());
        all.addAll(DuplicateRules.all());
        all.addAll(AcknowledgementRules.all());
        TreeMap<String, RuleChecker> byId = new TreeMap<>();
        for (RuleChecker checker : all) {
            Rule rule = BY_ID.get(checker.ruleId());
            if (rule == null) {
                throw new IllegalStateException("checker for an unknown rule: " + checker.ruleId());
            }
            if (rule.must() != checker.must()) {
                throw new IllegalStateException(checker.ruleId() + " is " + rule.severity() + " in the catalogue");
            }
            if (byId.put(checker.ruleId(), checker) != null) {
                throw new IllegalStateException("two checkers for " + checker.ruleId());
            }
        }
        return byId;
    }

    /** The checker of one rule, if it has one. */
    public static Optional<RuleChecker> checker(String id) {
        return Optional.ofNullable(checkers().get(id));
    }

    /**
     * One rule judged on one run as the suite judges it: the checker's verdict, then applicability
     * ({@link Applicability}) and the SHOULD threshold ({@link Thresholds}).
     */
    public static org.upcert.conformance.verdict.Verdict judge(String id, org.upcert.conformance.evidence.RunEvidence evidence) {
        RuleChecker checker = checker(id).orElseThrow(() -> new IllegalArgumentException("no checker for " + id));
        return Thresholds.apply(Applicability.apply(checker.check(evidence), evidence));
    }

    /** Rule ids, for messages. */
    public static List<String> ids() {
        return Collections.unmodifiableList(new ArrayList<>(BY_ID.keySet()));
    }
}
