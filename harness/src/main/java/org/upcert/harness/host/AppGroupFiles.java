package org.upcert.harness.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The app-group container's files: owned by the simulated device, not by the extension process,
 * so they survive kills and relaunches. Each write or append is atomic; a kill lands between two
 * calls (see {@link org.upcert.api.AppGroupStorage}).
 */
public final class AppGroupFiles {
    /**
     * The container's quota: 256 MiB. upcert decides (a device's limit is its free disk space): an
     * extension's ledger, tokens and caches take kilobytes to a few megabytes, and the container
     * lives in the harness's memory, so a hoarding extension must meet a full disk before it meets
     * the harness's heap. A write or append past it throws, as a full disk does, and stores nothing.
     */
    public static final long QUOTA_BYTES = 256L << 20;

    /**
     * The longest file name, in bytes of UTF-8: 1024, a device's {@code PATH_MAX}. A longer name is
     * refused ({@code IllegalArgumentException}) before anything happens or is traced: names enter
     * the harness's memory and every trace line of the call, so they must be bounded as contents are.
     */
    public static final int MAX_NAME_BYTES = 1024;

    /**
     * What each file costs against the quota besides its contents: its name's bytes and this much
     * (an inode's worth). Without it a million empty files with long names cost nothing against the
     * quota and hundreds of megabytes of the harness's memory; with it the quota bounds them too.
     */
    public static final int FILE_OVERHEAD_BYTES = 256;

    private final TreeMap<String, byte[]> files = new TreeMap<>();
    /** Bytes stored, kept up to date by every change (the quota check must not scan). */
    private long stored;
    /** Bytes charged against the quota: contents plus each file's name and overhead. */
    private long charged;
    /**
     * The container's files are protected: before the first unlock after a restart (device.reboot)
     * or while the user has the device locked (device.locked, complete protection).
     */
    private boolean locked;
    /** How many times the device restarted: a call that sees this change was running during a restart. */
    private int restarts;
    /** The host app holds the container's file lock (host.filelock): the extension's writes fail. */
    private boolean hostLocked;
    /** ... and its reads and listings too. */
    private boolean hostLockedReads;

    /**
     * The harness-owned file the host app lists the resources it uploaded itself in (host.upload):
     * one resource key ({@code asset#TYPE}) per line, appended. Documented for extensions in
     * {@code AppGroupStorage.HOST_APP_UPLOADS}.
     */
    public static final String HOST_APP_UPLOADS = "host/uploaded";

    /** The harness-owned file naming the host app's current server (host.server): {@code AppGroupStorage.HOST_APP_SERVER}. */
    public static final String HOST_APP_SERVER = "host/server";

    /** Whether the files can be neither read nor written now (data protection before the first unlock). */
    public boolean locked() {
        return locked;
    }

    public void setLocked(boolean locked) {
        this.locked = locked;
    }

    /** Whether the host app holds the file lock now, so that an operation ({@code write}: a write, append or delete) fails. */
    public boolean hostLockBlocks(boolean write) {
        return hostLocked && (write || hostLockedReads);
    }

    /** Whether the host app holds the file lock now. */
    public boolean hostLocked() {
        return hostLocked;
    }

    /** The host app took or released the file lock ({@code reads}: reads fail too while held). */
    public void setHostLock(boolean held, boolean reads) {
        this.hostLocked = held;
        this.hostLockedReads = held && reads;
    }

    /** The device restarted: counted, so a call running through it can tell. */
    public void restarted() {
        restarts++;
    }

    public int restarts() {
        return restarts;
    }

    public Optional<byte[]> read(String name) {
        byte[] content = files.get(name);
        return content == null ? Optional.empty() : Optional.of(content.clone());
    }

    /**
     * Refuses a name longer than {@link #MAX_NAME_BYTES} (or null), naming only its length.
     *
     * @return the name
     */
    public static String requireName(String api, String name) {
        if (name == null) {
            throw new IllegalArgumentException(api + ": no file name");
        }
        // a UTF-8 character is at most 3 bytes per char: most names need no encoding to be judged
        if (name.length() * 3L > MAX_NAME_BYTES && nameBytes(name) > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(api + ": a file name of " + nameBytes(name) + " bytes; the app group's names are"
                    + " at most " + MAX_NAME_BYTES + " bytes of UTF-8 (a device's PATH_MAX)");
        }
        return name;
    }

    private static long nameBytes(String name) {
        return name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static long entryCost(String name) {
        return nameBytes(name) + FILE_OVERHEAD_BYTES;
    }

    /** Whether replacing {@code name} with {@code length} bytes keeps the container within its quota. */
    public boolean fitsWrite(String name, long length) {
        byte[] old = files.get(name);
        return charged + (old == null ? entryCost(name) : -old.length) + length <= QUOTA_BYTES;
    }

    /** Whether appending {@code length} bytes to {@code name} keeps the container within its quota. */
    public boolean fitsAppend(String name, long length) {
        return charged + (files.containsKey(name) ? 0 : entryCost(name)) + length <= QUOTA_BYTES;
    }

    public void write(String name, byte[] content) {
        byte[] old = files.put(name, content.clone());
        stored += content.length - (old == null ? 0 : old.length);
        charged += content.length - (old == null ? -entryCost(name) : old.length);
    }

    public void append(String name, byte[] content) {
        byte[] old = files.get(name);
        if (old == null) {
            old = new byte[0];
            charged += entryCost(name);
        }
        byte[] joined = new byte[old.length + content.length];
        System.arraycopy(old, 0, joined, 0, old.length);
        System.arraycopy(content, 0, joined, old.length, content.length);
        files.put(name, joined);
        stored += content.length;
        charged += content.length;
    }

    public boolean delete(String name) {
        byte[] old = files.remove(name);
        if (old != null) {
            stored -= old.length;
            charged -= old.length + entryCost(name);
        }
        return old != null;
    }

    /** Bytes charged against the quota: every file's contents, name and {@link #FILE_OVERHEAD_BYTES}. */
    public long charged() {
        return charged;
    }

    public List<String> list(String prefix) {
        List<String> names = new ArrayList<>();
        for (String name : files.tailMap(prefix, true).keySet()) {
            if (!name.startsWith(prefix)) {
                break;
            }
            names.add(name);
        }
        return names;
    }

    /** Total bytes stored. */
    public long size() {
        return stored;
    }
}
