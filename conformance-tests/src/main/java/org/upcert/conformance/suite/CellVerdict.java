package org.upcert.conformance.suite;

import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.verdict.Verdict;

/**
 * One rule judged on one run: what the certification report is made of.
 *
 * @param rule the rule
 * @param cell the run
 * @param verdict the verdict
 * @param reproduce one shell line that reproduces this verdict
 * @param trace where the run's trace was written (FAIL cells, when reports are on); null otherwise
 * @param timeline the FAIL's timeline page, the violating event marked (relative to the reports);
 *     null otherwise
 */
public record CellVerdict(Rule rule, Cell cell, Verdict verdict, String reproduce, String trace, String timeline) {
}
