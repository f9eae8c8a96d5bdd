package org.upcert.conformance.mutants;

import java.net.URI;
import java.util.List;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadRequest;

/** Mistakes in what processJobs answers. */
public final class ResultMutants {
    private ResultMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("RES-01", "answers COMPLETED whenever the queue is full (\"the system calls again when capacity frees\")",
                        CompletesWhenQueueFull.class, CompletesWhenQueueFull::new, "baseline", 1).onOs("26.5"),
                MutantCase.of("RES-02", "answers FAILURE whenever an upload failed since the last call",
                        FailsWhenUploadsFail.class, FailsWhenUploadsFail::new, "flaky-network", 1),
                MutantCase.of("RES-03", "waits for a captive-portal check that can never succeed, answering PROCESSING each time",
                        WaitsForCaptivePortalCheck.class, WaitsForCaptivePortalCheck::new, "baseline", 1));
    }

    /** RES-01: a full queue is taken for "nothing to do now", so the call answers COMPLETED. */
    public static final class CompletesWhenQueueFull extends SampleMutant {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            ProcessingResult result = super.processJobs(context);
            PhotoLibrary library = context.library();
            int unacknowledged = library.fetchJobs(JobAction.PROCESS).size() + library.fetchJobs(JobAction.ACKNOWLEDGE).size();
            return result == ProcessingResult.PROCESSING && unacknowledged >= library.jobLimit() ? ProcessingResult.COMPLETED
                    : result;
        }
    }

    /** RES-02: a failed upload is taken for an unrecoverable error: the call answers FAILURE. */
    public static final class FailsWhenUploadsFail extends SampleMutant {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            boolean uploadsFailed = !context.library().fetchJobs(JobAction.RETRY).isEmpty();
            ProcessingResult result = super.processJobs(context);
            return uploadsFailed ? ProcessingResult.FAILURE : result;
        }
    }

    /**
     * RES-03: before any work, checks for a captive portal at Apple's well-known URL and answers
     * PROCESSING ("try again when the network is really up") while the check fails. In upcert,
     * as behind many corporate proxies, it never succeeds; the extension spins on PROCESSING
     * without ever doing anything.
     */
    public static final class WaitsForCaptivePortalCheck extends SampleMutant {
        private static final URI PORTAL_CHECK = URI.create("http://captive.apple.com/hotspot-detect.html");

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            try {
                if (!context.http().send(UploadRequest.get(PORTAL_CHECK), new byte[0]).isSuccessful()) {
                    return ProcessingResult.PROCESSING;
                }
            } catch (ExtensionHttp.TransportException notYet) {
                return ProcessingResult.PROCESSING;
            }
            return super.processJobs(context);
        }
    }
}
