/**
 * Fault profiles: reading a YAML profile with the line and column of every node, validating it
 * against the JSON Schema shipped in {@code fault-profiles} plus the checks a schema cannot
 * express, and expanding (profile, seed) into the concrete, ordered {@link
 * org.upcert.harness.plan.RunPlan} the simulator executes. A malformed profile yields a list of
 * {@link org.upcert.harness.faults.profile.ProfileProblem}s, each {@code file:line:column: what
 * was found, what was expected}; never a stack trace. Nothing here touches the simulator: the
 * arrow is profile → plan.
 */
package org.upcert.harness.faults.profile;
