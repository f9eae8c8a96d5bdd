package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The RTY rules (retries) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("RTY — retries")
@Tag("RTY")
public class RtyRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "RTY";
    }
}
