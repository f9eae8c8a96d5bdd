package org.upcert.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The app-group container: the extension's durable storage. It survives calls, relaunches and
 * kills; memory does not. Files are named by relative paths ({@code ledger/0001.txt}).
 *
 * <p><b>Durability model.</b> {@link #write(String, byte[])} replaces a file atomically (write to
 * a temporary file, then rename), {@link #append(String, byte[])} adds to its end; each call is
 * all or nothing. A kill lands between two calls, never inside one, so what a sequence of calls
 * leaves behind after a kill is exactly a prefix of that sequence: design for that, as you would
 * with a real file system.
 *
 * <p><b>Before the first unlock.</b> After the device restarts, the container's files are
 * protected until the user unlocks it once: every operation then throws
 * {@link StorageUnavailableException} and does nothing (a restart during a call also ends that
 * call's process). That is not an empty container.
 *
 * <p><b>Shared with the host app.</b> The container is the app group: the host app uses it too.
 * While the host app holds its file lock (a coordinated write or a database transaction of its
 * own), a write, append or delete throws {@link StorageUnavailableException} and does nothing
 * (reads may fail the same way): answer {@link ProcessingResult#FAILURE} or
 * {@link ProcessingResult#PROCESSING} without acknowledging what you could not record, and go on
 * in a later call. The host app never touches the extension's files; it keeps its own under
 * {@code host/}, among them {@link #HOST_APP_UPLOADS}.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface AppGroupStorage {

    /**
     * The file in which the host app lists the resources it uploaded itself, in the foreground
     * (the user opened the app; large videos go through the app on real services): one
     * {@link AssetResource#key()} ({@code asset#TYPE}) per line, appended, never rewritten. The
     * cloud holds each resource listed. An extension may read it and skip those resources;
     * uploading one again is a duplicate (DUP-02, a figure), never a failure. Read it, never write it.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    String HOST_APP_UPLOADS = "host/uploaded";

    /**
     * The file in which the host app names the server the user's account is on, rewritten whole
     * each time the user moves to another server or account mid-backup ({@code host.server}):
     * {@code generation=N} (1 for the first change, then 2, ...), {@code uploadBase=URL} (where
     * uploads go now: {@link ExtensionContext#uploadUrlBase()} answers the same),
     * {@code apiBase=URL} (sign-in and API) and {@code hostUploadedLines=N} (how many lines
     * {@link #HOST_APP_UPLOADS} had at the change: what they list went to the old server, the
     * lines after them to the new one). Absent until the first change. What counts from a
     * change on is the new server: every resource in scope must end up there, whatever the old
     * one holds, and the old server refuses new uploads and sign-ins. Read it, never write it.
     */
    @API(status = API.Status.EXPERIMENTAL, since = "0.4")
    String HOST_APP_SERVER = "host/server";

    /** The file's bytes, or empty if there is no such file. */
    Optional<byte[]> read(String name);

    /** Creates or atomically replaces the file. */
    void write(String name, byte[] content);

    /** Appends to the file, creating it if needed. */
    void append(String name, byte[] content);

    /** Deletes the file; returns whether it existed. */
    boolean delete(String name);

    /** The names of all files whose name starts with {@code prefix}, sorted. */
    List<String> list(String prefix);

    /** {@link #read(String)} as UTF-8 text. */
    default Optional<String> readString(String name) {
        return read(name).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** {@link #write(String, byte[])} of UTF-8 text. */
    default void writeString(String name, String content) {
        write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #append(String, byte[])} of UTF-8 text. */
    default void appendString(String name, String content) {
        append(name, content.getBytes(StandardCharsets.UTF_8));
    }
}
