package org.upcert.conformance.rules;

import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.verdict.Verdict;

/** Judges one rule on one run's evidence. Implementations are stateless. */
public interface RuleChecker {

    /** The rule's stable id. */
    String ruleId();

    /** MUST rules decide certification; SHOULD rules are reported with a figure. */
    boolean must();

    /** The verdict for this run. */
    Verdict check(RunEvidence evidence);
}
