package org.upcert.conformance.mutants;

import java.util.List;
import org.upcert.api.ChangeToken;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;

/** Mistakes in following the library's changes. */
public final class ChangeMutants {
    private ChangeMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("CHG-01", "treats an expired change token as \"nothing changed\" and keeps the stale token",
                        TreatsExpiredTokenAsNoChange.class, TreatsExpiredTokenAsNoChange::new, "library-churn", 1),
                MutantCase.of("CHG-02", "uploads the first fetchAssets snapshot only and never reads the library's changes",
                        IgnoresLibraryChanges.class, IgnoresLibraryChanges::new, "library-churn", 1));
    }

    /** CHG-01: catches PERSISTENT_CHANGE_TOKEN_EXPIRED and carries on as if nothing had changed. */
    public static final class TreatsExpiredTokenAsNoChange extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public List<PersistentChange> fetchPersistentChanges(ChangeToken token) throws PhotosException {
                    try {
                        return real.fetchPersistentChanges(token);
                    } catch (PhotosException e) {
                        if (e.code() == PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED) {
                            return List.of();
                        }
                        throw e;
                    }
                }
            };
        }
    }

    /** CHG-02: backs up the library as it was at the first scan; later additions are never seen. */
    public static final class IgnoresLibraryChanges extends SampleMutant {
        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public List<PersistentChange> fetchPersistentChanges(ChangeToken token) {
                    return List.of();
                }
            };
        }
    }
}
