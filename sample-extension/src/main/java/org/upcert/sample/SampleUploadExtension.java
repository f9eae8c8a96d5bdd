package org.upcert.sample;

import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.upcert.api.API;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.StorageUnavailableException;
import org.upcert.api.UploadExtension;

/**
 * The reference upload extension: the entry point the system calls. It keeps what lives as long
 * as the process (the ledger and the change token once loaded, the cloud credentials, the
 * termination flag) and hands each call to a {@link ProcessingRound}.
 *
 * <p>Two lifetimes to design for (see {@link UploadExtension}):
 * <ul>
 *   <li>the <b>same instance</b> is called again while the process lives, so per-call state is
 *       reset at the start of every call (the termination flag above all: a flag set by the
 *       last call's {@code willTerminate} and never cleared makes every later call stop at
 *       once, and the backup never finishes);
 *   <li>after a kill a <b>new instance</b> starts with empty memory; everything needed to go
 *       on is read back from {@code storage()}, lazily, on its first call.
 * </ul>
 *
 * <p>Registered in {@code META-INF/services/org.upcert.api.UploadExtension}; found by
 * {@link java.util.ServiceLoader}, so it keeps a public no-argument constructor.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1")
public final class SampleUploadExtension implements UploadExtension {

    /**
     * Set by {@link #willTerminate()} (any thread), polled by the call between steps and change
     * blocks. Apple's sample uses {@code Atomic<Bool>} for the same reason.
     */
    private final AtomicBoolean terminationRequested = new AtomicBoolean();

    private Ledger ledger;
    private Discovery discovery = new Discovery();
    private HostAppUploads hostApp = new HostAppUploads();
    private QueueWindow window = new QueueWindow();
    private ServerChange server = new ServerChange();
    private CloudDialect cloud;
    private SortedMap<String, String> cloudConfiguration;

    /** The constructor {@link java.util.ServiceLoader} uses. */
    public SampleUploadExtension() {
        // Nothing to do: storage is only reachable through a call's context.
    }

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        // The same instance serves many calls: a termination request belongs to the call it
        // arrived in, not to the next one.
        terminationRequested.set(false);
        try {
            if (ledger == null) {
                ledger = Ledger.load(context.storage());
                context.log().info("ledger loaded: " + ledger.counts() + ", generation " + ledger.generation()
                        + (ledger.unreadableLines() > 0 ? ", " + ledger.unreadableLines() + " unreadable lines skipped" : "")
                        + (ledger.staleJournalsDeleted() > 0 ? ", " + ledger.staleJournalsDeleted()
                                + " stale journals of an interrupted compaction deleted" : ""));
            }
            return new ProcessingRound(context, ledger, discovery, hostApp, window, server, cloudFor(context.configuration()),
                    terminationRequested).run();
        } catch (StorageUnavailableException locked) {
            // Before the first unlock after a restart the app group cannot be read, and while the
            // host app holds its file lock it cannot be written: the ledger is not empty, it is out
            // of reach. Touch nothing more (no job changes: an acknowledgement now could not be
            // recorded first, ACK-03) and let the system call again later.
            forgetMemory();
            context.log().warn("app group locked (not unlocked since a restart, or the host app holds its file lock): "
                    + locked.getMessage() + " -> FAILURE");
            return ProcessingResult.FAILURE;
        } catch (RuntimeException unexpected) {
            // RES-04: nothing escapes; the system logs FAILURE and backs off. Errors are not
            // caught: a kill (which the harness delivers as an Error from an API call) must end
            // the call, as SIGKILL would.
            forgetMemory();
            try {
                context.log().error("unexpected " + unexpected + " at " + firstFrame(unexpected)
                        + "; in-memory state dropped, storage will be read again -> FAILURE");
            } catch (RuntimeException contextAlreadyInvalid) {
                // Nothing more can be said: the context refused even the log.
            }
            return ProcessingResult.FAILURE;
        }
    }

    @Override
    public void willTerminate() {
        // Set the flag and return at once; the call in progress stops at its next check
        // (TRM-01). No work here: this may run on another thread, while processJobs runs.
        terminationRequested.set(true);
    }

    /** The dialect for this configuration; rebuilt only if the host app changed the settings. */
    private CloudDialect cloudFor(SortedMap<String, String> configuration) {
        SortedMap<String, String> cloudSettings = new TreeMap<>(configuration.subMap("cloud.", "cloud/"));
        if (cloud == null || !cloudSettings.equals(cloudConfiguration)) {
            cloud = CloudDialects.fromConfiguration(configuration);
            cloudConfiguration = cloudSettings;
        }
        return cloud;
    }

    /**
     * After an unexpected exception memory may disagree with storage (a step half done): start
     * the next call from storage alone, exactly like a relaunched process.
     */
    private void forgetMemory() {
        ledger = null;
        discovery = new Discovery();
        hostApp = new HostAppUploads();
        window = new QueueWindow();
        server = new ServerChange();
        cloud = null;
        cloudConfiguration = null;
    }

    private static String firstFrame(Throwable throwable) {
        StackTraceElement[] trace = throwable.getStackTrace();
        return trace.length == 0 ? "unknown" : trace[0].toString();
    }
}
