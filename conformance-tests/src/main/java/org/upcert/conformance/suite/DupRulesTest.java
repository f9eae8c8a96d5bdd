package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The DUP rules (duplicates) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("DUP — duplicates")
@Tag("DUP")
public class DupRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "DUP";
    }
}
