/**
 * Certification: runs the suite's test classes through the JUnit Platform Launcher with the
 * reporting listeners (Allure, JUnit XML, progress) and turns the verdicts into the
 * certification bundle. The CLI's {@code certify} and the suite's own tests both use it.
 */
package org.upcert.conformance.certify;
