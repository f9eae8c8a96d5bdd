/** Verdicts: immutable results of judging one rule on one run, made by static factories (after JUnit's TestExecutionResult). */
package org.upcert.conformance.verdict;
