package org.upcert.api;

/**
 * An upload extension: the code under test. Mirrors {@code PHBackgroundResourceUploadJobExtension}
 * (iOS 27; {@code PHBackgroundResourceUploadExtension} with {@code process()} and
 * {@code notifyTermination()} on iOS 26.1).
 *
 * <p><b>What the real system does.</b> The system decides when to call
 * {@link #processJobs(ExtensionContext)}: after the extension is enabled, after a library change,
 * and again after a {@link ProcessingResult#PROCESSING} answer (about a second after the uploads
 * the call started if it made progress, minutes later if it did not). Backoff follows a kill or
 * {@link ProcessingResult#FAILURE}. Each call should retry failed jobs, acknowledge finished ones
 * and create new ones, in that order, then return. The system performs the HTTP transfers of
 * created jobs only after the call returns. A call is killed without notice when it exceeds the
 * runtime limit (60 s measured on iOS 26.6).
 *
 * <p><b>Instances.</b> Between calls the process stays alive, so the same instance is called
 * again and fields keep their values (reset per-call flags yourself). After a kill, or when the
 * system ends an idle process, a new instance is made: memory is lost and only
 * {@link ExtensionContext#storage()} survives.
 *
 * <p>upcert finds implementations with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/org.upcert.api.UploadExtension} of the extension jar. The class needs
 * a public no-argument constructor.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface UploadExtension {

    /**
     * One round of job work. Return {@link ProcessingResult#COMPLETED} only when no work remains,
     * {@link ProcessingResult#PROCESSING} while work remains (and after
     * {@link PhotosErrorCode#LIMIT_EXCEEDED}), {@link ProcessingResult#FAILURE} for an
     * unrecoverable error. Exceptions must not escape: the real system treats a crash as a kill.
     *
     * @param context the system's services for this call; invalid once the call returns
     * @return what the system should do next
     */
    ProcessingResult processJobs(ExtensionContext context);

    /**
     * The system is about to suspend or terminate the process. It may arrive while
     * {@link #processJobs(ExtensionContext)} runs (on another thread): set a cancellation flag
     * that the processing loop polls, and return at once. The call in progress then has a short
     * grace period (default 5 simulated seconds) to return before it is killed.
     */
    void willTerminate();
}
