package org.upcert.conformance.mutants;

import java.net.URI;
import java.util.List;
import org.upcert.api.AssetResource;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/** Mistakes that reach the cloud or leave jobs of vanished assets behind (E2E rules). */
public final class EndToEndMutants {
    private EndToEndMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("E2E-02", "hard-codes the server path /remote.php/dav/ instead of building on BackgroundUploadURLBase",
                        HardCodesTheServerPath.class, HardCodesTheServerPath::new, "consent-changes", 1),
                MutantCase.of("E2E-02", "uploads to the host it signs in at (the origin of cloud.tokenUrl), not to "
                        + "BackgroundUploadURLBase's: real services keep login, API and upload on separate hosts",
                        UploadsToTheSignInHost.class, UploadsToTheSignInHost::new, "baseline", 1),
                MutantCase.of("E2E-03", "skips jobs whose asset no longer exists: neither acknowledges nor cancels them",
                        SkipsJobsOfDeletedAssets.class, SkipsJobsOfDeletedAssets::new, "library-churn", 1));
    }

    /** E2E-02: every destination's path {@code /dav/} becomes {@code /remote.php/dav/} (outside the base). */
    public static final class HardCodesTheServerPath extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return rewritingChanges(real, changes -> new ForwardingChanges(changes) {
                @Override
                public String createJob(AssetResource resource, UploadRequest destination) {
                    URI url = URI.create(destination.url().toString().replaceFirst("/dav/", "/remote.php/dav/"));
                    return real.createJob(resource, new UploadRequest(url, destination.method(), destination.headers()));
                }
            });
        }
    }

    /**
     * E2E-02 (two hosts): every destination's origin becomes the origin of {@code cloud.tokenUrl}
     * (the author assumed one host for everything). The stub's upload host differs from its service
     * host, so each destination lies outside {@code BackgroundUploadURLBase}: the system blocks it.
     */
    public static final class UploadsToTheSignInHost extends SampleMutant {
        private volatile String signInOrigin = "";

        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            URI token = URI.create(context.configuration().getOrDefault("cloud.tokenUrl", context.uploadUrlBase().toString()));
            signInOrigin = token.getScheme() + "://" + token.getRawAuthority();
            return super.processJobs(context);
        }

        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return rewritingChanges(real, changes -> new ForwardingChanges(changes) {
                @Override
                public String createJob(AssetResource resource, UploadRequest destination) {
                    URI url = destination.url();
                    URI moved = URI.create(signInOrigin + url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
                    return real.createJob(resource, new UploadRequest(moved, destination.method(), destination.headers()));
                }
            });
        }
    }

    /**
     * E2E-03: looks the asset up before acknowledging or cancelling (to log its filename) and
     * skips the job when the asset is gone.
     */
    public static final class SkipsJobsOfDeletedAssets extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public void performChanges(org.upcert.api.JobChangeBlock block) throws org.upcert.api.PhotosException {
                    PhotoLibrary library = real;
                    performRewritten(block, changes -> new ForwardingChanges(changes) {
                        private boolean assetGone(UploadJob job) {
                            return job.resource().map(r -> library.fetchAssets(List.of(r.assetLocalIdentifier())).isEmpty())
                                    .orElse(false);
                        }

                        @Override
                        public void acknowledge(UploadJob job) {
                            if (!assetGone(job)) {
                                real.acknowledge(job);
                            }
                        }

                        @Override
                        public void cancel(UploadJob job) {
                            if (!assetGone(job)) {
                                real.cancel(job);
                            }
                        }
                    });
                }
            };
        }
    }
}
