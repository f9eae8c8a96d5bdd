package org.upcert.conformance.styles;

import java.util.ArrayList;
import java.util.List;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;

/** The MUST rules a run fails, for the acceptance tests that judge one run of a style on a profile. */
final class MustFailures {
    private MustFailures() {
    }

    /** Every MUST rule with a checker that FAILs on {@code evidence}, as "RULE: message". */
    static List<String> of(RunEvidence evidence) {
        List<String> failed = new ArrayList<>();
        for (var rule : RuleCatalogue.rules()) {
            if (rule.must() && RuleCatalogue.checker(rule.id()).isPresent()) {
                Verdict verdict = RuleCatalogue.judge(rule.id(), evidence);
                if (verdict.failed()) {
                    failed.add(rule.id() + ": " + verdict.message());
                }
            }
        }
        return failed;
    }
}
