package org.upcert.conformance.styles.cleanroom;

import java.util.ArrayList;
import java.util.List;
import org.upcert.api.AppGroupStorage;

/**
 * The extension's only memory that survives a kill: an append-only log of {@link Book} lines in
 * the app group, folded now and then into a snapshot.
 *
 * <p>Files: {@code s3journal/snapshot} ({@code GEN g} then the book's lines, replaced atomically)
 * and {@code s3journal/log-g} (lines appended since snapshot {@code g}). A compaction writes
 * snapshot {@code g+1} first and deletes {@code log-g} after; a kill in between leaves a snapshot
 * whose log does not exist yet, which is an empty log. Each append is all or nothing.
 */
final class Journal {
    private static final String DIR = "s3journal/";
    private static final String SNAPSHOT = DIR + "snapshot";
    private static final int COMPACT_AFTER = 1500;

    private final AppGroupStorage storage;
    private long generation;
    private int logLines;
    private final List<String> pending = new ArrayList<>();

    Journal(AppGroupStorage storage) {
        this.storage = storage;
    }

    /** Reads snapshot and log. Throws StorageUnavailableException (from the storage) when the container is locked. */
    Book load() {
        Book book = new Book();
        generation = 0;
        logLines = 0;
        String snapshot = storage.readString(SNAPSHOT).orElse("");
        boolean first = true;
        for (String line : snapshot.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (first && line.startsWith("GEN\t")) {
                generation = Long.parseLong(line.substring(4).trim());
                first = false;
                continue;
            }
            first = false;
            book.apply(line.split("\t", -1));
        }
        String log = storage.readString(logName()).orElse("");
        for (String line : log.split("\n")) {
            if (!line.isEmpty()) {
                book.apply(line.split("\t", -1));
                logLines++;
            }
        }
        return book;
    }

    /** Queues a line; {@link #flush(Book)} writes the queue with one append and applies it to the book. */
    void add(String... fields) {
        pending.add(String.join("\t", fields));
    }

    /** Writes what was added (one append) and applies it to {@code book}: the book never runs ahead of the disk. */
    void flush(Book book) {
        if (pending.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        for (String line : pending) {
            text.append(line).append('\n');
        }
        List<String> lines = new ArrayList<>(pending);
        pending.clear();
        storage.appendString(logName(), text.toString());
        for (String line : lines) {
            book.apply(line.split("\t", -1));
        }
        logLines += lines.size();
    }

    /** Drops what was added but not flushed (a block that was rejected before it was written). */
    void discard() {
        pending.clear();
    }

    void compactIfLong(Book book) {
        if (logLines < COMPACT_AFTER) {
            return;
        }
        long next = generation + 1;
        StringBuilder text = new StringBuilder("GEN\t").append(next).append('\n');
        for (String line : book.snapshotLines()) {
            text.append(line).append('\n');
        }
        storage.writeString(SNAPSHOT, text.toString());
        String old = logName();
        generation = next;
        logLines = 0;
        for (String name : storage.list(DIR + "log-")) {
            if (!name.equals(logName())) {
                storage.delete(name);
            }
        }
        if (storage.read(old).isPresent()) {
            storage.delete(old);
        }
    }

    private String logName() {
        return DIR + "log-" + generation;
    }
}
