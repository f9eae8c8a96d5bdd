package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The ACK rules (acknowledgement) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("ACK — acknowledgement")
@Tag("ACK")
public class AckRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "ACK";
    }
}
