package org.upcert.conformance.author;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeClassNamePatterns;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * An author's {@code @Suite} over a broken extension (the mutant that never acknowledges failed
 * jobs). Not a {@code *Test}: upcert's own build does not run it; {@link JunitRouteTest} does, to
 * see what an author sees.
 */
@Suite
@SelectPackages("org.upcert.conformance.suite")
@IncludeClassNamePatterns(".*AckRulesTest")
@ConfigurationParameter(key = "upcert.extension.class", value = "org.upcert.conformance.mutants.Mutants$NeverAcknowledgesFailed")
@ConfigurationParameter(key = "upcert.profiles", value = "flaky-network")
@ConfigurationParameter(key = "upcert.seeds", value = "1")
@ConfigurationParameter(key = "upcert.rules", value = "ACK")
@ConfigurationParameter(key = "upcert.require-exercised", value = "false")
class MutantSuiteFixture {
}
