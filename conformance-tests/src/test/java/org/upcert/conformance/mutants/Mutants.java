package org.upcert.conformance.mutants;

import java.util.List;
import org.upcert.api.JobAction;
import org.upcert.api.JobChangeBlock;
import org.upcert.api.JobState;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.UploadJob;

/** Realistic mistakes, one per mutant. */
public final class Mutants {
    private Mutants() {
    }

    /** The rule each mutant here breaks, and a profile and seed that expose it. */
    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("ACK-01", "never acknowledges failed jobs", NeverAcknowledgesFailed.class,
                        NeverAcknowledgesFailed::new, "flaky-network", 1),
                // library churn wakes the extension while uploads are still in flight
                MutantCase.of("DUP-01", "reads an empty PROCESS set and creates a second job for a resource in flight",
                        IgnoresJobsInFlight.class, IgnoresJobsInFlight::new, "library-churn", 1),
                MutantCase.of("JOB-02", "acknowledges jobs still in flight along with the finished ones",
                        AcknowledgesInFlightJobs.class, AcknowledgesInFlightJobs::new, "library-churn", 1),
                MutantCase.of("ACK-02", "acknowledges at most ten jobs per call and leaves the rest (50008)",
                        AcknowledgesTenPerBlock.class, AcknowledgesTenPerBlock::new, "baseline", 1),
                MutantCase.of("TRM-04", "keeps the context in a field and writes to storage after returning",
                        CachesTheContext.class, CachesTheContext::new, "baseline", 1),
                MutantCase.of("RES-04", "throws on a failed job it has no code path for", ThrowsOnFailedJobs.class,
                        ThrowsOnFailedJobs::new, "flaky-network", 1),
                MutantCase.of("JOB-03", "retries failed jobs whose one retry is spent", RetriesSpentJobs.class,
                        RetriesSpentJobs::new, "flaky-network", 1),
                MutantCase.of("E2E-01", "skips videos as too big for background upload", SkipsVideos.class, SkipsVideos::new,
                        "baseline", 1),
                MutantCase.of("JOB-05", "retries a failed job and acknowledges it in the same call",
                        RetriesAndAcknowledges.class, RetriesAndAcknowledges::new, "flaky-network", 1),
                MutantCase.of("JOB-04", "cancels failed jobs to free capacity", CancelsFailedJobs.class,
                        CancelsFailedJobs::new, "flaky-network", 1),
                MutantCase.of("JOB-01", "keeps a block's JobChanges and acknowledges once more after the block",
                        UsesChangesAfterTheBlock.class, UsesChangesAfterTheBlock::new, "baseline", 1));
    }

    /** ACK-01: never acknowledges failed jobs (the acknowledgement is silently dropped). */
    public static final class NeverAcknowledgesFailed extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return rewritingChanges(real, changes -> new ForwardingChanges(changes) {
                @Override
                public void acknowledge(UploadJob job) {
                    if (job.state() != JobState.FAILED) {
                        real.acknowledge(job);
                    }
                }
            });
        }
    }

    /** DUP-01: forgets what is in flight (reads an empty PROCESS set) and creates a second job. */
    public static final class IgnoresJobsInFlight extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public List<UploadJob> fetchJobs(JobAction action) {
                    return action == JobAction.PROCESS ? List.of() : real.fetchJobs(action);
                }
            };
        }
    }

    /** JOB-02: "cleans up" by acknowledging the jobs still in flight along with the finished ones. */
    public static final class AcknowledgesInFlightJobs extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public void performChanges(JobChangeBlock block) throws PhotosException {
                    List<UploadJob> inFlight = real.fetchJobs(JobAction.PROCESS);
                    boolean[] done = {false};
                    performRewritten(block, changes -> new ForwardingChanges(changes) {
                        @Override
                        public void acknowledge(UploadJob job) {
                            real.acknowledge(job);
                            if (!done[0]) {
                                done[0] = true;
                                inFlight.forEach(real::acknowledge);
                            }
                        }
                    });
                }
            };
        }
    }

    /** ACK-02: acknowledges at most ten jobs per change block ("small batches") and leaves the rest. */
    public static final class AcknowledgesTenPerBlock extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public void performChanges(JobChangeBlock block) throws PhotosException {
                    int[] acks = {0};
                    performRewritten(block, changes -> new ForwardingChanges(changes) {
                        @Override
                        public void acknowledge(UploadJob job) {
                            if (acks[0]++ < 10) {
                                real.acknowledge(job);
                            }
                        }
                    });
                }
            };
        }
    }

    /** TRM-04: keeps the first call's context in a field and keeps using its storage later. */
    public static final class CachesTheContext extends SampleMutant {
        private org.upcert.api.ExtensionContext first;

        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            if (first == null) {
                first = context;
            } else {
                try {
                    first.storage().writeString("last-call.txt", context.clock().instant().toString());
                } catch (IllegalStateException refused) {
                    // the author never sees this on a device: the write just never happens
                }
            }
            return super.processJobs(context);
        }
    }

    /** RES-04: throws when it meets a failed job it has no code path for, instead of answering FAILURE. */
    public static final class ThrowsOnFailedJobs implements org.upcert.api.UploadExtension {
        private final org.upcert.sample.SampleUploadExtension sample = new org.upcert.sample.SampleUploadExtension();

        @Override
        public org.upcert.api.ProcessingResult processJobs(org.upcert.api.ExtensionContext context) {
            if (!context.library().fetchJobs(JobAction.RETRY).isEmpty()) {
                throw new IllegalStateException("unhandled failed job");
            }
            return sample.processJobs(context);
        }

        @Override
        public void willTerminate() {
            sample.willTerminate();
        }
    }

    /** JOB-03: treats every failed job as retryable, including those whose one retry is spent. */
    public static final class RetriesSpentJobs extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public List<UploadJob> fetchJobs(JobAction action) {
                    if (action != JobAction.RETRY) {
                        return real.fetchJobs(action);
                    }
                    return real.fetchJobs(JobAction.ACKNOWLEDGE).stream().filter(j -> j.state() == JobState.FAILED).toList();
                }
            };
        }
    }

    /** E2E-01: skips videos ("too big for background upload") and never uploads them. */
    public static final class SkipsVideos extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public List<org.upcert.api.Asset> fetchAssets() {
                    return real.fetchAssets().stream().filter(a -> a.mediaType() != org.upcert.api.Asset.MediaType.VIDEO).toList();
                }

                @Override
                public List<org.upcert.api.Asset> fetchAssets(java.util.Collection<String> ids) {
                    return real.fetchAssets(ids).stream().filter(a -> a.mediaType() != org.upcert.api.Asset.MediaType.VIDEO).toList();
                }
            };
        }
    }

    /** JOB-05: handles the RETRY and ACKNOWLEDGE sets independently: a retried job is acknowledged too. */
    public static final class RetriesAndAcknowledges extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return rewritingChanges(real, changes -> new ForwardingChanges(changes) {
                @Override
                public void retry(UploadJob job, org.upcert.api.UploadRequest destination) {
                    real.retry(job, destination);
                    real.acknowledge(job);
                }
            });
        }
    }

    /** JOB-04: "frees capacity" by cancelling failed jobs instead of acknowledging them. */
    public static final class CancelsFailedJobs extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return rewritingChanges(real, changes -> new ForwardingChanges(changes) {
                @Override
                public void acknowledge(UploadJob job) {
                    if (job.state() == JobState.FAILED) {
                        real.cancel(job);
                    } else {
                        real.acknowledge(job);
                    }
                }
            });
        }
    }

    /** JOB-01: keeps the JobChanges of a block and acknowledges once more after it returned. */
    public static final class UsesChangesAfterTheBlock extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public void performChanges(JobChangeBlock block) throws PhotosException {
                    org.upcert.api.JobChanges[] kept = new org.upcert.api.JobChanges[1];
                    UploadJob[] last = new UploadJob[1];
                    performRewritten(block, changes -> {
                        kept[0] = changes;
                        return new ForwardingChanges(changes) {
                            @Override
                            public void acknowledge(UploadJob job) {
                                last[0] = job;
                                real.acknowledge(job);
                            }
                        };
                    });
                    if (last[0] != null) {
                        try {
                            kept[0].acknowledge(last[0]);
                        } catch (IllegalStateException refused) {
                            // on a device this would be an exception the author never sees in testing
                        }
                    }
                }
            };
        }
    }
}
