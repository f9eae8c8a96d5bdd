package org.upcert.conformance.styles.cleanroom;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the extension knows, rebuilt by replaying its journal: one small state machine per
 * resource, plus the change token, the server followed and the host app's list read so far.
 *
 * <pre>
 *   TODO --intent--> IN_FLIGHT --(outcome, acknowledged)--> DONE | TODO (later) | GAVE_UP | GONE
 *                        |  ^--retry (fresh URL)--'
 *                        '--abort (block rejected / never committed)--> TODO
 * </pre>
 *
 * Every transition is one journal line; {@link #apply(String[])} is the only mutator, so the state
 * after a kill is exactly the state after the lines that reached the journal.
 */
final class Book {

    enum Status { TODO, IN_FLIGHT, DONE, GAVE_UP, GONE }

    /** One resource. */
    static final class Entry {
        final String key;
        Status status = Status.TODO;
        /** The destinations of the current job (the first, then a retry's): how its outcome is recognised. */
        final List<String> jobUrls = new ArrayList<>();
        /** The job's destinations whose outcome was already counted (a kill before the acknowledgement shows it again). */
        final Set<String> counted = new LinkedHashSet<>();
        long presignedAt;
        long expiresIn;
        /** The create was written ahead but its commit was not confirmed (a kill in between). */
        boolean uncertain;
        long intentAt;
        boolean retried;
        /** The job went to a server the account has left: its outcome counts for nothing. */
        boolean stale;
        /** The asset was deleted while the job was in flight. */
        boolean goneMeanwhile;
        int refusalsInRow;
        long firstRefusalAt;
        int networkInRow;
        long notBefore;
        /** What the entry becomes once the presented job is acknowledged (set with its outcome). */
        Status afterAck;
        long afterAckNotBefore;

        Entry(String key) {
            this.key = key;
        }

        String currentUrl() {
            return jobUrls.isEmpty() ? null : jobUrls.get(jobUrls.size() - 1);
        }

        boolean hasOutcome() {
            return afterAck != null;
        }

        void resetAttempts() {
            refusalsInRow = 0;
            firstRefusalAt = 0;
            networkInRow = 0;
            notBefore = 0;
        }

        void jobEnded(Status next, long nextNotBefore) {
            status = next;
            notBefore = nextNotBefore;
            jobUrls.clear();
            counted.clear();
            uncertain = false;
            retried = false;
            stale = false;
            goneMeanwhile = false;
            afterAck = null;
            afterAckNotBefore = 0;
        }
    }

    final Map<String, Entry> entries = new TreeMap<>();
    String changeToken;
    long serverGeneration;
    long hostLinesRead;
    long expiresIn = 3600;
    boolean walkWanted;

    Entry entry(String key) {
        return entries.computeIfAbsent(key, Entry::new);
    }

    Optional<Entry> byUrl(String url) {
        for (Entry e : entries.values()) {
            if (e.status == Status.IN_FLIGHT && e.jobUrls.contains(url)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Applies one journal line. Unknown or malformed lines are skipped (a newer build's, a torn tail). */
    void apply(String[] f) {
        if (f.length == 0) {
            return;
        }
        try {
            switch (f[0]) {
                case "SEEN" -> {
                    Entry e = entry(f[1]);
                    if (e.status == Status.GONE) {
                        e.jobEnded(Status.TODO, 0);
                        e.resetAttempts();
                    }
                }
                case "GONE" -> {
                    Entry e = entries.get(f[1]);
                    if (e == null) {
                        return;
                    }
                    if (e.status == Status.IN_FLIGHT) {
                        e.goneMeanwhile = true;
                    } else if (e.status == Status.TODO) {
                        e.status = Status.GONE;
                    }
                }
                case "INTENT" -> {
                    Entry e = entry(f[1]);
                    e.jobEnded(Status.IN_FLIGHT, 0);
                    e.jobUrls.add(f[2]);
                    e.presignedAt = Long.parseLong(f[3]);
                    e.expiresIn = Long.parseLong(f[4]);
                    e.intentAt = Long.parseLong(f[3]);
                    e.uncertain = true;
                }
                case "CREATED" -> {
                    Entry e = entries.get(f[1]);
                    if (e != null && e.status == Status.IN_FLIGHT && f[2].equals(e.currentUrl())) {
                        e.uncertain = false;
                    }
                }
                case "ABORT" -> {
                    Entry e = entries.get(f[1]);
                    if (e != null && e.status == Status.IN_FLIGHT && f[2].equals(e.currentUrl())) {
                        long wait = f.length > 3 ? Long.parseLong(f[3]) : 0;
                        e.jobEnded(e.goneMeanwhile ? Status.GONE : Status.TODO, wait);
                    }
                }
                case "OUTCOME" -> {
                    // OUTCOME key url kind at refusalsInRow firstRefusalAt networkInRow afterAck afterAckNotBefore
                    Entry e = entries.get(f[1]);
                    if (e == null || e.status != Status.IN_FLIGHT) {
                        return;
                    }
                    if (!e.jobUrls.contains(f[2])) {
                        e.jobUrls.add(0, f[2]);
                    }
                    e.counted.add(f[2]);
                    e.refusalsInRow = Integer.parseInt(f[5]);
                    e.firstRefusalAt = Long.parseLong(f[6]);
                    e.networkInRow = Integer.parseInt(f[7]);
                    e.afterAck = Status.valueOf(f[8]);
                    e.afterAckNotBefore = Long.parseLong(f[9]);
                    e.uncertain = false;
                }
                case "RETRY" -> {
                    // RETRY key oldUrl newUrl presignedAt expiresIn
                    Entry e = entries.get(f[1]);
                    if (e == null || e.status != Status.IN_FLIGHT) {
                        return;
                    }
                    e.jobUrls.add(f[3]);
                    e.presignedAt = Long.parseLong(f[4]);
                    e.expiresIn = Long.parseLong(f[5]);
                    e.retried = true;
                    e.afterAck = null;
                    e.afterAckNotBefore = 0;
                }
                case "ACKED" -> {
                    Entry e = entries.get(f[1]);
                    if (e == null || e.status != Status.IN_FLIGHT || !e.jobUrls.contains(f[2])) {
                        return;
                    }
                    Status next = e.afterAck != null ? e.afterAck : Status.TODO;
                    long nb = e.afterAck != null ? e.afterAckNotBefore : 0;
                    if (e.goneMeanwhile && next == Status.TODO) {
                        next = Status.GONE;
                    }
                    e.jobEnded(next, nb);
                    if (next == Status.DONE || next == Status.GONE) {
                        e.resetAttempts();
                    }
                }
                case "CANCELLED" -> {
                    Entry e = entries.get(f[1]);
                    if (e != null && e.status == Status.IN_FLIGHT && e.jobUrls.contains(f[2])) {
                        e.jobEnded(e.goneMeanwhile ? Status.GONE : Status.TODO, 0);
                    }
                }
                case "HOSTDONE" -> {
                    Entry e = entry(f[1]);
                    if (e.status == Status.TODO || e.status == Status.GAVE_UP) {
                        e.jobEnded(Status.DONE, 0);
                        e.resetAttempts();
                    }
                }
                case "SERVERGEN" -> serverGeneration = Long.parseLong(f[1]);
                case "HOSTLINES" -> hostLinesRead = Long.parseLong(f[1]);
                case "TOKEN" -> changeToken = f[1].equals("-") ? null : f[1];
                case "WALK" -> walkWanted = f[1].equals("1");
                case "EXPIRES" -> expiresIn = Long.parseLong(f[1]);
                case "SERVER" -> {
                    serverGeneration = Long.parseLong(f[1]);
                    hostLinesRead = Long.parseLong(f[2]);
                    for (Entry e : entries.values()) {
                        switch (e.status) {
                            case DONE, GAVE_UP -> {
                                e.status = Status.TODO;
                                e.resetAttempts();
                            }
                            case TODO -> e.resetAttempts();
                            case IN_FLIGHT -> {
                                e.stale = true;
                                e.resetAttempts();
                                if (e.afterAck == Status.DONE || e.afterAck == Status.GAVE_UP) {
                                    // an outcome from the server the account left: it counts for nothing on the new one
                                    e.afterAck = Status.TODO;
                                    e.afterAckNotBefore = 0;
                                }
                            }
                            default -> {
                            }
                        }
                    }
                }
                case "ENTRY" -> readEntry(f);
                default -> {
                }
            }
        } catch (RuntimeException malformed) {
            // a torn or foreign line: ignore it, the rest of the journal still stands
        }
    }

    // ---- snapshot form: one ENTRY line per resource, written by Journal.compact

    List<String> snapshotLines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.join("\t", "TOKEN", changeToken == null ? "-" : changeToken));
        lines.add("SERVERGEN\t" + serverGeneration);
        lines.add("HOSTLINES\t" + hostLinesRead);
        lines.add("EXPIRES\t" + expiresIn);
        lines.add("WALK\t" + (walkWanted ? "1" : "0"));
        for (Entry e : entries.values()) {
            lines.add(String.join("\t", "ENTRY", e.key, e.status.name(), String.join(" ", e.jobUrls),
                    String.join(" ", e.counted), Long.toString(e.presignedAt), Long.toString(e.expiresIn),
                    e.uncertain ? "1" : "0", Long.toString(e.intentAt), e.retried ? "1" : "0", e.stale ? "1" : "0",
                    e.goneMeanwhile ? "1" : "0", Integer.toString(e.refusalsInRow), Long.toString(e.firstRefusalAt),
                    Integer.toString(e.networkInRow), Long.toString(e.notBefore), e.afterAck == null ? "-" : e.afterAck.name(),
                    Long.toString(e.afterAckNotBefore)));
        }
        return lines;
    }

    private void readEntry(String[] f) {
        Entry e = entry(f[1]);
        e.status = Status.valueOf(f[2]);
        e.jobUrls.clear();
        for (String u : f[3].split(" ")) {
            if (!u.isEmpty()) {
                e.jobUrls.add(u);
            }
        }
        e.counted.clear();
        for (String u : f[4].split(" ")) {
            if (!u.isEmpty()) {
                e.counted.add(u);
            }
        }
        e.presignedAt = Long.parseLong(f[5]);
        e.expiresIn = Long.parseLong(f[6]);
        e.uncertain = f[7].equals("1");
        e.intentAt = Long.parseLong(f[8]);
        e.retried = f[9].equals("1");
        e.stale = f[10].equals("1");
        e.goneMeanwhile = f[11].equals("1");
        e.refusalsInRow = Integer.parseInt(f[12]);
        e.firstRefusalAt = Long.parseLong(f[13]);
        e.networkInRow = Integer.parseInt(f[14]);
        e.notBefore = Long.parseLong(f[15]);
        e.afterAck = f[16].equals("-") ? null : Status.valueOf(f[16]);
        e.afterAckNotBefore = Long.parseLong(f[17]);
    }
}
