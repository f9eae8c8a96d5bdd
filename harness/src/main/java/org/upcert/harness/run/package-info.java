/**
 * One run end to end: wires plan, simulated system, cloud stub, host and trace, runs the
 * discrete-event loop to quiescence or a bound, and summarises the outcome.
 */
package org.upcert.harness.run;
