package org.upcert.api;

/** {@code PHPhotosError.Code} values this feature meets, with Apple's numbers. */
@API(status = API.Status.STABLE, since = "0.1")
public enum PhotosErrorCode {
    /** -1: internal error (enabling on the Simulator, no BackgroundUploadURLBase). */
    INTERNAL_ERROR(-1),
    /** 3105: the history no longer reaches the change token; resynchronise. */
    PERSISTENT_CHANGE_TOKEN_EXPIRED(3105),
    /** 3201: no object with that identifier (a job already acknowledged, a deleted asset). */
    IDENTIFIER_NOT_FOUND(3201),
    /** 3202: several objects with that identifier. */
    MULTIPLE_IDENTIFIERS_FOUND(3202),
    /** 3210: the change details are unavailable. */
    PERSISTENT_CHANGE_DETAILS_UNAVAILABLE(3210),
    /**
     * 3169: a network error, e.g. an original offloaded to iCloud that could not be downloaded
     * for {@link PhotoLibrary#requestData} (transient: the original is still in iCloud).
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    NETWORK_ERROR(3169),
    /** 3300: the change is not supported, e.g. acknowledging a job that is still pending. */
    CHANGE_NOT_SUPPORTED(3300),
    /** 3307: the block would exceed the job limit; nothing in it was applied. */
    LIMIT_EXCEEDED(3307),
    /** 3311: the user has not granted the access this needs. */
    ACCESS_USER_DENIED(3311);

    private final int rawValue;

    PhotosErrorCode(int rawValue) {
        this.rawValue = rawValue;
    }

    /** Apple's number. */
    public int rawValue() {
        return rawValue;
    }
}
