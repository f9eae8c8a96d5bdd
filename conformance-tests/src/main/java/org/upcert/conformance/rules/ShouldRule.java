package org.upcert.conformance.rules;

/** A checker of a SHOULD rule: it reports a figure and never decides certification. */
abstract class ShouldRule extends CatalogueChecker {
    ShouldRule(String ruleId) {
        super(ruleId, false);
    }
}
