package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The TRM rules (termination) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("TRM — termination")
@Tag("TRM")
public class TrmRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "TRM";
    }
}
