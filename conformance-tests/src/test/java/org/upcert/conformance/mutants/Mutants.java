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

    /** ACK-01: never acknowledges failed jobs (the acknowledgement is silently dropped). */
    public static final class NeverAcknowledgesFailed extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public void performChanges(JobChangeBlock block) throws PhotosException {
                    performRewritten(block, changes -> new ForwardingChanges(changes) {
                        @Override
                        public void acknowledge(UploadJob job) {
                            if (job.state() != JobState.FAILED) {
                                real.acknowledge(job);
                            }
                        }
                    });
                }
            };
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
}
