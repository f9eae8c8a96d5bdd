package org.upcert.api;

/**
 * What a call of {@link UploadExtension#processJobs(ExtensionContext)} tells the system.
 * Mirrors {@code PHBackgroundResourceUploadProcessingResult}; the raw values follow Apple's
 * declaration order (failure=0, processing=1, completed=2).
 */
@API(status = API.Status.STABLE, since = "0.1")
public enum ProcessingResult {
    /** Processing failed with an unrecoverable error. The system logs it and backs off. */
    FAILURE(0),
    /** Part of the work is done and more time is needed: the system calls again. */
    PROCESSING(1),
    /** All required work is done: the system goes back to watching the library for changes. */
    COMPLETED(2);

    private final int rawValue;

    ProcessingResult(int rawValue) {
        this.rawValue = rawValue;
    }

    /** Apple's raw value. */
    public int rawValue() {
        return rawValue;
    }
}
