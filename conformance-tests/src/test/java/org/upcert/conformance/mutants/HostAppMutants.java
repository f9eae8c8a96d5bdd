package org.upcert.conformance.mutants;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.CloudSettings;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.StorageUnavailableException;
import org.upcert.api.UploadJob;

/** Mutants of the host app's actions (issue 15): each must fail under {@code host-app}. */
public final class HostAppMutants {
    private HostAppMutants() {
    }

    public static List<MutantCase> cases() {
        return List.of(
                MutantCase.of("E2E-01", "copies the host app's client secret into its own storage at first launch and signs in with"
                        + " that copy for ever", CopiesCredentialsOnce.class, CopiesCredentialsOnce::new, "host-app", 1),
                MutantCase.of("CLD-01", "when the host app's file lock makes its ledger write fail, acknowledges the presented jobs"
                        + " anyway (to avoid the 50008 penalty): the upload tokens of their outcomes are lost, never committed",
                        AcknowledgesWhatItCouldNotRecord.class, AcknowledgesWhatItCouldNotRecord::new, "host-app", 1)
                        .on("google-photos" + org.upcert.conformance.testing.CloudSpec.LENIENT),
                MutantCase.of("E2E-01", "keys what the host app uploaded by asset: an asset whose RAW the app uploaded counts as done,"
                        + " its JPEG is never uploaded", CountsHostUploadsPerAsset.class, CountsHostUploadsPerAsset::new, "host-app", 1),
                MutantCase.of("E2E-01", "ignores the host app's change of server (never reads host/server): what its ledger records as"
                        + " uploaded went to the old server, and is never uploaded to the new one", IgnoresTheServerChange.class,
                        IgnoresTheServerChange::new, "host-app", 1),
                MutantCase.of("E2E-01", "copies the upload base and the host app's settings into its own storage at first launch and"
                        + " keeps uploading to that server after the user moved to another one", KeepsTheFirstServer.class,
                        KeepsTheFirstServer::new, "host-app", 1));
    }

    /**
     * "Our records are per photo": the extension reads the host app's {@code host/uploaded} but
     * keeps only each line's asset, so an asset the app uploaded one file of (the RAW of a RAW+JPEG
     * pair, its files over 10 MB) counts as uploaded whole: its other resources never get a job
     * (E2E-01). Played here by showing the sample every resource of each listed asset.
     */
    public static final class CountsHostUploadsPerAsset extends SampleMutant {
        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return new SampleMutant.ForwardingStorage(real) {
                @Override
                public Optional<byte[]> read(String name) {
                    Optional<byte[]> content = real.read(name);
                    if (name.equals(AppGroupStorage.HOST_APP_SERVER) && content.isPresent()) {
                        // its lines are counted per asset too: the old server's are the first N of them, expanded
                        StringBuilder server = new StringBuilder();
                        for (String line : new String(content.get(), StandardCharsets.UTF_8).split("\n")) {
                            if (line.startsWith("hostUploadedLines=")) {
                                int n = Integer.parseInt(line.substring("hostUploadedLines=".length()).strip());
                                line = "hostUploadedLines=" + n * org.upcert.api.AssetResource.ResourceType.values().length;
                            }
                            server.append(line).append('\n');
                        }
                        return Optional.of(server.toString().getBytes(StandardCharsets.UTF_8));
                    }
                    if (!name.equals(AppGroupStorage.HOST_APP_UPLOADS) || content.isEmpty()) {
                        return content;
                    }
                    StringBuilder perAsset = new StringBuilder(); // THE MISTAKE: the asset, not the resource
                    for (String line : new String(content.get(), StandardCharsets.UTF_8).split("\n")) {
                        int hash = line.lastIndexOf('#');
                        if (hash > 0) {
                            for (org.upcert.api.AssetResource.ResourceType type : org.upcert.api.AssetResource.ResourceType.values()) {
                                perAsset.append(line, 0, hash).append('#').append(type.name()).append('\n');
                            }
                        }
                    }
                    return Optional.of(perAsset.toString().getBytes(StandardCharsets.UTF_8));
                }
            };
        }
    }

    /**
     * "The server is the server": the extension never reads the host app's {@code host/server}, so
     * when the user moves the app to another server it goes on trusting its ledger: every resource
     * it recorded as uploaded went to the old server and is never uploaded to the new one, which
     * is the one that counts (E2E-01). Played by hiding the file from the sample. Without a change
     * of server the file never exists and it is the sample.
     */
    public static final class IgnoresTheServerChange extends SampleMutant {
        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return new SampleMutant.ForwardingStorage(real) {
                @Override
                public Optional<byte[]> read(String name) {
                    return name.equals(AppGroupStorage.HOST_APP_SERVER) ? Optional.empty() : real.read(name); // THE MISTAKE
                }
            };
        }
    }

    /**
     * "The server's address does not change": at its first launch the extension copies
     * {@code uploadUrlBase()} and the host app's endpoint settings into its own file and builds
     * every destination and sign-in from that copy (the credentials it still takes fresh from the
     * host app's settings, so a new password alone does not hurt it). When the user moves the app
     * to another server, it keeps signing in and uploading to the old one, which refuses both, and
     * nothing reaches the new one (E2E-01).
     */
    public static final class KeepsTheFirstServer extends SampleMutant {
        static final String COPY = "first-server.txt";


        private TreeMap<String, String> copy(ExtensionContext context) {
            TreeMap<String, String> kept = new TreeMap<>();
            try {
                Optional<byte[]> stored = context.storage().read(COPY);
                if (stored.isPresent()) { // THE MISTAKE: never read again
                    for (String line : new String(stored.get(), StandardCharsets.UTF_8).split("\n")) {
                        int eq = line.indexOf('=');
                        if (eq > 0) {
                            kept.put(line.substring(0, eq), line.substring(eq + 1));
                        }
                    }
                    return kept;
                }
                kept.putAll(context.configuration());
                kept.put("upload-base", context.uploadUrlBase().toString());
                StringBuilder text = new StringBuilder();
                kept.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
                context.storage().write(COPY, text.toString().getBytes(StandardCharsets.UTF_8));
                return kept;
            } catch (StorageUnavailableException locked) {
                kept.putAll(context.configuration());
                kept.put("upload-base", context.uploadUrlBase().toString());
                return kept;
            }
        }

        @Override
        protected SortedMap<String, String> mutateConfiguration(ExtensionContext context) {
            TreeMap<String, String> settings = copy(context);
            settings.remove("upload-base");
            SortedMap<String, String> current = context.configuration();
            settings.put(CloudSettings.CLIENT_SECRET, current.getOrDefault(CloudSettings.CLIENT_SECRET, ""));
            return settings;
        }

        @Override
        protected java.net.URI mutateUploadUrlBase(ExtensionContext context) {
            return java.net.URI.create(copy(context).get("upload-base"));
        }
    }

    /**
     * "Never leave a presented job unacknowledged, the system punishes it (50008)": when a storage
     * write of the call failed (the host app held the app group's file lock), the extension still
     * acknowledges every job the ACKNOWLEDGE set shows before it returns. The outcomes it could not
     * record are gone with the job records: on Google Photos the upload token of a succeeded job is
     * the only way to commit its bytes, and those uploads are never committed (CLD-01); elsewhere
     * the photos are uploaded again (DUP-02).
     */
    public static final class AcknowledgesWhatItCouldNotRecord extends SampleMutant {
        private boolean writeFailed;


        @Override
        protected AppGroupStorage mutateStorage(AppGroupStorage real) {
            return new SampleMutant.ForwardingStorage(real) {
                @Override
                public void write(String name, byte[] content) {
                    noted(() -> real.write(name, content));
                }

                @Override
                public void append(String name, byte[] content) {
                    noted(() -> real.append(name, content));
                }

                @Override
                public boolean delete(String name) {
                    boolean[] existed = new boolean[1];
                    noted(() -> existed[0] = real.delete(name));
                    return existed[0];
                }
            };
        }

        private void noted(Runnable write) {
            try {
                write.run();
            } catch (StorageUnavailableException failed) {
                writeFailed = true;
                throw failed;
            }
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            writeFailed = false;
            ProcessingResult result = super.processJobs(context);
            if (writeFailed) {
                try { // THE MISTAKE: what could not be recorded is acknowledged all the same
                    List<UploadJob> presented = context.library().fetchJobs(JobAction.ACKNOWLEDGE);
                    if (!presented.isEmpty()) {
                        context.library().performChanges(changes -> presented.forEach(changes::acknowledge));
                    }
                } catch (PhotosException e) {
                    // nothing more to do
                }
            }
            return result;
        }
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
