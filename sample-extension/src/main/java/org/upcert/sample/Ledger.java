package org.upcert.sample;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.AppGroupStorage;

/**
 * What happened to every resource, kept in the app group: the only memory a relaunched process
 * has (a ledger kept only in memory is a classic bug: after a kill everything is uploaded
 * again, or lost).
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code ledger/snapshot.txt}: a header line {@code #upcert-sample-ledger v1 generation <G>}
 *       then one {@link LedgerEntry#toLine() entry line} per resource, sorted by key. Written
 *       only with the atomic {@link AppGroupStorage#write}.
 *   <li>{@code ledger/journal-<G>.txt} ({@code G} zero-padded to 10 digits): entry lines
 *       appended since snapshot {@code G} was written, one {@link AppGroupStorage#append} per
 *       batch of changes (every storage call costs time, so never one per job).
 * </ul>
 *
 * <h2>Why a kill anywhere is harmless</h2>
 * Each line holds the whole state of its resource, so replay is "last line wins": replaying a
 * line twice changes nothing, and a batch appended twice (a call killed after its append, then
 * redone) ends in the same state. Storage calls are all or nothing and a kill leaves a prefix
 * of them, so the possible leftovers are:
 * <ul>
 *   <li>killed before an append: the batch is simply not there; the caller wrote it before
 *       acting on it (ACK-03), so it redoes the same work next call;
 *   <li>killed during compaction, after writing snapshot {@code G+1} but before deleting
 *       journal {@code G}: loading ignores journals older than the snapshot's generation
 *       (their lines are all inside the snapshot) and deletes them.
 * </ul>
 * Compaction never rewrites a journal in place: a rewritten journal next to an old snapshot
 * could not tell stale lines from new ones; a new generation can.
 *
 * <p>Not thread-safe; one call at a time uses it. The storage is passed to each method rather
 * than kept, because a context (and its storage) is invalid once its call returns (TRM-04).
 */
final class Ledger {

    static final String SNAPSHOT = "ledger/snapshot.txt";
    static final String JOURNAL_PREFIX = "ledger/journal-";
    private static final String SNAPSHOT_HEADER = "#upcert-sample-ledger v1 generation ";
    /** Compact when the journal has more lines than this and than there are resources. */
    private static final int COMPACT_MIN_LINES = 1024;

    /**
     * Discovery order, then key. A class rather than {@code comparingLong(…).thenComparing(…)}:
     * every relaunched process replays its ledger through it with cold code, and the composed
     * lambdas were four classes to spin and three calls per comparison (docs/performance.md, H31).
     */
    private static final class ByOrder implements Comparator<LedgerEntry> {
        @Override
        public int compare(LedgerEntry a, LedgerEntry b) {
            int byOrder = Long.compare(a.order(), b.order());
            return byOrder != 0 ? byOrder : a.key().compareTo(b.key());
        }
    }

    private final TreeMap<String, LedgerEntry> entries = new TreeMap<>();
    private final TreeSet<LedgerEntry> needingUpload = new TreeSet<>(new ByOrder());
    /** How many entries have each status, by {@link ResourceStatus#ordinal()}. */
    private final int[] counts = new int[ResourceStatus.values().length];
    private long generation = 1;
    private long journalLines;
    private long nextOrder;
    private int unreadableLines;
    private int staleJournalsDeleted;

    private Ledger() {
    }

    /** An empty ledger that has not touched storage (for a first run, and for tests). */
    static Ledger empty() {
        return new Ledger();
    }

    /**
     * Loads the ledger: the snapshot, then every journal of its generation or later, in order.
     * Journals older than the snapshot are leftovers of an interrupted compaction: ignored and
     * deleted.
     *
     * @throws IllegalStateException if the snapshot exists but is not a ledger snapshot (better
     *     to stop with FAILURE than to forget what was uploaded)
     */
    static Ledger load(AppGroupStorage storage) {
        Ledger ledger = new Ledger();
        Optional<String> snapshot = storage.readString(SNAPSHOT);
        if (snapshot.isPresent()) {
            String text = snapshot.get();
            int endOfHeader = text.indexOf('\n');
            String header = endOfHeader < 0 ? text : text.substring(0, endOfHeader);
            if (!header.startsWith(SNAPSHOT_HEADER)) {
                throw new IllegalStateException("unreadable ledger snapshot header: " + header);
            }
            try {
                ledger.generation = Long.parseLong(header.substring(SNAPSHOT_HEADER.length()).strip());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("unreadable ledger snapshot header: " + header, e);
            }
            if (endOfHeader >= 0) {
                ledger.replay(text, endOfHeader + 1);
            }
        }
        long snapshotGeneration = ledger.generation;
        List<String> stale = new ArrayList<>();
        for (String name : storage.list(JOURNAL_PREFIX)) {
            long journalGeneration = generationOf(name);
            if (journalGeneration < 0) {
                continue; // not ours
            }
            if (journalGeneration < snapshotGeneration) {
                stale.add(name);
                continue;
            }
            Optional<String> journal = storage.readString(name);
            if (journal.isPresent()) {
                ledger.journalLines += ledger.replay(journal.get(), 0);
            }
            ledger.generation = Math.max(ledger.generation, journalGeneration);
        }
        ledger.index();
        for (String name : stale) {
            storage.delete(name);
            ledger.staleJournalsDeleted++;
        }
        return ledger;
    }

    /**
     * Makes {@code updates} durable (one append) and then applies them. Entries equal to what
     * is already recorded are skipped; nothing is written when nothing changes. Memory changes
     * only after the append returned, so memory never runs ahead of storage.
     *
     * @return how many entries changed
     */
    int record(Collection<LedgerEntry> updates, AppGroupStorage storage) {
        StringBuilder lines = new StringBuilder();
        List<LedgerEntry> changed = new ArrayList<>();
        for (LedgerEntry update : updates) {
            if (!update.equals(entries.get(update.key()))) {
                lines.append(update.toLine());
                changed.add(update);
            }
        }
        if (changed.isEmpty()) {
            return 0;
        }
        storage.appendString(journalName(generation), lines.toString());
        for (LedgerEntry entry : changed) {
            apply(entry);
        }
        journalLines += changed.size();
        return changed.size();
    }

    /** Compacts when the journal has grown past the size of the state it describes. */
    boolean compactIfDue(AppGroupStorage storage) {
        if (journalLines <= Math.max(COMPACT_MIN_LINES, entries.size())) {
            return false;
        }
        compact(storage);
        return true;
    }

    /**
     * Writes the whole state as snapshot {@code G+1} (atomically), then deletes journal
     * {@code G}. A kill between the two leaves a journal that {@link #load} ignores.
     */
    void compact(AppGroupStorage storage) {
        long next = generation + 1;
        StringBuilder text = new StringBuilder(SNAPSHOT_HEADER).append(next).append('\n');
        for (LedgerEntry entry : entries.values()) {
            text.append(entry.toLine());
        }
        storage.writeString(SNAPSHOT, text.toString());
        long previous = generation;
        generation = next; // from here on, appends go to the new journal
        journalLines = 0;
        storage.delete(journalName(previous));
    }

    /** The entry of resource {@code key}, if known. */
    Optional<LedgerEntry> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** Every entry, sorted by key. */
    Collection<LedgerEntry> all() {
        return Collections.unmodifiableCollection(entries.values());
    }

    /** The resources that need an upload, oldest discovered first. */
    List<LedgerEntry> needingUpload() {
        return List.copyOf(needingUpload);
    }

    /** How many resources need an upload. */
    int needingUploadCount() {
        return needingUpload.size();
    }

    /** The entries of one asset's resources ({@code assetId#TYPE} keys sort together). */
    /** The entries with a job of this extension believed in flight ({@link LedgerEntry#jobInFlight()}). */
    List<LedgerEntry> withJobInFlight() {
        List<LedgerEntry> out = new java.util.ArrayList<>();
        for (LedgerEntry entry : all()) {
            if (entry.jobInFlight()) {
                out.add(entry);
            }
        }
        return out;
    }

    Collection<LedgerEntry> entriesOfAsset(String assetLocalIdentifier) {
        // '$' is the character after '#': the range holds exactly the keys "<asset>#…".
        return List.copyOf(entries.subMap(assetLocalIdentifier + "#", true, assetLocalIdentifier + "$", false).values());
    }

    /** A discovery order number after every one in use (gaps are harmless). */
    long allocateOrder() {
        return nextOrder++;
    }

    /** Counts by status, for log lines. */
    Map<ResourceStatus, Integer> counts() {
        EnumMap<ResourceStatus, Integer> byStatus = new EnumMap<>(ResourceStatus.class);
        for (ResourceStatus status : ResourceStatus.values()) {
            byStatus.put(status, counts[status.ordinal()]);
        }
        return Collections.unmodifiableMap(byStatus);
    }

    /** The generation appends currently go to. */
    long generation() {
        return generation;
    }

    /** Journal lines since the last snapshot. */
    long journalLines() {
        return journalLines;
    }

    /** Lines skipped on load because they could not be read. */
    int unreadableLines() {
        return unreadableLines;
    }

    /** Leftover journals of an interrupted compaction deleted on load. */
    int staleJournalsDeleted() {
        return staleJournalsDeleted;
    }

    static String journalName(long generation) {
        // Zero-padded to ten digits by hand: String.format parses its pattern on every call, and with cold
        // code in each relaunched process it was 2% of the worker's time (docs/performance.md, H46).
        String digits = Long.toString(generation);
        StringBuilder name = new StringBuilder(JOURNAL_PREFIX.length() + 14).append(JOURNAL_PREFIX);
        for (int pad = digits.length(); pad < 10; pad++) {
            name.append('0');
        }
        return name.append(digits).append(".txt").toString();
    }

    private static long generationOf(String name) {
        if (!name.startsWith(JOURNAL_PREFIX) || !name.endsWith(".txt")) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(JOURNAL_PREFIX.length(), name.length() - ".txt".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Applies every entry line of {@code text} from {@code from} on; returns how many were read. */
    private int replay(String text, int from) {
        int read = 0;
        for (int start = from, end; start < text.length(); start = end + 1) {
            end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            if (end == start || text.charAt(start) == '#') {
                continue;
            }
            LedgerEntry entry;
            try {
                entry = LedgerEntry.parse(text, start, end); // in place: no array of lines, no copy of each
            } catch (IllegalArgumentException e) {
                // Appends are atomic, so this is not a torn write; a foreign or damaged line
                // must not stop every later call. Skip it, the rest of the ledger still counts.
                unreadableLines++;
                continue;
            }
            entries.put(entry.key(), entry); // last line wins; indexed once all are read (index())
            nextOrder = Math.max(nextOrder, entry.order() + 1);
            read++;
        }
        return read;
    }

    /**
     * Counts the entries read by {@link #replay} and lists those needing an upload, once: a line
     * read replaces its resource's entry only, so a resource with many lines in the journal is
     * placed in the discovery order once, not at every line (every relaunch replays the ledger
     * with cold code).
     */
    private void index() {
        for (LedgerEntry entry : entries.values()) {
            counts[entry.status().ordinal()]++;
            if (entry.status() == ResourceStatus.NEEDS_UPLOAD) {
                needingUpload.add(entry);
            }
        }
    }

    private void apply(LedgerEntry entry) {
        LedgerEntry previous = entries.put(entry.key(), entry);
        if (previous != null) {
            if (previous.status() == ResourceStatus.NEEDS_UPLOAD) {
                needingUpload.remove(previous);
            }
            counts[previous.status().ordinal()]--;
        }
        counts[entry.status().ordinal()]++;
        if (entry.status() == ResourceStatus.NEEDS_UPLOAD) {
            needingUpload.add(entry);
        }
        nextOrder = Math.max(nextOrder, entry.order() + 1);
    }
}
