package org.upcert.api;

/**
 * The app-group container cannot be read or written now: the device restarted and has not been
 * unlocked since, and the container's files are protected until the first unlock (iOS data
 * protection, {@code NSFileProtectionCompleteUntilFirstUserAuthentication}; keychain items made
 * accessible "after first unlock" behave the same). Thrown by every {@link AppGroupStorage}
 * operation until then; nothing of the operation happened. Also thrown by a write or append that
 * would fill the container past its space (a full disk; upcert's container holds 256 MiB): nothing
 * is stored, what was stored stays. And thrown by a write, append or delete (a read too, at times)
 * while the host app holds the app group's file lock: the same "nothing happened".
 *
 * <p>Not a missing file and not an empty ledger: an extension that reads it as "nothing stored yet"
 * and starts afresh uploads its whole library again, or overwrites what it knew. Stop the call
 * (answer {@link ProcessingResult#FAILURE}: the system calls again later) and touch nothing.
 * Unchecked, as file-system errors reach Swift code as thrown errors that are easy to forget.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.3")
public class StorageUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageUnavailableException(String message) {
        super(message);
    }
}
