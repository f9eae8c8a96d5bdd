package org.upcert.conformance.mutants;

import java.util.List;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.conformance.styles.HydratingExtension;

/**
 * Mutants of download-only jobs ({@code creationRequestForDownloadJob}, iOS 26.4; reference §1.3,
 * §7.24), twins of the correct {@link HydratingExtension}.
 */
public final class DownloadMutants {
    private DownloadMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("E2E-01", "records a download-only job's success as the resource uploaded and never creates its"
                        + " upload job", DownloadCountedAsUpload.class, DownloadCountedAsUpload::new, "memory-and-cpu", 1),
                MutantCase.of("RES-04", "creates download-only jobs without checking the OS level: on iOS 26.1 the selector"
                        + " does not exist and the call traps", DownloadsBelow264.class, DownloadsBelow264::new, "baseline", 1)
                        .onOs("26.1"));
    }

    /**
     * "The job succeeded, so the photo is backed up": the hydrating extension reads a download-only
     * job's success as an upload and records the resource as uploaded in its ledger. Nothing was
     * sent anywhere (§7.24: download-only jobs are not upload successes): every photo is lost
     * (E2E-01, whose fate says "only download-only jobs").
     */
    public static final class DownloadCountedAsUpload extends HydratingExtension {
        @Override
        protected State afterDownload() {
            return State.UPLOADED; // THE MISTAKE: a download is not an upload
        }
    }

    /**
     * "Download-only jobs exist on every device that has the feature": the hydrating extension
     * never checks the OS level. On iOS 26.1 {@code createDownloadJob} does not exist: upcert
     * refuses it with an UnsupportedOperationException, which this extension even catches and
     * works around; on a device the selector is missing and the call traps, crashing the process
     * (RES-04, from the trace's {@code api.refused}). The harness runs on.
     */
    public static final class DownloadsBelow264 extends HydratingExtension {
        @Override
        protected boolean downloadJobsExist(ExtensionContext context) {
            return true; // THE MISTAKE: no #available(iOS 26.4, *)
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            try {
                return super.processJobs(context);
            } catch (UnsupportedOperationException missing) {
                context.log().warn("download-only jobs unavailable: " + missing.getMessage());
                return ProcessingResult.PROCESSING;
            }
        }
    }
}
