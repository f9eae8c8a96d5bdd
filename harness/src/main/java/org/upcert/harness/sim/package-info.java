/**
 * Determinism primitives: the virtual clock, the seeded random source and the discrete-event
 * queue. Nothing in the simulator may read wall time, sleep, or use platform randomness; these
 * classes are what it uses instead.
 */
package org.upcert.harness.sim;
