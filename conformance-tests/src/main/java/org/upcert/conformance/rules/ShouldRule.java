package org.upcert.conformance.rules;

/** A checker of a SHOULD rule: it reports a figure and never decides certification. */
abstract class ShouldRule implements RuleChecker {
    private final String ruleId;

    ShouldRule(String ruleId) {
        this.ruleId = ruleId;
    }

    @Override
    public final String ruleId() {
        return ruleId;
    }

    @Override
    public final boolean must() {
        return false;
    }
}
