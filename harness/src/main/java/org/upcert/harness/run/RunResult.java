package org.upcert.harness.run;

import java.util.List;
import java.util.SortedMap;
import org.upcert.harness.cloud.CloudInventory;
import org.upcert.harness.host.AppGroupFiles;
import org.upcert.harness.jobs.JobRecord;
import org.upcert.harness.library.Payloads;
import org.upcert.harness.library.SimulatedLibrary;

/**
 * A finished run ({@code hosting}: facts about the isolation, such as processes started; they
 * depend on real time and are never part of the summary or the trace): the summary, the trace (when kept in memory), and the end state that checkers
 * and tests judge: the cloud inventory, the library, the app-group files and every job.
 */
public record RunResult(RunSummary summary, String traceText, CloudInventory inventory, SimulatedLibrary library,
        AppGroupFiles files, List<JobRecord> jobs, Payloads payloads, SortedMap<String, Object> hosting) {
}
