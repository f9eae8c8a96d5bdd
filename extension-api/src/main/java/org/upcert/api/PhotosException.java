package org.upcert.api;

import java.util.Objects;

/**
 * A {@code PHPhotosError} thrown by the library: a {@code performChanges} block rejected as a
 * whole, an expired change token.
 */
@API(status = API.Status.STABLE, since = "0.1")
public class PhotosException extends Exception {
    private static final long serialVersionUID = 1L;
    private final PhotosErrorCode code;

    public PhotosException(PhotosErrorCode code, String message) {
        super("PHPhotosErrorDomain " + Objects.requireNonNull(code, "code").rawValue() + " (" + code + "): " + message);
        this.code = code;
    }

    /** The error code. */
    public PhotosErrorCode code() {
        return code;
    }
}
