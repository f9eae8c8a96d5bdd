package org.upcert.conformance.mutants;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadJob;

/** Mistakes with the cloud protocol and the system's job records (CLD rules). */
public final class CloudMutants {
    private CloudMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("CLD-01", "reads response headers by their canonical names (X-Goog-Upload-Token): never finds the upload token",
                        ReadsCanonicalHeaderNames.class, ReadsCanonicalHeaderNames::new, "baseline", 1)
                        .on("google-photos" + org.upcert.conformance.testing.CloudSpec.LENIENT),
                MutantCase.of("CLD-01", "reads response headers by their canonical names (Retry-After, X-Object-Id)",
                        ReadsCanonicalHeaderNames.class, ReadsCanonicalHeaderNames::new, "cloud-errors", 1),
                MutantCase.of("CLD-01", "records a batchCreate answer in memory only: after a relaunch it commits the same "
                        + "upload tokens again (the cloud refuses them as already committed)",
                        CommitsRecordedInMemory.class, CommitsRecordedInMemory::new, "baseline", 1)
                        .on("google-photos" + org.upcert.conformance.testing.CloudSpec.LENIENT),
                MutantCase.of("ACK-02", "waits for the item's metadata in a dropbox-api-result response header before "
                        + "acknowledging a succeeded upload: a header the real files/upload never sends (its metadata is in "
                        + "the body), so with the strict stub no succeeded job is ever acknowledged",
                        ReadsAnInventedHeader.class, ReadsAnInventedHeader::new, "baseline", 1).on("dropbox"),
                MutantCase.of("CLD-02", "acknowledges a finished job only if its resource is set (if let resource = job.resource)",
                        SkipsJobsWithoutResource.class, SkipsJobsWithoutResource::new, "device-quirks-26x", 1));
    }

    /**
     * ACK-02 (strict headers): the author takes the server's metadata from {@code dropbox-api-result}
     * (which upcert's lenient stub repeats, as a proxy would) and leaves a succeeded job whose
     * headers lack it for later, to be acknowledged once the metadata shows. Against the real
     * service (the strict stub) it never shows: presented succeeded jobs stay unacknowledged.
     * Here the sample does not see such a job at all, as the author's loop skips it.
     */
    public static final class ReadsAnInventedHeader extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new SampleMutant.ForwardingLibrary(real) {
                @Override
                public List<UploadJob> fetchJobs(org.upcert.api.JobAction action) {
                    return real.fetchJobs(action).stream().filter(job -> job.state() != org.upcert.api.JobState.SUCCEEDED
                            || job.responseHeaderFields().map(h -> h.containsKey("dropbox-api-result")).orElse(false)).toList();
                }
            };
        }
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
     * CLD-01: the author's lookups use canonical header names ({@code headers["X-Goog-Upload-Token"]}),
     * which on the device's lowercased dictionary find nothing. Here the sample's lowercase
     * lookups are spelled canonically before they reach the system's dictionary: the same
     * lookups an author writing canonical names makes.
     */
    public static final class ReadsCanonicalHeaderNames extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return RetryMutants.misreadingJobs(real, job -> new ForwardingJob(job) {
                @Override
                public Optional<SortedMap<String, String>> responseHeaderFields() {
                    return real.responseHeaderFields().map(CanonicalLookups::new);
                }
            });
        }
    }

    /** A header dictionary whose lookups are respelled canonically on their way to the real one. */
    static final class CanonicalLookups extends TreeMap<String, String> {
        private static final long serialVersionUID = 1L;
        private final transient SortedMap<String, String> real;

        CanonicalLookups(SortedMap<String, String> real) {
            super(real);
            this.real = real;
        }

        @Override
        public String get(Object key) {
            return real.get(key instanceof String name ? canonical(name) : key);
        }

        @Override
        public boolean containsKey(Object key) {
            return real.containsKey(key instanceof String name ? canonical(name) : key);
        }

        @Override
        public String getOrDefault(Object key, String fallback) {
            return real.getOrDefault(key instanceof String name ? canonical(name) : key, fallback);
        }
    }

    /**
     * CLD-01: the upload tokens are kept in the app group, but the commit answers only in memory
     * ("the server remembers what it committed"): the journal line recording a commit
     * ({@code media:<id>}) never reaches storage. The next process reads the tokens as pending and
     * commits them again; the cloud refuses each as already committed. The first commit was
     * answered 200 in a call that returned normally: the extension knew.
     */
    public static final class CommitsRecordedInMemory extends SampleMutant {
        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return new SampleMutant.ForwardingStorage(real) {
                @Override
                public void append(String name, byte[] content) {
                    StringBuilder kept = new StringBuilder();
                    for (String line : new String(content, java.nio.charset.StandardCharsets.UTF_8).split("(?<=\n)")) {
                        if (!line.contains("media:")) {
                            kept.append(line);
                        }
                    }
                    if (kept.length() > 0) {
                        real.append(name, kept.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            };
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
