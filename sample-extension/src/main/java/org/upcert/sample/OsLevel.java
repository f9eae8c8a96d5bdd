package org.upcert.sample;

import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;

/**
 * What the device's iOS offers, checked once per call as {@code #available(iOS …, *)} would: a
 * selector an OS level lacks does not exist there, and calling it is refused (and recorded).
 *
 * <ul>
 *   <li>26.4: {@code cancel()}, placeholders (createJob's identifier), a job's {@code type},
 *       {@code responseHeaderFields} and {@code error};
 *   <li>26.5: {@code fetchJobs(.process)} (the jobs in flight);
 *   <li>27: {@code assetResource(forUploadJob:)}.
 * </ul>
 *
 * <p>Below 26.4 a failed job says nothing about why: every failure is treated as transient,
 * with fresh credentials on the next attempt and the attempt cap as the bound. Below 26.5 the
 * jobs in flight are not visible: the ledger remembers which resources have one (see
 * {@link LedgerEntry#jobSinceMillis()}).
 *
 * @param outcomeFields 26.4: {@code type}, {@code responseHeaderFields}, {@code error}, {@code cancel}, placeholders
 * @param processSet 26.5: {@code fetchJobs(.process)}
 * @param assetResource 27: {@code assetResource(forUploadJob:)}
 */
record OsLevel(boolean outcomeFields, boolean processSet, boolean assetResource) {

    /** The level of the device running {@code context}. */
    static OsLevel of(ExtensionContext context) {
        return new OsLevel(context.osAtLeast("26.4"), context.osAtLeast("26.5"), context.osAtLeast("27"));
    }

    /** Everything (the newest OS): for unit tests and tools that do not model OS levels. */
    static OsLevel latest() {
        return new OsLevel(true, true, true);
    }

    /** {@code job.type}; every job is an upload before 26.4 (download-only jobs came with it). */
    JobType type(UploadJob job) {
        return outcomeFields ? job.type() : JobType.UPLOAD;
    }

    /** {@code job.error}; unknown (empty) before 26.4. */
    Optional<UploadError> error(UploadJob job) {
        return outcomeFields ? job.error() : Optional.empty();
    }

    /** {@code job.responseHeaderFields}; none before 26.4. */
    Optional<SortedMap<String, String>> headers(UploadJob job) {
        return outcomeFields ? job.responseHeaderFields() : Optional.empty();
    }

    /**
     * {@code job} as this level lets the extension read it: itself from 26.4; before, a view whose
     * {@code type} is an upload and whose {@code error} and {@code responseHeaderFields} are empty
     * (the members do not exist: nothing says why a job failed), so code that reads them is safe.
     */
    UploadJob view(UploadJob job) {
        return outcomeFields || job instanceof Before264 ? job : new Before264(job);
    }

    private record Before264(UploadJob job) implements UploadJob {
        @Override
        public String localIdentifier() {
            return job.localIdentifier();
        }

        @Override
        public org.upcert.api.JobState state() {
            return job.state();
        }

        @Override
        public JobType type() {
            return JobType.UPLOAD;
        }

        @Override
        public Optional<org.upcert.api.AssetResource> resource() {
            return job.resource();
        }

        @Override
        public org.upcert.api.UploadRequest destination() {
            return job.destination();
        }

        @Override
        public Optional<SortedMap<String, String>> responseHeaderFields() {
            return Optional.empty();
        }

        @Override
        public Optional<UploadError> error() {
            return Optional.empty();
        }
    }
}
