package org.upcert.conformance.mutants;

import java.util.List;
import java.util.Optional;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.StorageUnavailableException;

/** Mutants of the device's own faults (issue 15): each must fail under the profile that produces its situation. */
public final class DeviceMutants {
    private DeviceMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                // Starting afresh re-uploads what was uploaded (DUP-02 WARN); the MUST rule it breaks is
                // CLD-02's: a job made for a photo that a finished job (its resource nil on 26.x) had
                // uploaded, which the ledger it pretended was empty recorded.
                MutantCase.of("CLD-02", "reads an app group it cannot open (before the first unlock after a restart) as an empty one,"
                        + " and drops the writes it cannot make", TreatsALockedContainerAsEmpty.class,
                        TreatsALockedContainerAsEmpty::new, "locked-device", 1));
    }

    /**
     * A storage layer that "never fails": a file it cannot read is a file that is not there, a write
     * it cannot make is retried "next time" (never). After a restart, before the first unlock, the
     * sample then loads an empty ledger and no change token, scans the library and creates jobs
     * for photos it had uploaded (CLD-02 on 26.x, where finished jobs lose their resource; DUP-02
     * WARN everywhere), and forgets what it did in the meantime.
     */
    public static final class TreatsALockedContainerAsEmpty extends SampleMutant {
        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return new AppGroupStorage() {
                @Override
                public Optional<byte[]> read(String name) {
                    try {
                        return real.read(name);
                    } catch (StorageUnavailableException locked) {
                        return Optional.empty(); // THE MISTAKE: "no such file yet"
                    }
                }

                @Override
                public void write(String name, byte[] content) {
                    try {
                        real.write(name, content);
                    } catch (StorageUnavailableException locked) {
                        // THE MISTAKE: "written next time"
                    }
                }

                @Override
                public void append(String name, byte[] content) {
                    try {
                        real.append(name, content);
                    } catch (StorageUnavailableException locked) {
                        // THE MISTAKE: "written next time"
                    }
                }

                @Override
                public boolean delete(String name) {
                    try {
                        return real.delete(name);
                    } catch (StorageUnavailableException locked) {
                        return false;
                    }
                }

                @Override
                public List<String> list(String prefix) {
                    try {
                        return real.list(prefix);
                    } catch (StorageUnavailableException locked) {
                        return List.of();
                    }
                }
            };
        }
    }
}
