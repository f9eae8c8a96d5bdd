/**
 * The certification bundle: verdicts of a suite run become {@code certification.json} (for
 * machines; byte-identical for the same extension, profiles, seeds and build) and
 * {@code CERTIFICATION.md} (for people). Reports only read verdicts; they never judge.
 */
package org.upcert.conformance.report;
