package org.upcert.conformance.mutants;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadJob;

/** Mistakes with the cloud protocol and the system's job records (CLD rules). */
public final class CloudMutants {
    private CloudMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("CLD-01", "reads response headers by their canonical names (X-Goog-Upload-Token): never finds the upload token",
                        ReadsCanonicalHeaderNames.class, ReadsCanonicalHeaderNames::new, "baseline", 1).on("google-photos"),
                MutantCase.of("CLD-02", "acknowledges a finished job only if its resource is set (if let resource = job.resource)",
                        SkipsJobsWithoutResource.class, SkipsJobsWithoutResource::new, "device-quirks-26x", 1));
    }

    /** {@code x-goog-upload-token} → {@code X-Goog-Upload-Token}. */
    static String canonical(String name) {
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : c);
            upper = c == '-';
        }
        return out.toString();
    }

    /**
     * CLD-01: the author's lookups use canonical header names, which on the device's lowercased
     * dictionary find nothing (here the names are canonicalised before the sample's lowercase
     * lookups, which has the same effect).
     */
    public static final class ReadsCanonicalHeaderNames extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return RetryMutants.misreadingJobs(real, job -> new ForwardingJob(job) {
                @Override
                public Optional<SortedMap<String, String>> responseHeaderFields() {
                    return real.responseHeaderFields().map(headers -> {
                        TreeMap<String, String> renamed = new TreeMap<>();
                        headers.forEach((name, value) -> renamed.put(canonical(name), value));
                        return renamed;
                    });
                }
            });
        }
    }

    /** CLD-02: a finished job without a resource is skipped ("nothing to record"), never acknowledged. */
    public static final class SkipsJobsWithoutResource extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return rewritingChanges(real, changes -> new ForwardingChanges(changes) {
                @Override
                public void acknowledge(UploadJob job) {
                    if (job.resource().isPresent()) {
                        real.acknowledge(job);
                    }
                }
            });
        }
    }
}
