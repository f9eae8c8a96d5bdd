package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The CNS rules (consent) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("CNS — consent")
@Tag("CNS")
public class CnsRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "CNS";
    }
}
