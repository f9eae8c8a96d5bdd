package org.upcert.conformance.rules;

/** A checker of a MUST rule: its verdicts decide certification. */
abstract class MustRule extends CatalogueChecker {
    MustRule(String ruleId) {
        super(ruleId, true);
    }
}
