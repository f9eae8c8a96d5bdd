package org.upcert.protocol;

import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.API;
import org.upcert.api.AssetResource;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A job that answers every member from the job it wraps; a view overrides only what it changes
 * ({@link WatchedHeaders} its headers, {@link OsLevelJob} what an OS level lacks).
 */
@API(status = API.Status.INTERNAL, since = "0.2")
abstract class ForwardingUploadJob implements UploadJob {
    private final UploadJob job;

    ForwardingUploadJob(UploadJob job) {
        this.job = Objects.requireNonNull(job, "job");
    }

    /** The wrapped job. */
    final UploadJob job() {
        return job;
    }

    @Override
    public String localIdentifier() {
        return job.localIdentifier();
    }

    @Override
    public JobState state() {
        return job.state();
    }

    @Override
    public JobType type() {
        return job.type();
    }

    @Override
    public Optional<AssetResource> resource() {
        return job.resource();
    }

    @Override
    public UploadRequest destination() {
        return job.destination();
    }

    @Override
    public Optional<SortedMap<String, String>> responseHeaderFields() {
        return job.responseHeaderFields();
    }

    @Override
    public Optional<UploadError> error() {
        return job.error();
    }

    @Override
    public String toString() {
        return job.toString();
    }
}
