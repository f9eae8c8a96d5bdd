package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The CAP rules (capacity) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("CAP — capacity")
@Tag("CAP")
public class CapRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "CAP";
    }
}
