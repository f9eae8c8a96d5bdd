package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The E2E rules (end to end) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("E2E — end to end")
@Tag("E2E")
public class E2eRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "E2E";
    }
}
