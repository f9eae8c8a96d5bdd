package org.upcert.conformance.mutants;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.upcert.api.Asset;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ExtensionContext;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.ProcessingResult;

/** Mistakes with consent (CNS rules). */
public final class ConsentMutants {
    private ConsentMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("CNS-01", "never checks authorizationStatus or isUploadJobExtensionEnabled and serves assets from a memory cache",
                        // On 26.4 the sample's ledger knows its jobs in flight (no PROCESS set) and finds no
                        // capacity while access is limited, so the mistake shows only where PROCESS exists.
                        IgnoresConsent.class, IgnoresConsent::new, "consent-changes", 1).onOs("26.5"),
                MutantCase.of("CNS-02", "stores \"consent withdrawn, stop\" in the app group and never clears it",
                        NeverResumes.class, NeverResumes::new, "consent-changes", 1));
    }

    /**
     * CNS-01: assumes consent (full access, enabled) and keeps every asset it has seen in a
     * cache that outlives the call, so under limited access it still has resources to create
     * jobs for.
     */
    public static final class IgnoresConsent extends SampleMutant {
        private final TreeMap<String, Asset> cache = new TreeMap<>();

        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return new ForwardingLibrary(real) {
                @Override
                public AuthorizationStatus authorizationStatus() {
                    return AuthorizationStatus.AUTHORIZED;
                }

                @Override
                public boolean isUploadJobExtensionEnabled() {
                    return true;
                }

                @Override
                public List<Asset> fetchAssets() {
                    List<Asset> assets = real.fetchAssets();
                    assets.forEach(a -> cache.put(a.localIdentifier(), a));
                    return assets.isEmpty() ? new ArrayList<>(cache.values()) : assets;
                }

                @Override
                public List<Asset> fetchAssets(Collection<String> ids) {
                    List<Asset> assets = real.fetchAssets(ids);
                    assets.forEach(a -> cache.put(a.localIdentifier(), a));
                    if (!assets.isEmpty()) {
                        return assets;
                    }
                    List<Asset> cached = new ArrayList<>();
                    ids.forEach(id -> {
                        Asset asset = cache.get(id);
                        if (asset != null) {
                            cached.add(asset);
                        }
                    });
                    return cached;
                }
            };
        }
    }

    /**
     * CNS-02: when it finds consent withdrawn it writes {@code paused.txt} and from then on
     * behaves as if consent were still withdrawn: it acknowledges what it is shown and creates
     * nothing, forever.
     */
    public static final class NeverResumes extends SampleMutant {
        private boolean paused;

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            PhotoLibrary library = context.library();
            if (library.authorizationStatus() != AuthorizationStatus.AUTHORIZED || !library.isUploadJobExtensionEnabled()) {
                context.storage().writeString("paused.txt", "consent withdrawn");
            }
            paused = context.storage().readString("paused.txt").isPresent();
            return super.processJobs(context);
        }

        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            if (!paused) {
                return real;
            }
            return new ForwardingLibrary(real) {
                @Override
                public AuthorizationStatus authorizationStatus() {
                    return AuthorizationStatus.LIMITED;
                }
            };
        }
    }
}
