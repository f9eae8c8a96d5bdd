package org.upcert.harness.run;

import java.util.SortedMap;

/**
 * What a run did, for people and CI. Everything except {@link #wallMillis()} is a function of
 * the plan, the extension and the build.
 *
 * @param seed the run's seed
 * @param profile the profile name
 * @param extension the extension's description
 * @param extensionSha256 the extension's code hash
 * @param cloud the cloud dialect
 * @param endReason why the run stopped: {@code quiescent}, {@code time-limit}, {@code activation-limit}, {@code stalled} (nothing moved for {@link Simulation#STALL_AFTER_MS} after the recovery activity), {@code interrupted}
 * @param activations calls of {@code processJobs}
 * @param launches processes launched
 * @param kills processes killed
 * @param outcomes call outcomes by kind (COMPLETED, PROCESSING, FAILURE, killed, threw, hung)
 * @param jobsByFinalState jobs by final state: acknowledged ones as {@code SUCCEEDED+ack},
 *     {@code FAILED+ack}, {@code CANCELLED}; the rest by their current state
 * @param jobsCreated jobs created
 * @param unacknowledged jobs left unacknowledged at the end
 * @param resources resources of assets in the library at the end
 * @param uploaded resources whose exact bytes (SHA-256) are in the cloud
 * @param missing eligible resources not (correctly) in the cloud
 * @param ineligible resources the cloud cannot take in one request (over its size cap), left out
 *     of {@code resources}, {@code uploaded} and {@code missing}
 * @param cloudObjects objects stored in the cloud
 * @param duplicateWrites successful writes beyond the first per resource
 * @param refusedRequests requests the cloud refused
 * @param bytesDeclared declared bytes transferred
 * @param bytesSent body bytes actually sent
 * @param simulatedMillis virtual duration of the run
 * @param traceEvents lines in the trace
 * @param refusedCalls API calls refused after return or kill
 * @param penalties 50008 penalties applied
 * @param wallMillis real time the run took
 * @param tracePath where the trace was written, or null
 */
public record RunSummary(
        long seed,
        String profile,
        String extension,
        String extensionSha256,
        String cloud,
        String endReason,
        int activations,
        int launches,
        int kills,
        SortedMap<String, Integer> outcomes,
        SortedMap<String, Integer> jobsByFinalState,
        int jobsCreated,
        int unacknowledged,
        int resources,
        int uploaded,
        int missing,
        int ineligible,
        int cloudObjects,
        int duplicateWrites,
        int refusedRequests,
        long bytesDeclared,
        long bytesSent,
        long simulatedMillis,
        long traceEvents,
        int refusedCalls,
        int penalties,
        long wallMillis,
        String tracePath,
        String isolation) {

    /** Every resource in the cloud with the right bytes and every job acknowledged. */
    public boolean complete() {
        return missing == 0 && unacknowledged == 0;
    }

    public RunSummary withWall(long millis, String trace) {
        return new RunSummary(seed, profile, extension, extensionSha256, cloud, endReason, activations, launches, kills,
                outcomes, jobsByFinalState, jobsCreated, unacknowledged, resources, uploaded, missing, ineligible, cloudObjects,
                duplicateWrites, refusedRequests, bytesDeclared, bytesSent, simulatedMillis, traceEvents, refusedCalls,
                penalties, millis, trace, isolation);
    }
}
