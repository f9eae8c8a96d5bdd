package org.upcert.conformance.suite;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;

/** The JOB rules (job changes) of shared/design/RULES.md, judged on every run of the suite. */
@DisplayName("JOB — job changes")
@Tag("JOB")
public class JobRulesTest extends RuleGroupSuite {
    @Override
    protected String group() {
        return "JOB";
    }
}
