package org.upcert.conformance.mutants;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.upcert.api.Asset;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
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
                        TreatsAnICloudFailureAsPermanent.class, TreatsAnICloudFailureAsPermanent::new, "memory-and-cpu", 1),
                MutantCase.of("TRM-03", SavesItsLedgerWithThePreviewCache.MISTAKE,
                        SavesItsLedgerWithThePreviewCache.class, SavesItsLedgerWithThePreviewCache::new, "memory-and-cpu", 1));
    }

    /**
     * The cases caught by the {@code memory.pressure} windows alone: without them the same profile
     * and seed pass every MUST rule ({@code MemoryAndCpuAcceptanceTest} shows both halves).
     */
    public static List<MutantCase> caughtByPressureAlone() {
        return cases().stream().filter(c -> c.type() == SavesItsLedgerWithThePreviewCache.class).toList();
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

    /**
     * Writes everything it stores once, when the call ends: its ledger (the sample's writes, kept
     * in memory during the call) and a 10 MiB cache of previews the host app shows, which it reads
     * back at the end of every call to refresh it. 14 MiB with the process's base fit the 32 MiB
     * budget, so on a phone with memory to spare it passes; while other apps hold memory (a
     * {@code memory.pressure} window leaves 12 MiB) the read at the end of the call is
     * jetsam-killed after the call's job changes committed, and the outcomes it stored before
     * acknowledging are lost with the rest of the call's writes: after the relaunch the ledger
     * has those photos as still to upload, and they are uploaded again (TRM-03). A hard kill
     * anywhere in a call would find the same mistake; in {@code memory-and-cpu} only the memory
     * windows kill.
     */
    public static final class SavesItsLedgerWithThePreviewCache extends SampleMutant {
        static final String MISTAKE = "keeps the call's storage writes in memory and writes them out when the call ends, after"
                + " reading back its 10 MiB preview cache to refresh it: it fits the 32 MiB budget, but under memory pressure"
                + " the read is jetsam-killed after the call's changes committed, and their stored outcomes are lost";
        static final String PREVIEWS = "previews.cache";
        static final int PREVIEW_CACHE_BYTES = 10 * 1024 * 1024;
        private TerminationMutants.BufferedStorage buffered;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            buffered = new TerminationMutants.BufferedStorage(context.storage());
            ProcessingResult result = super.processJobs(context);
            byte[] previews = context.storage().read(PREVIEWS).orElseGet(() -> new byte[PREVIEW_CACHE_BYTES]); // THE MISTAKE: read before ...
            previews[0]++; // (the previews of this call's uploads)
            buffered.write(PREVIEWS, previews);
            buffered.flush(); // ... the call's writes reach the app group
            return result;
        }

        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return buffered;
        }
    }
}
