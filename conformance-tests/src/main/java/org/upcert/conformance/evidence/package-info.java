/**
 * What checkers judge: a run's trace, parsed once into events, plus the end state of the cloud
 * inventory and the library. Checkers read only this, never the simulator.
 */
package org.upcert.conformance.evidence;
