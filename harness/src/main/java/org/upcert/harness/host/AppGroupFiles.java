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
    private final TreeMap<String, byte[]> files = new TreeMap<>();
    /** Before the first unlock after a restart: the container's files are protected (device.reboot). */
    private boolean locked;
    /** How many times the device restarted: a call that sees this change was running during a restart. */
    private int restarts;

    /** Whether the files can be neither read nor written now (data protection before the first unlock). */
    public boolean locked() {
        return locked;
    }

    public void setLocked(boolean locked) {
        this.locked = locked;
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

    public void write(String name, byte[] content) {
        files.put(name, content.clone());
    }

    public void append(String name, byte[] content) {
        byte[] old = files.getOrDefault(name, new byte[0]);
        byte[] joined = new byte[old.length + content.length];
        System.arraycopy(old, 0, joined, 0, old.length);
        System.arraycopy(content, 0, joined, old.length, content.length);
        files.put(name, joined);
    }

    public boolean delete(String name) {
        return files.remove(name) != null;
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
        long total = 0;
        for (byte[] content : files.values()) {
            total += content.length;
        }
        return total;
    }
}
