package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The CLD rules (cloud protocol) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("CLD — cloud protocol")
@Tag("CLD")
public class CldRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "CLD";
    }
}
