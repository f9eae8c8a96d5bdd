package org.upcert.conformance.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * Threads of the extension that read response headers while the simulator writes the trace — during
 * the call and after {@code processJobs} returned — never corrupt it (issue 16: "previous trace
 * line not ended"). A header lookup used to write its {@code header.case} line from the
 * extension's thread, outside the simulator's lock; it is now queued and written by the
 * simulator at its next deterministic point (the next API call, or the call's end), and a lookup
 * after the call ended is dropped. TRM-04 still catches the late work.
 */
class LateThreadsTraceTest {

    /**
     * The sample, plus a helper thread per call that keeps looking up headers by names that are
     * not lowercase (each a new {@code header.case} line) while the sample's own API calls write
     * the trace, and outlives the call: after the return it asks for jobs once (refused, TRM-04).
     */
    public static final class HeaderReadingHelper implements UploadExtension {
        private final SampleUploadExtension sample = new SampleUploadExtension();

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            List<UploadJob> finished = context.library().fetchJobs(JobAction.ACKNOWLEDGE);
            AtomicBoolean returned = new AtomicBoolean();
            Thread helper = new Thread(() -> {
                int i = 0;
                int after = 0;
                while (after < 2_000) {
                    for (UploadJob job : finished) {
                        job.responseHeaderFields().ifPresent(headers -> headers.get("X-Helper-" + Thread.currentThread().getId()));
                    }
                    if (!finished.isEmpty()) {
                        finished.get(0).responseHeaderFields().ifPresent(h -> h.get("X-Seen-" + (finished.hashCode() + 0)));
                    }
                    for (UploadJob job : finished) {
                        int n = i++;
                        job.responseHeaderFields().ifPresent(headers -> headers.containsKey("X-Probe-" + n));
                    }
                    if (returned.get()) {
                        after++;
                    }
                    if (i > 200_000) {
                        break;
                    }
                }
                try {
                    context.library().fetchJobs(JobAction.ACKNOWLEDGE); // late work: refused, TRM-04
                } catch (RuntimeException refused) {
                    // expected
                }
            }, "header-reading-helper");
            helper.setDaemon(true);
            helper.start();
            ProcessingResult result = sample.processJobs(context);
            returned.set(true);
            return result;
        }

        @Override
        public void willTerminate() {
            sample.willTerminate();
        }
    }

    @Test
    @DisplayName("helper threads reading headers during and after the call leave a well-formed trace; TRM-04 FAILs the late work")
    void lateThreadsDoNotCorruptTheTrace() throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve("baseline"), 1).plan();
        RunResult result = Simulation.run(plan, ExtensionSource.type(HeaderReadingHelper.class),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process"));
        assertNotEquals("aborted", result.summary().endReason(), "the run was not aborted by a corrupt trace");
        ObjectMapper json = new ObjectMapper();
        int lines = 0;
        for (String line : result.traceText().split("\n")) {
            JsonNode node = json.readTree(line); // throws on a line two writers interleaved
            assertTrue(node.has("ev"), line);
            lines++;
        }
        assertTrue(lines > 100);
        Verdict trm04 = RuleCatalogue.judge("TRM-04", RunEvidence.of(result));
        assertEquals(Verdict.Status.FAIL, trm04.status(), trm04.toString());
        assertTrue(result.traceText().contains("\"ev\":\"header.case\""), "the helper's lookups during the call are judged");
    }
}
