package org.upcert.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LedgerTest {

    private static final Instant NOW = Instant.parse("2026-03-01T08:00:00Z");

    /** The observable state: every entry by key. */
    private static Map<String, LedgerEntry> state(Ledger ledger) {
        TreeMap<String, LedgerEntry> state = new TreeMap<>();
        ledger.all().forEach(entry -> state.put(entry.key(), entry));
        return state;
    }

    private static LedgerEntry discovered(Ledger ledger, String asset) {
        return LedgerEntry.discovered(asset + "/L0/001#PHOTO", ledger.allocateOrder());
    }

    /**
     * A scripted history of logical steps, each a few storage calls: discovery, outcomes,
     * compactions, more outcomes. Returns the state after each step (index 0: empty).
     */
    private static List<Map<String, LedgerEntry>> script(MemoryStorage storage) {
        List<Map<String, LedgerEntry>> states = new ArrayList<>();
        Ledger ledger = Ledger.load(storage);
        states.add(state(ledger));
        List<Consumer<Ledger>> steps = List.of(
                l -> l.record(List.of(discovered(l, "A"), discovered(l, "B"), discovered(l, "C"), discovered(l, "D")), storage),
                l -> l.record(List.of(l.get("A/L0/001#PHOTO").orElseThrow().uploaded("obj-1"),
                        l.get("B/L0/001#PHOTO").orElseThrow().failedAgain(NOW.plusSeconds(5))), storage),
                l -> l.compact(storage),
                l -> l.record(List.of(l.get("B/L0/001#PHOTO").orElseThrow().uploaded("obj-2"),
                        l.get("C/L0/001#PHOTO").orElseThrow().abandoned(), discovered(l, "E")), storage),
                l -> l.record(List.of(l.get("D/L0/001#PHOTO").orElseThrow().withStatus(ResourceStatus.GONE)), storage),
                l -> l.compact(storage),
                l -> l.compact(storage),
                l -> l.record(List.of(l.get("E/L0/001#PHOTO").orElseThrow().uploaded("obj\t3\n")), storage));
        for (Consumer<Ledger> step : steps) {
            step.accept(ledger);
            states.add(state(ledger));
        }
        return states;
    }

    @Test
    void replaysToTheSameStateAfterEveryStep() {
        MemoryStorage storage = new MemoryStorage();
        List<Map<String, LedgerEntry>> states = script(storage);
        Map<String, LedgerEntry> last = states.get(states.size() - 1);
        assertEquals(last, state(Ledger.load(storage)));
        assertEquals(ResourceStatus.UPLOADED, last.get("E/L0/001#PHOTO").status());
        assertEquals("obj\t3\n", last.get("E/L0/001#PHOTO").serverId(), "escaped text survives the line format");
        assertEquals(List.of("ledger/journal-0000000004.txt", "ledger/snapshot.txt"), storage.names());
    }

    @Test
    void aKillAfterAnyPrefixOfStorageCallsLeavesTheStateOfAStepBoundary() {
        MemoryStorage storage = new MemoryStorage();
        List<Map<String, LedgerEntry>> states = script(storage);
        List<MemoryStorage.Op> ops = List.copyOf(storage.ops);
        assertEquals(11, ops.size(), "the script exercises appends, snapshots and deletes: " + ops.size());
        for (int prefix = 0; prefix <= ops.size(); prefix++) {
            MemoryStorage survivor = MemoryStorage.replay(ops, prefix);
            Ledger recovered = Ledger.load(survivor);
            Map<String, LedgerEntry> got = state(recovered);
            assertTrue(states.contains(got), "prefix " + prefix + " left a state no step produced: " + got);
            // Every later state of the script is reachable from here: no step is lost for good
            // (the recovered ledger keeps appending to a generation load() will replay).
            recovered.record(List.of(LedgerEntry.discovered("Z#PHOTO", recovered.allocateOrder())), survivor);
            assertEquals(state(recovered), state(Ledger.load(survivor)), "prefix " + prefix + " then one more append");
        }
    }

    @Test
    void statesOnlyMoveForwardAlongThePrefixes() {
        MemoryStorage storage = new MemoryStorage();
        List<Map<String, LedgerEntry>> states = script(storage);
        List<MemoryStorage.Op> ops = List.copyOf(storage.ops);
        int lastIndex = 0;
        for (int prefix = 0; prefix <= ops.size(); prefix++) {
            int index = states.lastIndexOf(state(Ledger.load(MemoryStorage.replay(ops, prefix))));
            // Compactions repeat a state; lastIndexOf picks the latest equal one.
            assertTrue(index >= lastIndex || states.get(index).equals(states.get(lastIndex)),
                    "prefix " + prefix + " went back from step " + lastIndex + " to " + index);
            lastIndex = Math.max(lastIndex, index);
        }
        assertEquals(states.size() - 1, lastIndex);
    }

    @Test
    void replayingABatchTwiceChangesNothing() {
        MemoryStorage storage = new MemoryStorage();
        Ledger ledger = Ledger.load(storage);
        LedgerEntry a = discovered(ledger, "A");
        LedgerEntry b = discovered(ledger, "B");
        ledger.record(List.of(a, b), storage);
        ledger.record(List.of(a.uploaded("obj-1")), storage);
        Map<String, LedgerEntry> once = state(Ledger.load(storage));
        // A call killed after its append redoes the same work: the same lines again.
        String journal = Ledger.journalName(1);
        storage.append(journal, storage.read(journal).orElseThrow());
        assertEquals(once, state(Ledger.load(storage)));
        // An older line replayed after a newer one would go back: the journal never does that,
        // a stale journal is only ever replayed before its snapshot, which load() forbids.
        Ledger compacted = Ledger.load(storage);
        compacted.compact(storage);
        assertEquals(once, state(Ledger.load(storage)));
    }

    @Test
    void aStaleJournalFromAnInterruptedCompactionIsIgnoredAndDeleted() {
        MemoryStorage storage = new MemoryStorage();
        Ledger ledger = Ledger.load(storage);
        LedgerEntry a = discovered(ledger, "A");
        ledger.record(List.of(a), storage);
        ledger.record(List.of(a.failedAgain(NOW)), storage);
        ledger.record(List.of(a.uploaded("obj-1")), storage);
        List<MemoryStorage.Op> ops = new ArrayList<>(storage.ops);
        ledger.compact(storage);
        int snapshotWritten = ops.size() + 1; // the write, not yet the delete of journal 1
        MemoryStorage survivor = MemoryStorage.replay(storage.ops, snapshotWritten);
        assertTrue(survivor.names().contains(Ledger.journalName(1)));
        Ledger recovered = Ledger.load(survivor);
        assertEquals(ResourceStatus.UPLOADED, recovered.get(a.key()).orElseThrow().status());
        assertEquals(2, recovered.generation());
        assertEquals(1, recovered.staleJournalsDeleted());
        assertFalse(survivor.names().contains(Ledger.journalName(1)));
    }

    @Test
    void unchangedEntriesCostNoStorageCall() {
        MemoryStorage storage = new MemoryStorage();
        Ledger ledger = Ledger.load(storage);
        LedgerEntry a = discovered(ledger, "A");
        assertEquals(1, ledger.record(List.of(a), storage));
        int calls = storage.ops.size();
        assertEquals(0, ledger.record(List.of(a), storage));
        assertEquals(0, ledger.record(List.of(), storage));
        assertEquals(calls, storage.ops.size());
    }

    @Test
    void oneAppendPerBatch() {
        MemoryStorage storage = new MemoryStorage();
        Ledger ledger = Ledger.load(storage);
        List<LedgerEntry> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(discovered(ledger, "asset-" + i));
        }
        ledger.record(many, storage);
        assertEquals(1, storage.ops.size());
        assertEquals(500, ledger.needingUploadCount());
    }

    @Test
    void needingUploadComesInDiscoveryOrderNotKeyOrder() {
        MemoryStorage storage = new MemoryStorage();
        Ledger ledger = Ledger.load(storage);
        LedgerEntry z = LedgerEntry.discovered("Z#PHOTO", ledger.allocateOrder());
        LedgerEntry a = LedgerEntry.discovered("A#PHOTO", ledger.allocateOrder());
        LedgerEntry m = LedgerEntry.discovered("M#PHOTO", ledger.allocateOrder());
        ledger.record(List.of(z, a, m), storage);
        ledger.record(List.of(a.failedAgain(NOW)), storage);
        assertEquals(List.of("Z#PHOTO", "A#PHOTO", "M#PHOTO"),
                Ledger.load(storage).needingUpload().stream().map(LedgerEntry::key).toList());
        assertEquals(3, Ledger.load(storage).allocateOrder(), "orders continue after the largest in use");
    }

    @Test
    void compactsOnlyWhenTheJournalOutgrowsTheState() {
        MemoryStorage storage = new MemoryStorage();
        Ledger ledger = Ledger.load(storage);
        LedgerEntry a = discovered(ledger, "A");
        ledger.record(List.of(a), storage);
        assertFalse(ledger.compactIfDue(storage));
        for (int i = 0; i < 1100; i++) {
            ledger.record(List.of(i % 2 == 0 ? a.uploaded("obj-" + i) : a), storage);
        }
        assertTrue(ledger.compactIfDue(storage));
        assertEquals(0, ledger.journalLines());
        assertEquals(state(ledger), state(Ledger.load(storage)));
    }

    @Test
    void skipsAnUnreadableLineButKeepsTheRest() {
        MemoryStorage storage = new MemoryStorage();
        storage.append(Ledger.journalName(1), ("NEEDS_UPLOAD\tA#PHOTO\t0\t\t0\t0\n" + "garbage line\n"
                + "UPLOADED\tA#PHOTO\t0\tobj-1\t0\t0\n").getBytes(StandardCharsets.UTF_8));
        Ledger ledger = Ledger.load(storage);
        assertEquals(1, ledger.unreadableLines());
        assertEquals("obj-1", ledger.get("A#PHOTO").orElseThrow().serverId());
    }

    @Test
    void refusesAForeignSnapshotRatherThanForgetEverything() {
        MemoryStorage storage = new MemoryStorage();
        storage.write(Ledger.SNAPSHOT, "something else\n".getBytes(StandardCharsets.UTF_8));
        assertThrows(IllegalStateException.class, () -> Ledger.load(storage));
    }

    @Test
    void entriesOfAnAssetAreExactlyItsResources() {
        MemoryStorage storage = new MemoryStorage();
        Ledger ledger = Ledger.load(storage);
        ledger.record(List.of(LedgerEntry.discovered("A#PHOTO", 0), LedgerEntry.discovered("A#PAIRED_VIDEO", 1),
                LedgerEntry.discovered("AB#PHOTO", 2), LedgerEntry.discovered("A/x#PHOTO", 3)), storage);
        assertEquals(List.of("A#PAIRED_VIDEO", "A#PHOTO"),
                ledger.entriesOfAsset("A").stream().map(LedgerEntry::key).toList());
    }

    @Test
    void theLineFormatIsTheDocumentedOne() {
        LedgerEntry entry = new LedgerEntry("X/L0/001#PHOTO", ResourceStatus.UPLOADED, 2, "obj-7", 12, 0);
        assertEquals("UPLOADED\tX/L0/001#PHOTO\t2\tobj-7\t12\t0\n", entry.toLine());
        assertEquals(entry, LedgerEntry.parse(entry.toLine().strip()));
    }

    /**
     * The parser reads a line in place, field by field (H31): it reads every form {@link LedgerEntry#toLine}
     * writes, escapes included, from the middle of a text, and refuses what the split-based parser
     * refused (a wrong field count, an unknown status, a number that is not one).
     */
    @Test
    void readsEveryWrittenFormInPlaceAndRefusesWhatIsNotALine() {
        List<LedgerEntry> written = List.of(
                new LedgerEntry("X/L0/001#PHOTO", ResourceStatus.UPLOADED, 2, "obj-7", 12, 0),
                new LedgerEntry("tab\there#PHOTO", ResourceStatus.NEEDS_UPLOAD, 0, "back\\slash\r\n", 3, 99, 4, 1234),
                new LedgerEntry("Y#PAIRED_VIDEO", ResourceStatus.NEEDS_UPLOAD, 1, "", 7, 5, 0, 0, 4567),
                new LedgerEntry("Z#PHOTO", ResourceStatus.GONE, 0, "", 8, 0),
                new LedgerEntry("W#PHOTO", ResourceStatus.ABANDONED, 3, "id", 9, 0, 2, 77));
        StringBuilder text = new StringBuilder("#header\n");
        written.forEach(entry -> text.append(entry.toLine()));
        String all = text.toString();
        int start = all.indexOf('\n') + 1;
        for (LedgerEntry entry : written) {
            int end = all.indexOf('\n', start);
            assertEquals(entry, LedgerEntry.parse(all, start, end), all.substring(start, end));
            assertEquals(entry, LedgerEntry.parse(all.substring(start, end)));
            start = end + 1;
        }
        for (String bad : List.of("UPLOADED\tA#PHOTO\t0\tobj\t0", "UPLOADED\tA#PHOTO\t0\tobj\t0\t0\t1",
                "UPLOADED\tA#PHOTO\t0\tobj\t0\t0\t1\t2\t3\t4", "UPLOADED\tA#PHOTO\t0\tobj\t0\t0\t1\t2\t3\t4\t5\t6",
                "UPLOAD\tA#PHOTO\t0\tobj\t0\t0", "UPLOADEDX\tA#PHOTO\t0\tobj\t0\t0", "uploaded\tA#PHOTO\t0\tobj\t0\t0",
                "UPLOADED\tA#PHOTO\t\tobj\t0\t0", "UPLOADED\tA#PHOTO\t0\tobj\t0\t1x", "UPLOADED\tA#PHOTO\t0\tob\\j\t0\t0",
                "UPLOADED\t\t0\tobj\t0\t0")) {
            assertThrows(IllegalArgumentException.class, () -> LedgerEntry.parse(bad), bad);
        }
    }
}
