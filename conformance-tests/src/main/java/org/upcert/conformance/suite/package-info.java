/**
 * The conformance suite as JUnit 5 tests: one test class per rule group, a dynamic test per rule ×
 * profile × seed, every (profile, seed, cloud) simulated once and shared by all rules that judge
 * it. {@code ./upcert certify} runs these classes through the JUnit Platform Launcher; an author's
 * own build can run them too (see docs/author-build.md).
 */
package org.upcert.conformance.suite;
