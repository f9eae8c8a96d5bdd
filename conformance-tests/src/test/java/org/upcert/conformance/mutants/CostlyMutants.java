package org.upcert.conformance.mutants;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.AssetResource;
import org.upcert.api.JobChangeBlock;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.UploadError;
import org.upcert.api.UploadRequest;

/**
 * Mistakes that would make the harness itself pay: a spin, a flood, an endless loop of doomed
 * uploads. Each still FAILs its rule, and costs the harness a bounded number of simulated events
 * (MisbehaviourCostTest counts them).
 */
public final class CostlyMutants {
    private CostlyMutants() {
    }

    /** How often {@link ResubmitsRefusedBlocks} re-submits a refused block within one call. */
    public static final int RESUBMISSIONS = 300;

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("CAP-01", "re-submits a block the system refused with LIMIT_EXCEEDED, up to "
                        + RESUBMISSIONS + " times per call", ResubmitsRefusedBlocks.class, ResubmitsRefusedBlocks::new,
                        "tiny-job-limit", 1),
                MutantCase.of("E2E-02", "builds destinations on a hard-coded host and takes the system's refusal for a "
                        + "network hiccup: uploads outside the base, for ever", UploadsOutsideTheBaseForever.class,
                        UploadsOutsideTheBaseForever::new, "baseline", 1));
    }

    /** CAP-01: refused with LIMIT_EXCEEDED, the same block again, and again (a retry loop around performChanges). */
    public static final class ResubmitsRefusedBlocks extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public void performChanges(JobChangeBlock block) throws PhotosException {
                    for (int attempt = 1;; attempt++) {
                        try {
                            real.performChanges(block);
                            return;
                        } catch (PhotosException e) {
                            if (e.code() != PhotosErrorCode.LIMIT_EXCEEDED || attempt >= RESUBMISSIONS) {
                                throw e;
                            }
                        }
                    }
                }
            };
        }
    }

    /**
     * E2E-02: every destination goes to another host than the base, and the system's "blocked"
     * failure reads as a lost connection, so the sample retries and re-creates for ever.
     */
    public static final class UploadsOutsideTheBaseForever extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            PhotoLibrary misreading = RetryMutants.misreadingJobs(real, job -> job.error().isPresent()
                    ? RetryMutants.withError(job, UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "lost")) : job);
            return rewritingChanges(misreading, changes -> new ForwardingChanges(changes) {
                @Override
                public String createJob(AssetResource resource, UploadRequest destination) {
                    return real.createJob(resource, elsewhere(destination));
                }

                @Override
                public void retry(org.upcert.api.UploadJob job, UploadRequest destination) {
                    real.retry(job, destination == null ? null : elsewhere(destination));
                }
            });
        }

        private static UploadRequest elsewhere(UploadRequest destination) {
            URI url = destination.url();
            URI moved = URI.create("http://uploads.example.net:" + (url.getPort() < 0 ? 80 : url.getPort()) + url.getRawPath());
            return new UploadRequest(moved, destination.method(), destination.headers());
        }
    }

    /** Logs {@code lines} lines per call before doing the sample's work. */
    public static final class FloodsTheLog extends SampleMutant {
        private final int lines;

        public FloodsTheLog(int lines) {
            this.lines = lines;
        }

        public FloodsTheLog() {
            this(100_000);
        }


        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            for (int i = 0; i < lines; i++) {
                context.log().info("checking queue state " + i);
            }
            return super.processJobs(context);
        }
    }

    /** In its first call (remembered in storage), logs in an endless loop; afterwards the sample's work. */
    public static final class LogsForEverOnce extends SampleMutant {
        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            if (context.storage().read("flooded").isEmpty()) {
                context.storage().write("flooded", utf8("yes"));
                for (long i = 0;; i++) {
                    context.log().info("waiting for the queue " + i);
                }
            }
            return super.processJobs(context);
        }
    }

    /**
     * At every call: a thousand log lines (the per-call cut starts above), then acknowledges
     * whatever finished and uploads the library's first resource once more, for ever, to a path
     * the cloud refuses (404: RTY-02). Something moves at every call, so the run never stalls;
     * seven simulated days of it were 9,452 calls and 9.5 million log lines. The run's log budget
     * counts its lines after the first 2,000, and the churn budget ends the run after 30 refusals
     * of that resource in a row.
     */
    public static final class ChurnsForEver implements org.upcert.api.UploadExtension {
        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            for (int i = 0; i < 1_000; i++) {
                context.log().info("checking the queue " + i);
            }
            PhotoLibrary library = context.library();
            List<org.upcert.api.UploadJob> finished = library.fetchJobs(org.upcert.api.JobAction.ACKNOWLEDGE);
            AssetResource resource = library.fetchAssets().get(0).resources().get(0);
            URI url = URI.create(context.uploadUrlBase() + "/churn/" + resource.originalFilename());
            try {
                library.performChanges(changes -> {
                    finished.forEach(changes::acknowledge);
                    changes.createJob(resource, UploadRequest.put(url));
                });
            } catch (PhotosException e) {
                return org.upcert.api.ProcessingResult.FAILURE;
            }
            return org.upcert.api.ProcessingResult.PROCESSING;
        }

        @Override
        public void willTerminate() {
        }
    }

    /**
     * In each of its first three calls (counted in storage, so a relaunch goes on counting), logs
     * 40,000 lines: more than a call can pay for (past 1,000 lines each costs 2 ms), so every one
     * of them is killed at the runtime limit; the first call's lines are traced or cut one by one,
     * the later calls' are counted (the run logged more than 2,000), which a worker sends as counts.
     * Then COMPLETED.
     */
    public static final class LogsPastTheRuntimeLimit implements org.upcert.api.UploadExtension {
        public static final int LINES = 40_000;

        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            int calls = context.storage().read("calls").map(b -> Integer.parseInt(new String(b, StandardCharsets.UTF_8))).orElse(0);
            if (calls >= 3) {
                return org.upcert.api.ProcessingResult.COMPLETED;
            }
            context.storage().write("calls", Integer.toString(calls + 1).getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < LINES; i++) {
                context.log().info("line " + i);
            }
            return org.upcert.api.ProcessingResult.PROCESSING;
        }

        @Override
        public void willTerminate() {
        }
    }

    /**
     * Reads its state from storage 9,000 times at every call (each read is an API call, traced)
     * and answers PROCESSING, for ever: no upload, nothing moves. Each call is ~9,000 trace
     * events; the run's event budget ends it long before the stall stop would.
     */
    public static final class ReadsStorageForEver implements org.upcert.api.UploadExtension {
        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            // 9,000: under the 10,000 API calls a call that changes nothing may make before it counts as
            // spinning (Simulation.SPIN_API_CALLS), so that the run meets the event budget instead
            for (int i = 0; i < 9_000; i++) {
                context.storage().read("state");
            }
            return org.upcert.api.ProcessingResult.PROCESSING;
        }

        @Override
        public void willTerminate() {
        }
    }

    /** Asks for the authorization status {@code calls} times per call (a polling loop). */
    public static final class PollsTheApi extends SampleMutant {
        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            for (int i = 0; i < 100_000; i++) {
                context.library().authorizationStatus();
            }
            return super.processJobs(context);
        }
    }

    /** Writes a 64 MiB "cache" under a new name at every call. */
    public static final class HoardsStorage extends SampleMutant {
        private static final byte[] BLOB = new byte[64 << 20];


        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            real.write("cache/" + real.list("cache/").size(), BLOB);
            return real;
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
