package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The ISO rules (isolation: the extension stays inside its process and its API), judged on every run of the suite. */
@DisplayName("ISO — isolation")
@Tag("ISO")
public class IsoRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "ISO";
    }
}
