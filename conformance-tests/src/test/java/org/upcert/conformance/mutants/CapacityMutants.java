package org.upcert.conformance.mutants;

import java.util.List;
import org.upcert.api.AssetResource;
import org.upcert.api.JobChangeBlock;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.UploadRequest;

/** Mistakes about the job limit. */
public final class CapacityMutants {
    private CapacityMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("CAP-01", "assumes a job limit of 20 and, refused, retries the block one job smaller until it fits",
                        ProbesTheLimit.class, ProbesTheLimit::new, "tiny-job-limit", 1));
    }

    /**
     * CAP-01: trusts a hard-coded limit of 20 (a "window" copied from another app) and, when the
     * system answers LIMIT_EXCEEDED, probes for the real limit by retrying the same block with
     * one creation fewer, again and again, within the same call.
     */
    public static final class ProbesTheLimit extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public int jobLimit() {
                    return 20;
                }

                @Override
                public void performChanges(JobChangeBlock block) throws PhotosException {
                    int allowed = Integer.MAX_VALUE;
                    while (true) {
                        int cap = allowed;
                        int[] creations = {0};
                        try {
                            performRewritten(block, changes -> new ForwardingChanges(changes) {
                                @Override
                                public String createJob(AssetResource resource, UploadRequest destination) {
                                    return creations[0]++ < cap ? real.createJob(resource, destination) : null;
                                }
                            });
                            return;
                        } catch (PhotosException e) {
                            if (e.code() != PhotosErrorCode.LIMIT_EXCEEDED || creations[0] == 0) {
                                throw e;
                            }
                            allowed = Math.min(allowed, creations[0]) - 1;
                        }
                    }
                }
            };
        }
    }
}
