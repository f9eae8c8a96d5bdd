package org.upcert.conformance.mutants;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/** Mistakes in handling failed jobs (RTY rules). */
public final class RetryMutants {
    private RetryMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("RTY-01", "treats every failed upload as final: acknowledges it and never uploads the resource again",
                        GivesUpOnFailures.class, GivesUpOnFailures::new, "flaky-network", 1),
                MutantCase.of("RTY-02", "takes every refusal for a network hiccup: resends the refused request as is (retry(job, nil))",
                        TreatsEveryErrorAsTransient.class, TreatsEveryErrorAsTransient::new, "cloud-errors", 1),
                MutantCase.of("RTY-02", "takes a failed upload whose answer carries the object's ETag for an interrupted transfer "
                        + "and uploads it again, for ever (a 204 the system reported as failed)",
                        EtagOnAFailureMeansInterrupted.class, EtagOnAFailureMeansInterrupted::new, "quirks-with-lost-responses", 1),
                MutantCase.of("RTY-03", "retries an expired destination with retry(job, nil): the stale token",
                        RetriesWithTheStaleDestination.class, RetriesWithTheStaleDestination::new, "expired-urls", 1),
                MutantCase.of("RTY-03", "retries an expired presigned URL with retry(job, nil): the stale URL",
                        RetriesWithTheStaleDestination.class, RetriesWithTheStaleDestination::new, "expired-urls", 1)
                        .on("s3-presigned"));
    }

    /** The library with every fetched job passed through {@code misread}. */
    static PhotoLibrary misreadingJobs(PhotoLibrary real, UnaryOperator<UploadJob> misread) {
        return new SampleMutant.ForwardingLibrary(real) {
            @Override
            public List<UploadJob> fetchJobs(JobAction action) {
                return real.fetchJobs(action).stream().map(misread).toList();
            }
        };
    }

    /** A failed job whose error reads as {@code error}. */
    static UploadJob withError(UploadJob job, UploadError error) {
        return new ForwardingJob(job) {
            @Override
            public Optional<UploadError> error() {
                return Optional.of(error);
            }
        };
    }

    /**
     * RTY-01: "a failure is a failure": every failed job reads as final by the system's word
     * (blocked by policy), so a dropped connection is given up. Device-visible: it misreads the
     * sanitized code, which is all a device shows.
     */
    public static final class GivesUpOnFailures extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return misreadingJobs(real, job -> job.error().isPresent()
                    ? withoutHeaders(withError(job, UploadError.transport(UploadError.BLOCKED_BY_POLICY, "blocked"))) : job);
        }
    }

    /**
     * RTY-02: every server answer reads as a network hiccup (a lost connection, no response
     * headers), so a refused request — a 401, a 5xx — is resent as is with retry(job, nil).
     * (Before upcert judged on what a device shows, this mutant read every HTTP status as 503.)
     */
    public static final class TreatsEveryErrorAsTransient extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return misreadingJobs(real, job -> job.responseHeaderFields().isPresent() && job.error().isPresent()
                    ? withoutHeaders(withError(job, UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "lost"))) : job);
        }
    }

    /**
     * RTY-02, met only where a 2xx is reported as failed and the headers show (iOS 26.4+ with the
     * 204 quirk, {@code quirks-with-lost-responses}): a failed job whose response carries an
     * {@code etag} is read as a transfer interrupted before the final answer (as a resumable
     * upload's interim response would be), i.e. as a lost connection, so the sample tries it again
     * and never gives up. After a lost response the object is stored, every new attempt overwrites
     * it, is answered 204, reported failed with the object's ETag, and tried again: an unbounded
     * loop of re-uploads. Elsewhere no failed job carries an ETag and it is the sample: the old
     * catalogue certified it.
     */
    public static final class EtagOnAFailureMeansInterrupted extends SampleMutant {
        private volatile boolean headersExist;

        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            headersExist = context.osAtLeast("26.4"); // responseHeaderFields does not exist before
            return super.processJobs(context);
        }

        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return misreadingJobs(real, job -> headersExist && job.state() == org.upcert.api.JobState.FAILED
                    && job.responseHeaderFields().map(h -> h.containsKey("etag")).orElse(false)
                    ? withoutHeaders(withError(job, UploadError.transport(UploadError.NETWORK_CONNECTION_LOST, "lost"))) : job);
        }
    }

    /** A job that shows no response headers (as if no response had arrived). */
    static UploadJob withoutHeaders(UploadJob job) {
        return new ForwardingJob(job) {
            @Override
            public Optional<java.util.SortedMap<String, String>> responseHeaderFields() {
                return Optional.empty();
            }
        };
    }

    /** RTY-03: drops the fresh destination of every retry (retry(job, nil) reuses the expired one). */
    public static final class RetriesWithTheStaleDestination extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return rewritingChanges(real, changes -> new ForwardingChanges(changes) {
                @Override
                public void retry(UploadJob job, UploadRequest newDestination) {
                    real.retry(job, null);
                }
            });
        }
    }
}
