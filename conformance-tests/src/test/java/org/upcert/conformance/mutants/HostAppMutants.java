package org.upcert.conformance.mutants;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.upcert.api.CloudSettings;
import org.upcert.api.ExtensionContext;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.StorageUnavailableException;

/** Mutants of the host app's actions (issue 15): each must fail under {@code host-app}. */
public final class HostAppMutants {
    private HostAppMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("E2E-01", "copies the host app's client secret into its own storage at first launch and signs in with"
                        + " that copy for ever", CopiesCredentialsOnce.class, CopiesCredentialsOnce::new, "host-app", 1));
    }

    /**
     * "The app group is ours; read the settings once": at its first call the extension copies the
     * client secret the host app left in the shared settings into its own file and signs in with
     * that copy from then on. After the host app signs in again (a changed password) the server
     * refuses the old secret: every token request fails, the backup stops for good (E2E-01).
     */
    public static final class CopiesCredentialsOnce extends SampleMutant {
        static final String COPY = "credentials-copy.txt";

        @Override
        protected PhotoLibrary mutate(PhotoLibrary real) {
            return real;
        }

        @Override
        protected SortedMap<String, String> mutateConfiguration(ExtensionContext context) {
            SortedMap<String, String> settings = context.configuration();
            try {
                Optional<byte[]> copy = context.storage().read(COPY);
                String secret;
                if (copy.isPresent()) {
                    secret = new String(copy.get(), StandardCharsets.UTF_8); // THE MISTAKE: never read again
                } else {
                    secret = settings.getOrDefault(CloudSettings.CLIENT_SECRET, "");
                    context.storage().write(COPY, secret.getBytes(StandardCharsets.UTF_8));
                }
                TreeMap<String, String> pinned = new TreeMap<>(settings);
                pinned.put(CloudSettings.CLIENT_SECRET, secret);
                return pinned;
            } catch (StorageUnavailableException locked) {
                return settings;
            }
        }
    }
}
