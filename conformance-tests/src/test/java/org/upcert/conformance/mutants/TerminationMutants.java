package org.upcert.conformance.mutants;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.ProcessingResult;

/** Mistakes about termination notices and kills. */
public final class TerminationMutants {
    private TerminationMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("TRM-01", "on willTerminate, waits for its jobs in flight to finish before returning",
                        WaitsForUploadsOnTermination.class, WaitsForUploadsOnTermination::new, "termination-storm", 1).onOs("26.5"),
                MutantCase.of("TRM-02", "catches Throwable around processJobs and writes a crash report, even when killed",
                        WritesCrashReport.class, WritesCrashReport::new, "hard-kills", 1),
                MutantCase.of("TRM-03", "buffers its storage writes in memory and flushes them only when a call returns",
                        // On 26.4 the lost writes also leave the ledger's in-flight marks of jobs long
                        // acknowledged, and the backup stalls instead (E2E-01); where the PROCESS set
                        // shows the jobs in flight (26.5), the lost outcomes are uploaded again (TRM-03).
                        BuffersStorageUntilReturn.class, BuffersStorageUntilReturn::new, "hard-kills", 1).onOs("26.5"),
                MutantCase.of("DUP-01", "keeps its own record of jobs in flight, written after each create commit returns, "
                        + "instead of reading the PROCESS set", LedgerAfterCommit.class, LedgerAfterCommit::new,
                        "kills-after-commit", 1));
    }

    /**
     * TRM-01: believes a termination loses the uploads in flight, so after {@code willTerminate}
     * it polls the PROCESS set until it is empty. Transfers of jobs created in the call start
     * only after it returns: the wait outlasts the grace period.
     */
    public static final class WaitsForUploadsOnTermination extends SampleMutant {
        private volatile boolean terminating;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            terminating = false;
            ProcessingResult result = super.processJobs(context);
            for (int polls = 0; terminating && polls < 100_000; polls++) {
                if (context.library().fetchJobs(JobAction.PROCESS).isEmpty()) {
                    break;
                }
            }
            return result;
        }

        @Override
        public void willTerminate() {
            super.willTerminate();
            terminating = true;
        }
    }

    /**
     * TRM-02: a catch-all around the call writes a crash report to the app group, so a kill
     * (delivered in-process as an Error at the next API call) is caught and the killed call
     * goes on to write to storage.
     */
    public static final class WritesCrashReport extends SampleMutant {
        @Override
        @SuppressWarnings("PMD.AvoidCatchingThrowable")
        public ProcessingResult processJobs(ExtensionContext context) {
            try {
                return super.processJobs(context);
            } catch (Throwable crash) {
                context.storage().writeString("crash-report.txt", crash.toString());
                return ProcessingResult.FAILURE;
            }
        }
    }

    /**
     * TRM-03: "batches I/O" by keeping every storage write of a call in memory and writing it
     * out when the call returns. A kill loses the call's writes, among them the outcomes stored
     * before acknowledging; after the relaunch the ledger has them as still to upload and the
     * extension uploads them again.
     */
    public static final class BuffersStorageUntilReturn extends SampleMutant {
        private BufferedStorage buffered;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            buffered = new BufferedStorage(context.storage());
            ProcessingResult result = super.processJobs(context);
            buffered.flush();
            return result;
        }

        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return buffered;
        }
    }

    /**
     * DUP-01 (and TRM-03): keeps its own record of which resources have a job in flight, written
     * to the app group right after each create block's commit returns, and never asks the
     * PROCESS set (iOS 26.5) — the sample's path before 26.5, taken on a device that has the set.
     * A kill between the commit and the write leaves jobs the record does not know; if they are
     * still uploading when the process is relaunched (a slow uplink), it creates a second job
     * for each. On a fast link they have always finished by then (the kill back-off is 6–11 min)
     * and show up in the ACKNOWLEDGE set, so the old catalogue never met it.
     */
    public static final class LedgerAfterCommit extends SampleMutant {
        @Override
        protected String mutateOsVersion(String real) {
            String[] parts = real.split("\\.");
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 26 || (major == 26 && minor >= 5) ? "26.4" : real; // as if the PROCESS set did not exist
        }
    }

    /** Storage whose changes stay in memory until {@link #flush()}. */
    static final class BufferedStorage implements AppGroupStorage {
        private final AppGroupStorage real;
        private final TreeMap<String, byte[]> written = new TreeMap<>();
        private final TreeSet<String> deleted = new TreeSet<>();

        BufferedStorage(AppGroupStorage real) {
            this.real = real;
        }

        @Override
        public Optional<byte[]> read(String name) {
            if (written.containsKey(name)) {
                return Optional.of(written.get(name).clone());
            }
            return deleted.contains(name) ? Optional.empty() : real.read(name);
        }

        @Override
        public void write(String name, byte[] content) {
            written.put(name, content.clone());
            deleted.remove(name);
        }

        @Override
        public void append(String name, byte[] content) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(read(name).orElse(new byte[0]));
            out.writeBytes(content);
            write(name, out.toByteArray());
        }

        @Override
        public boolean delete(String name) {
            boolean existed = read(name).isPresent();
            written.remove(name);
            deleted.add(name);
            return existed;
        }

        @Override
        public List<String> list(String prefix) {
            TreeSet<String> names = new TreeSet<>(real.list(prefix));
            names.removeAll(deleted);
            for (String name : written.keySet()) {
                if (name.startsWith(prefix)) {
                    names.add(name);
                }
            }
            return new ArrayList<>(names);
        }

        void flush() {
            for (String name : deleted) {
                real.delete(name);
            }
            written.forEach(real::write);
        }
    }
}
