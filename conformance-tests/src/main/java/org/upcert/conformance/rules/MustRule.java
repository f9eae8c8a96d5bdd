package org.upcert.conformance.rules;

/** A checker of a MUST rule: its verdicts decide certification. */
abstract class MustRule implements RuleChecker {
    private final String ruleId;

    MustRule(String ruleId) {
        this.ruleId = ruleId;
    }

    @Override
    public final String ruleId() {
        return ruleId;
    }

    @Override
    public final boolean must() {
        return true;
    }
}
