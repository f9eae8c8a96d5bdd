/**
 * The trace: the one record of a run, JSON Lines, one event per line, fields in a fixed order.
 * Checkers and reports read only the trace (plus the cloud inventory), never the simulator, so
 * every verdict is explained by the events that caused it. The first line is the header: the
 * harness version, seed, workload, system policy and the fully expanded plan.
 */
package org.upcert.harness.trace;
