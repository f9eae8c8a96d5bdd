/**
 * The command line: a thin picocli face over {@code run} and the fault profiles
 * ({@code profiles list|show|validate}). Wall-clock reads here (progress,
 * elapsed time) are outside the simulation and marked as such.
 */
package org.upcert.harness.cli;
