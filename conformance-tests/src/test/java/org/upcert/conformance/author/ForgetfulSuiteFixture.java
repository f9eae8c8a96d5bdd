package org.upcert.conformance.author;

import org.junit.platform.suite.api.IncludeClassNamePatterns;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/** An author's {@code @Suite} that forgot to name the extension: it must fail, not certify the bundled sample. */
@Suite
@SelectPackages("org.upcert.conformance.suite")
@IncludeClassNamePatterns(".*JobRulesTest")
class ForgetfulSuiteFixture {
}
