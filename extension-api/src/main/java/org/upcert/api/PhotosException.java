package org.upcert.api;

import java.util.Objects;

/**
 * A {@code PHPhotosError} thrown by the library: a {@code performChanges} block rejected as a
 * whole, an expired change token.
 *
 * <p>The library throws the subtype of its code, so a rejected block can be told apart by type as
 * well as by {@link #code()}: {@link LimitExceeded} (the job limit: stop creating, answer
 * PROCESSING — CAP-01), {@link AccessDenied} (consent withdrawn: create nothing, still
 * acknowledge — CNS-01), {@link IdentifierNotFound} (an asset deleted, a job gone),
 * {@link ChangeNotSupported} (a change the job's state does not allow), {@link ChangeTokenExpired}
 * (resynchronise — CHG-01). Every one is a {@code PhotosException}: {@code catch (PhotosException e)}
 * keeps working. {@link #of} makes the right one for a code.
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

    /**
     * The exception for {@code code}: its subtype where one exists, else a plain
     * {@code PhotosException}. What the library throws, in every hosting mode.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public static PhotosException of(PhotosErrorCode code, String message) {
        return switch (Objects.requireNonNull(code, "code")) {
            case LIMIT_EXCEEDED -> new LimitExceeded(message);
            case ACCESS_USER_DENIED -> new AccessDenied(message);
            case IDENTIFIER_NOT_FOUND -> new IdentifierNotFound(message);
            case CHANGE_NOT_SUPPORTED -> new ChangeNotSupported(message);
            case PERSISTENT_CHANGE_TOKEN_EXPIRED -> new ChangeTokenExpired(message);
            default -> new PhotosException(code, message);
        };
    }

    /** {@link PhotosErrorCode#LIMIT_EXCEEDED}: the block would exceed the job limit; nothing in it was applied. */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public static final class LimitExceeded extends PhotosException {
        private static final long serialVersionUID = 1L;

        public LimitExceeded(String message) {
            super(PhotosErrorCode.LIMIT_EXCEEDED, message);
        }
    }

    /** {@link PhotosErrorCode#ACCESS_USER_DENIED}: full library access or the extension was withdrawn; nothing applied. */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public static final class AccessDenied extends PhotosException {
        private static final long serialVersionUID = 1L;

        public AccessDenied(String message) {
            super(PhotosErrorCode.ACCESS_USER_DENIED, message);
        }
    }

    /** {@link PhotosErrorCode#IDENTIFIER_NOT_FOUND}: a resource whose asset is gone, a job that no longer exists. */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public static final class IdentifierNotFound extends PhotosException {
        private static final long serialVersionUID = 1L;

        public IdentifierNotFound(String message) {
            super(PhotosErrorCode.IDENTIFIER_NOT_FOUND, message);
        }
    }

    /** {@link PhotosErrorCode#CHANGE_NOT_SUPPORTED}: a change the object does not allow (a creation without a destination, the library failing to answer). */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public static final class ChangeNotSupported extends PhotosException {
        private static final long serialVersionUID = 1L;

        public ChangeNotSupported(String message) {
            super(PhotosErrorCode.CHANGE_NOT_SUPPORTED, message);
        }
    }

    /** {@link PhotosErrorCode#PERSISTENT_CHANGE_TOKEN_EXPIRED}: the history no longer reaches the token; resynchronise. */
    @API(status = API.Status.EXPERIMENTAL, since = "0.3")
    public static final class ChangeTokenExpired extends PhotosException {
        private static final long serialVersionUID = 1L;

        public ChangeTokenExpired(String message) {
            super(PhotosErrorCode.PERSISTENT_CHANGE_TOKEN_EXPIRED, message);
        }
    }
}
