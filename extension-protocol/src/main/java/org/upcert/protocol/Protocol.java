package org.upcert.protocol;

import org.upcert.api.API;

/**
 * Names and numbers of the extension protocol, version {@value #VERSION}. The specification is
 * {@code docs/protocol.md}; the JSON Schema of every message is under {@code upcert/protocol/} in
 * this module's resources.
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.2")
public final class Protocol {
    private Protocol() {
    }

    /** The protocol version this build speaks; a {@code hello} with another is refused. */
    public static final int VERSION = 1;

    /** Environment variable: the path of the Unix-domain socket the extension process connects to. */
    public static final String ENV_CHANNEL = "UPCERT_CHANNEL";

    /** Environment variable: the extension jar a JVM worker loads. */
    public static final String ENV_EXTENSION = "UPCERT_EXTENSION";

    /**
     * The largest message either side accepts, in bytes (one line). A whole library of 100k
     * assets as one {@code library.fetchAssets} reply is about 30 MB; anything longer is a
     * protocol violation, so a flooding peer costs bounded memory.
     */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    // --- harness → extension process ------------------------------------------------------
    public static final String LAUNCH = "launch";
    public static final String PROCESS_JOBS = "processJobs";
    public static final String WILL_TERMINATE = "willTerminate";
    public static final String EXIT = "exit";

    // --- extension process → harness ------------------------------------------------------
    public static final String HELLO = "hello";
    public static final String AUTHORIZATION_STATUS = "library.authorizationStatus";
    public static final String IS_ENABLED = "library.isUploadJobExtensionEnabled";
    public static final String FETCH_ASSETS = "library.fetchAssets";
    public static final String CURRENT_CHANGE_TOKEN = "library.currentChangeToken";
    public static final String FETCH_PERSISTENT_CHANGES = "library.fetchPersistentChanges";
    public static final String JOB_LIMIT = "library.jobLimit";
    public static final String FETCH_JOBS = "library.fetchJobs";
    public static final String ASSET_RESOURCE = "library.assetResource";
    /** {@code PhotoLibrary.requestData}: an original's bytes (its read costs virtual time by its declared size). */
    public static final String REQUEST_DATA = "library.requestData";
    public static final String PERFORM_CHANGES = "library.performChanges";
    public static final String CHANGES_OUTSIDE_BLOCK = "library.changesOutsideBlock";
    /** The extension used an API member its OS level lacks (found out in the client): recorded, refused with 8. */
    public static final String API_UNAVAILABLE = "api.unavailable";
    public static final String HEADER_LOOKUPS = "job.headerLookups";
    public static final String STORAGE_READ = "storage.read";
    public static final String STORAGE_WRITE = "storage.write";
    public static final String STORAGE_APPEND = "storage.append";
    public static final String STORAGE_DELETE = "storage.delete";
    public static final String STORAGE_LIST = "storage.list";
    public static final String HTTP_SEND = "http.send";
    public static final String LOG = "log";
    public static final String SANDBOX_VIOLATION = "sandbox.violation";

    // --- error codes (JSON-RPC's own are negative) ----------------------------------------
    /** A {@code PhotosException}: {@code data.photosError} names the {@code PhotosErrorCode}. */
    public static final int ERROR_PHOTOS = 1;
    /** No HTTP response arrived: {@code data.error} is the sanitized {@code UploadError}. */
    public static final int ERROR_TRANSPORT = 2;
    /** The call is refused: its context ended, a change outside its block, nested blocks. */
    public static final int ERROR_REFUSED = 3;
    /** The simulated process was killed: unwind and do nothing more. */
    public static final int ERROR_KILLED = 4;
    /** Extension code threw: {@code data.exception} is "class: message". */
    public static final int ERROR_THREW = 5;
    /** The extension's process crashed (stack overflow, out of memory): {@code data.reason}. */
    public static final int ERROR_CRASHED = 6;
    /** A planned-for-the-harness problem: sandbox denied an operation (detected, reported). */
    public static final int ERROR_DENIED = 7;
    /**
     * The call does not exist at the simulated OS level (a selector missing on that iOS):
     * {@code data.since} is the first level that has it. Java: {@code UnsupportedOperationException}.
     */
    public static final int ERROR_UNAVAILABLE = 8;
    /**
     * The app-group container is protected until the device's first unlock after a restart
     * ({@code device.reboot}) or while the user has the device locked ({@code device.locked}), or
     * the host app holds its file lock ({@code host.filelock}): the storage operation did nothing. Java:
     * {@code StorageUnavailableException}.
     */
    public static final int ERROR_STORAGE_UNAVAILABLE = 9;
    public static final int ERROR_PARSE = -32700;
    public static final int ERROR_INVALID_REQUEST = -32600;
    public static final int ERROR_METHOD_NOT_FOUND = -32601;
    public static final int ERROR_INVALID_PARAMS = -32602;
    public static final int ERROR_INTERNAL = -32603;

    /**
     * A job's local identifier as the system writes it (the job store, and the hosts for a placeholder), {@code J} and the sequence number zero-padded
     * to six digits (as {@code String.format(java.util.Locale.ROOT, "J%06d", sequence)}, which parses its pattern on every call:
     * 2.5% of a worker's time in a certification, in the worker's {@code createJob}).
     */
    public static String jobId(long sequence) {
        if (sequence < 0) {
            return String.format(java.util.Locale.ROOT, "J%06d", sequence); // never made by the system; as the pattern says
        }
        String digits = Long.toString(sequence);
        if (digits.length() >= 6) {
            return "J" + digits;
        }
        StringBuilder id = new StringBuilder(7).append('J');
        for (int pad = digits.length(); pad < 6; pad++) {
            id.append('0');
        }
        return id.append(digits).toString();
    }
}
