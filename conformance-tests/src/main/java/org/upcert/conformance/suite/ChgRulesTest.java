package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The CHG rules (library changes) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("CHG — library changes")
@Tag("CHG")
public class ChgRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "CHG";
    }
}
