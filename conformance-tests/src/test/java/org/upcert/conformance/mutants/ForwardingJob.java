package org.upcert.conformance.mutants;

import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.AssetResource;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A job that forwards everything; mutants override what they misread. The system identifies a
 * job by its local identifier, so a forwarding job can be handed back to {@code JobChanges}.
 */
public class ForwardingJob implements UploadJob {
    protected final UploadJob real;

    public ForwardingJob(UploadJob real) {
        this.real = real;
    }

    @Override
    public String localIdentifier() {
        return real.localIdentifier();
    }

    @Override
    public JobState state() {
        return real.state();
    }

    @Override
    public JobType type() {
        return real.type();
    }

    @Override
    public Optional<AssetResource> resource() {
        return real.resource();
    }

    @Override
    public UploadRequest destination() {
        return real.destination();
    }

    @Override
    public Optional<SortedMap<String, String>> responseHeaderFields() {
        return real.responseHeaderFields();
    }

    @Override
    public Optional<UploadError> error() {
        return real.error();
    }
}
