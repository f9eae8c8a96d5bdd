/**
 * What a run will do, fixed before it starts: the workload (library, job limit), the system
 * policy (the scheduler's timings, limits, network, device quirks) and the expanded fault plan.
 * A plan is data: printed first, stored in the trace header, enough to reproduce the run.
 */
package org.upcert.harness.plan;
