package org.upcert.conformance.mutants;

import java.util.List;
import java.util.Optional;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadJob;

/**
 * Mutants of updates (issue 15): {@code os.upgrade} (jobs from iOS 26.x living on into 27) and
 * {@code app.upgrade} (a new build taking over what the old one stored). Each must fail under the
 * {@code upgrades} profile; the correct new build ({@link MigratesTheV1Ledger}) passes
 * (UpgradeFaultsTest).
 */
public final class UpgradeMutants {
    private UpgradeMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("CLD-02", "on iOS 27 asks assetResource(forUploadJob:) for every job, as Apple recommends instead of"
                        + " the deprecated job.resource, so the jobs created under 26.5 before the OS upgrade abort the process",
                        AsksAssetResourceForEveryJob.class, AsksAssetResourceForEveryJob::new, "upgrades", 1),
                // The new build starts afresh: it creates jobs again for photos the old build had
                // uploaded (DUP-02 WARN); the MUST rule it breaks is CLD-02's, a job made for a photo
                // whose finished job (resource nil on 26.5) had uploaded it.
                MutantCase.of("CLD-02", "the new build cannot read the ledger the old build stored in its v1 format: after the app"
                        + " update it starts afresh and uploads again", LedgerV1Build.class, LedgerV1Build::new, "upgrades", 1)
                        .upgradingTo(CannotReadTheV1Ledger.class, CannotReadTheV1Ledger::new));
    }

    /**
     * "job.resource is deprecated on iOS 27: use assetResource(forUploadJob:)" applied to every
     * job: each job the sample fetches on 27 answers {@code resource()} with the library's
     * {@code assetResource(job)}. For a job created before the upgrade that call aborts the
     * process (YAIIU #80), at every call that meets one: the legacy jobs are never acknowledged
     * and clog the capacity.
     */
    public static final class AsksAssetResourceForEveryJob extends SampleMutant {
        private volatile boolean ios27;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            ios27 = context.osAtLeast("27");
            return super.processJobs(context);
        }

        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            if (!ios27) {
                return real;
            }
            return new ForwardingLibrary(real) {
                @Override
                public List<UploadJob> fetchJobs(JobAction action) {
                    PhotoLibrary library = real;
                    return real.fetchJobs(action).stream().<UploadJob>map(job -> new ForwardingJob(job) {
                        @Override
                        public Optional<AssetResource> resource() {
                            return library.assetResource(job); // THE MISTAKE: the API aborts for a job from 26.x
                        }
                    }).toList();
                }
            };
        }
    }

    /** The prefix under which the old build keeps everything it stores (its v1 layout). */
    static final String V1 = "v1/";

    /**
     * The old build: the sample, with everything it stores kept under {@value #V1} (its ledger
     * format v1: the layout of a build before the current one). Correct on its own.
     */
    public static final class LedgerV1Build extends SampleMutant {
        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return new AppGroupStorage() {
                @Override
                public Optional<byte[]> read(String name) {
                    return real.read(V1 + name);
                }

                @Override
                public void write(String name, byte[] content) {
                    real.write(V1 + name, content);
                }

                @Override
                public void append(String name, byte[] content) {
                    real.append(V1 + name, content);
                }

                @Override
                public boolean delete(String name) {
                    return real.delete(V1 + name);
                }

                @Override
                public List<String> list(String prefix) {
                    return real.list(V1 + prefix).stream().map(name -> name.substring(V1.length())).toList();
                }
            };
        }
    }

    /**
     * A new build that reads only its own layout: the ledger, change token and credentials the
     * old build stored under {@value #V1} are never looked at. THE MISTAKE: it starts afresh.
     */
    public static final class CannotReadTheV1Ledger extends SampleMutant {
    }

    /**
     * The correct new build: before its first use of the container in each call, it moves what the
     * old build stored under {@value #V1} to its own layout — every file copied, then a marker
     * written, then the old files deleted — so a kill anywhere in between is repaired by the next
     * call (the copy is redone while the marker is absent; the old files stay until it exists).
     */
    public static final class MigratesTheV1Ledger extends SampleMutant {
        static final String MARKER = "upgrade/migrated-from-v1";


        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return new AppGroupStorage() {
                private boolean migrated;

                private void migrate() {
                    if (migrated) {
                        return;
                    }
                    List<String> old = real.list(V1);
                    if (!old.isEmpty() && real.read(MARKER).isEmpty()) {
                        for (String name : old) {
                            byte[] content = real.read(name).orElse(new byte[0]);
                            real.write(name.substring(V1.length()), content);
                        }
                        real.write(MARKER, new byte[] {'1'});
                    }
                    for (String name : old) {
                        real.delete(name);
                    }
                    migrated = true;
                }

                @Override
                public Optional<byte[]> read(String name) {
                    migrate();
                    return real.read(name);
                }

                @Override
                public void write(String name, byte[] content) {
                    migrate();
                    real.write(name, content);
                }

                @Override
                public void append(String name, byte[] content) {
                    migrate();
                    real.append(name, content);
                }

                @Override
                public boolean delete(String name) {
                    migrate();
                    return real.delete(name);
                }

                @Override
                public List<String> list(String prefix) {
                    migrate();
                    return real.list(prefix);
                }
            };
        }
    }
}
