package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The RES rules (processing results) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("RES — processing results")
@Tag("RES")
public class ResRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "RES";
    }
}
