package org.upcert.conformance.mutants;

import java.net.URI;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.UnaryOperator;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeToken;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ExtensionLog;
import org.upcert.api.JobAction;
import org.upcert.api.JobChangeBlock;
import org.upcert.api.JobChanges;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;
import org.upcert.sample.SampleUploadExtension;

/**
 * The correct sample with one realistic mistake injected between it and the system: each mutant
 * overrides one method of the library it sees. The suite must fail the rule that mistake breaks.
 */
public abstract class SampleMutant implements UploadExtension {
    private final SampleUploadExtension sample = new SampleUploadExtension();

    /** What the mutant does to the library the sample sees; by default nothing (a mutant of the storage or the context). */
    protected PhotoLibrary mutate(PhotoLibrary real) {
        return real;
    }

    /** The OS version the sample is told it runs on; by default the device's. */
    protected String mutateOsVersion(String real) {
        return real;
    }

    /** The host app's settings the sample is given; by default the context's, read at every call. */
    protected SortedMap<String, String> mutateConfiguration(ExtensionContext context) {
        return context.configuration();
    }

    /** The upload base the sample is given; by default the context's, read at every call. */
    protected URI mutateUploadUrlBase(ExtensionContext context) {
        return context.uploadUrlBase();
    }

    /** What the mutant does to the app-group storage the sample sees; by default nothing. */
    protected AppGroupStorage mutateStorage(AppGroupStorage real) {
        return real;
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        PhotoLibrary mutated = mutate(context.library());
        AppGroupStorage storage = mutateStorage(context.storage());
        return sample.processJobs(new ForwardingContext(context) {
            @Override
            public PhotoLibrary library() {
                return mutated;
            }

            @Override
            public AppGroupStorage storage() {
                return storage;
            }

            @Override
            public URI uploadUrlBase() {
                return mutateUploadUrlBase(context);
            }

            @Override
            public SortedMap<String, String> configuration() {
                return mutateConfiguration(context);
            }

            @Override
            public String osVersion() {
                return mutateOsVersion(context.osVersion());
            }
        });
    }

    @Override
    public void willTerminate() {
        sample.willTerminate();
    }

    /** {@code real}, with every change block's {@link JobChanges} passed through {@code rewrite}. */
    protected static PhotoLibrary rewritingChanges(PhotoLibrary real, UnaryOperator<JobChanges> rewrite) {
        return new ForwardingLibrary(real) {
            @Override
            public void performChanges(JobChangeBlock block) throws PhotosException {
                performRewritten(block, rewrite);
            }
        };
    }

    /** A context that forwards everything to the system's; a mutant or a style overrides what it changes. */
    public static class ForwardingContext implements ExtensionContext {
        protected final ExtensionContext real;

        public ForwardingContext(ExtensionContext real) {
            this.real = real;
        }

        @Override
        public PhotoLibrary library() {
            return real.library();
        }

        @Override
        public AppGroupStorage storage() {
            return real.storage();
        }

        @Override
        public Clock clock() {
            return real.clock();
        }

        @Override
        public URI uploadUrlBase() {
            return real.uploadUrlBase();
        }

        @Override
        public ExtensionHttp http() {
            return real.http();
        }

        @Override
        public ExtensionLog log() {
            return real.log();
        }

        @Override
        public SortedMap<String, String> configuration() {
            return real.configuration();
        }

        @Override
        public String osVersion() {
            return real.osVersion();
        }
    }

    /** App-group storage that forwards everything to the system's; a mutant overrides what it gets wrong. */
    public static class ForwardingStorage implements AppGroupStorage {
        protected final AppGroupStorage real;

        public ForwardingStorage(AppGroupStorage real) {
            this.real = real;
        }

        @Override
        public Optional<byte[]> read(String name) {
            return real.read(name);
        }

        @Override
        public void write(String name, byte[] content) {
            real.write(name, content);
        }

        @Override
        public void append(String name, byte[] content) {
            real.append(name, content);
        }

        @Override
        public boolean delete(String name) {
            return real.delete(name);
        }

        @Override
        public List<String> list(String prefix) {
            return real.list(prefix);
        }
    }

    /** A library that forwards everything; mutants override one method. */
    public static class ForwardingLibrary implements PhotoLibrary {
        protected final PhotoLibrary real;

        public ForwardingLibrary(PhotoLibrary real) {
            this.real = real;
        }

        @Override
        public AuthorizationStatus authorizationStatus() {
            return real.authorizationStatus();
        }

        @Override
        public boolean isUploadJobExtensionEnabled() {
            return real.isUploadJobExtensionEnabled();
        }

        @Override
        public List<Asset> fetchAssets() {
            return real.fetchAssets();
        }

        @Override
        public List<Asset> fetchAssets(Collection<String> localIdentifiers) {
            return real.fetchAssets(localIdentifiers);
        }

        @Override
        public ChangeToken currentChangeToken() {
            return real.currentChangeToken();
        }

        @Override
        public List<PersistentChange> fetchPersistentChanges(ChangeToken token) throws PhotosException {
            return real.fetchPersistentChanges(token);
        }

        @Override
        public int jobLimit() {
            return real.jobLimit();
        }

        @Override
        public List<UploadJob> fetchJobs(JobAction action) {
            return real.fetchJobs(action);
        }

        @Override
        public Optional<AssetResource> assetResource(UploadJob job) {
            return real.assetResource(job);
        }

        @Override
        public byte[] requestData(AssetResource resource) throws PhotosException {
            return real.requestData(resource);
        }

        @Override
        public void performChanges(JobChangeBlock block) throws PhotosException {
            real.performChanges(block);
        }

        /** Runs {@code block} with its changes passed through {@code rewrite}. */
        protected void performRewritten(JobChangeBlock block, UnaryOperator<JobChanges> rewrite) throws PhotosException {
            real.performChanges(changes -> block.apply(rewrite.apply(changes)));
        }
    }

    /** JobChanges forwarding everything; mutants override one method. */
    public static class ForwardingChanges implements JobChanges {
        protected final JobChanges real;

        public ForwardingChanges(JobChanges real) {
            this.real = real;
        }

        @Override
        public String createJob(AssetResource resource, UploadRequest destination) {
            return real.createJob(resource, destination);
        }

        @Override
        public String createDownloadJob(AssetResource resource) {
            return real.createDownloadJob(resource);
        }

        @Override
        public void acknowledge(UploadJob job) {
            real.acknowledge(job);
        }

        @Override
        public void retry(UploadJob job, UploadRequest newDestination) {
            real.retry(job, newDestination);
        }

        @Override
        public void cancel(UploadJob job) {
            real.cancel(job);
        }
    }
}
