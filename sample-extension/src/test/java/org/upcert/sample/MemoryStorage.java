package org.upcert.sample;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.upcert.api.AppGroupStorage;

/**
 * An in-memory app group that records every mutating call, so that a test can rebuild the
 * state a kill after any prefix of those calls would leave ({@link #replay}).
 */
final class MemoryStorage implements AppGroupStorage {

    /** One mutating storage call. */
    record Op(String kind, String name, byte[] content) {
        void applyTo(MemoryStorage storage) {
            switch (kind) {
                case "write" -> storage.write(name, content);
                case "append" -> storage.append(name, content);
                case "delete" -> storage.delete(name);
                default -> throw new IllegalStateException(kind);
            }
        }
    }

    private final TreeMap<String, byte[]> files = new TreeMap<>();
    final List<Op> ops = new ArrayList<>();
    int reads;
    Runnable beforeEachCall = () -> { };

    /** The state left by the first {@code count} mutating calls of {@code ops}. */
    static MemoryStorage replay(List<Op> ops, int count) {
        MemoryStorage storage = new MemoryStorage();
        for (Op op : ops.subList(0, count)) {
            op.applyTo(storage);
        }
        storage.ops.clear();
        return storage;
    }

    /** A copy of the files, without the recorded calls. */
    MemoryStorage copy() {
        MemoryStorage copy = new MemoryStorage();
        files.forEach((name, content) -> copy.files.put(name, content.clone()));
        return copy;
    }

    @Override
    public Optional<byte[]> read(String name) {
        beforeEachCall.run();
        reads++;
        return Optional.ofNullable(files.get(name)).map(byte[]::clone);
    }

    @Override
    public void write(String name, byte[] content) {
        beforeEachCall.run();
        ops.add(new Op("write", name, content.clone()));
        files.put(name, content.clone());
    }

    @Override
    public void append(String name, byte[] content) {
        beforeEachCall.run();
        ops.add(new Op("append", name, content.clone()));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        byte[] existing = files.get(name);
        if (existing != null) {
            joined.writeBytes(existing);
        }
        joined.writeBytes(content);
        files.put(name, joined.toByteArray());
    }

    @Override
    public boolean delete(String name) {
        beforeEachCall.run();
        ops.add(new Op("delete", name, new byte[0]));
        return files.remove(name) != null;
    }

    @Override
    public List<String> list(String prefix) {
        beforeEachCall.run();
        reads++;
        List<String> names = new ArrayList<>();
        for (String name : files.tailMap(prefix, true).keySet()) {
            if (!name.startsWith(prefix)) {
                break;
            }
            names.add(name);
        }
        return names;
    }

    List<String> names() {
        return new ArrayList<>(files.keySet());
    }
}
