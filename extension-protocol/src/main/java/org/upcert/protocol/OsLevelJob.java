package org.upcert.protocol;

import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;
import org.upcert.api.API;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;

/**
 * A job as an iOS 26.1 device shows it: {@code type}, {@code responseHeaderFields} and
 * {@code error} arrived in iOS 26.4, so on 26.1 their selectors do not exist. Reading one calls
 * {@code refuse} with the member's name ({@code "UploadJob.error"}), which records the refusal
 * and throws. Shared by the harness (in-process hosting) and the JVM worker, so the refusal is
 * the same in every isolation mode.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class OsLevelJob {
    private OsLevelJob() {
    }

    /** {@code job} with the members iOS 26.1 lacks refused through {@code refuse} (which throws). */
    public static UploadJob before264(UploadJob job, Consumer<String> refuse) {
        return new Job(job, refuse);
    }

    /** The job as it was before {@link #before264}: reading it refuses nothing. */
    public static UploadJob unrestricted(UploadJob job) {
        return job instanceof Job restricted ? restricted.job() : job;
    }

    private static final class Job extends ForwardingUploadJob {
        private final Consumer<String> refuse;

        Job(UploadJob job, Consumer<String> refuse) {
            super(job);
            this.refuse = refuse;
        }

        @Override
        public JobType type() {
            refuse.accept("UploadJob.type");
            throw new UnsupportedOperationException("UploadJob.type is not available before iOS 26.4");
        }

        @Override
        public Optional<SortedMap<String, String>> responseHeaderFields() {
            refuse.accept("UploadJob.responseHeaderFields");
            throw new UnsupportedOperationException("UploadJob.responseHeaderFields is not available before iOS 26.4");
        }

        @Override
        public Optional<UploadError> error() {
            refuse.accept("UploadJob.error");
            throw new UnsupportedOperationException("UploadJob.error is not available before iOS 26.4");
        }
    }
}
