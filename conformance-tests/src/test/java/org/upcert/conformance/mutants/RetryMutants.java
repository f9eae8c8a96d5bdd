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
                MutantCase.of("RTY-02", "treats every HTTP error as a server hiccup: retries a 401 with the same request",
                        TreatsEveryErrorAsTransient.class, TreatsEveryErrorAsTransient::new, "cloud-errors", 1),
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

    /** RTY-01: "a failure is a failure": every failed job reads as a 400, so it is given up. */
    public static final class GivesUpOnFailures extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return misreadingJobs(real, job -> job.error().isPresent() ? withError(job, UploadError.httpStatus(400)) : job);
        }
    }

    /** RTY-02: every HTTP error status reads as a 503, so a 401 is retried with its original request. */
    public static final class TreatsEveryErrorAsTransient extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return misreadingJobs(real, job -> job.error().flatMap(UploadError::httpStatus).isPresent()
                    ? withError(job, UploadError.httpStatus(503)) : job);
        }
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
