/**
 * The fault engine. {@code faults.profile} turns declarative profiles into concrete plans;
 * {@link org.upcert.harness.faults.FaultSchedule} executes a plan's timed faults inside the
 * simulated system (conditions, cloud and network failures, library churn, consent) and ends
 * them all when the recovery phase begins. Process faults are executed by the host at the
 * activation and API call the plan pins them to.
 */
package org.upcert.harness.faults;
