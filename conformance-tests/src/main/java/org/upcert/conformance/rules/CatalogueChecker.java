package org.upcert.conformance.rules;

/** A checker that carries its rule id and severity; see {@link MustRule} and {@link ShouldRule}. */
abstract class CatalogueChecker implements RuleChecker {
    private final String ruleId;
    private final boolean must;

    CatalogueChecker(String ruleId, boolean must) {
        this.ruleId = ruleId;
        this.must = must;
    }

    @Override
    public final String ruleId() {
        return ruleId;
    }

    @Override
    public final boolean must() {
        return must;
    }
}
