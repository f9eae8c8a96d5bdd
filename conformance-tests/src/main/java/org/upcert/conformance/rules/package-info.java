/**
 * Rule checkers, keyed by the stable ids of shared/design/RULES.md. Safety rules are judged event
 * by event; liveness rules at the end of the run. Each checker says what makes its rule
 * exercised; a rule no event exercised is NOT_EXERCISED, never PASS.
 */
package org.upcert.conformance.rules;
