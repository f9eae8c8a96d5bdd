package org.upcert.conformance.mutants;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.UploadError;

/**
 * Mutants of the device's own limits (issue 15): memory (a jetsam kill over the budget), the
 * virtual CPU cost of enumerating and reading originals (the 60 s runtime limit), and iCloud
 * downloads of offloaded originals that fail. Each fails under {@code memory-and-cpu}.
 */
public final class MemoryAndCpuMutants {
    private MemoryAndCpuMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("E2E-01", "loads the whole library into memory at every lookup and never lets go within the call"
                        + " (a scan of every asset kept for each photo it looks up): killed for memory (jetsam) before it creates a job",
                        HoardsTheLibraryInMemory.class, HoardsTheLibraryInMemory::new, "memory-and-cpu", 1),
                MutantCase.of("E2E-01", "reads and hashes every original at every call before creating jobs (a content checksum"
                        + " for de-duplication): the reads take longer than the 60 s runtime limit, so every call is killed",
                        HashesEveryOriginalAtEveryCall.class, HashesEveryOriginalAtEveryCall::new, "memory-and-cpu", 1),
                MutantCase.of("RTY-01", "takes an original that could not be downloaded from iCloud (-1008) for a photo that is gone:"
                        + " acknowledges the job and never uploads the resource again",
                        TreatsAnICloudFailureAsPermanent.class, TreatsAnICloudFailureAsPermanent::new, "memory-and-cpu", 1));
    }

    /**
     * Looks each asset up by scanning the whole library ({@code fetchAssets()}, then a filter) and
     * keeps every scan in a list it never clears during the call ("a cache"): the call holds the
     * library once per photo it looks up, and is killed for memory when that passes the budget —
     * before its block of new jobs commits, so nothing is ever created past the first uploads.
     */
    public static final class HoardsTheLibraryInMemory extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                private final List<List<Asset>> scans = new ArrayList<>();

                @Override
                public List<Asset> fetchAssets(Collection<String> localIdentifiers) {
                    Set<String> wanted = new TreeSet<>(localIdentifiers);
                    List<Asset> found = new ArrayList<>();
                    for (String id : wanted) {
                        List<Asset> scan = real.fetchAssets(); // THE MISTAKE: the whole library, for one asset
                        scans.add(scan); // ... kept
                        scan.stream().filter(a -> a.localIdentifier().equals(id)).forEach(found::add);
                    }
                    return found;
                }
            };
        }
    }

    /**
     * Before anything else at every call, reads every original of the library and hashes it (a
     * content checksum to skip duplicates): reading costs time by each original's declared size,
     * so a library of gigabytes takes minutes and every call is killed at the runtime limit
     * before it creates a job. The library is enumerated at every call too, which alone costs a
     * fraction of a second.
     */
    public static final class HashesEveryOriginalAtEveryCall extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (Asset asset : real.fetchAssets()) {
                    for (AssetResource resource : asset.resources()) {
                        try {
                            sha.update(real.requestData(resource)); // THE MISTAKE: every original, at every call
                        } catch (PhotosException gone) {
                            // deleted meanwhile: nothing to hash
                        }
                    }
                }
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            return real;
        }
    }

    /**
     * Reads the sanitized -1008 of an original that could not be downloaded from iCloud as a
     * final refusal (as the -1022 of a destination the system will never send): the sample
     * acknowledges the job and gives the photo up, though the original is still in iCloud and a
     * later attempt would download it.
     */
    public static final class TreatsAnICloudFailureAsPermanent extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return RetryMutants.misreadingJobs(real, job -> job.error().map(e -> e.code() == UploadError.RESOURCE_UNAVAILABLE).orElse(false)
                    ? RetryMutants.withError(job, UploadError.transport(UploadError.BLOCKED_BY_POLICY, "gone")) : job);
        }
    }
}
