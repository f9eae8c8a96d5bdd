package org.upcert.conformance.author;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeClassNamePatterns;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;
import org.junit.platform.suite.api.SuiteDisplayName;

/**
 * Exactly what an extension author puts in their own test sources (docs/author-build.md): the
 * upcert suite as a JUnit Platform {@code @Suite}, naming the extension by a configuration
 * parameter, so {@code mvn verify} in their repository is the CI gate. Here it certifies the
 * sample on one profile — a quick gate; certification proper runs every standard profile.
 */
@Suite
@SuiteDisplayName("upcert conformance of my extension")
@SelectPackages("org.upcert.conformance.suite")
@IncludeClassNamePatterns(".*RulesTest")
@ConfigurationParameter(key = "upcert.extension.class", value = "org.upcert.sample.SampleUploadExtension")
@ConfigurationParameter(key = "upcert.profiles", value = "baseline")
@ConfigurationParameter(key = "upcert.seeds", value = "1")
// One profile cannot exercise every rule; a full certification keeps this true (the default).
@ConfigurationParameter(key = "upcert.require-exercised", value = "false")
class MyExtensionConformanceTest {
}
