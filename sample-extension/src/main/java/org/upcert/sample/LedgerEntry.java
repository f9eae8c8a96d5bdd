package org.upcert.sample;

import java.time.Instant;
import java.util.Objects;

/**
 * What the {@link Ledger} knows about one resource. Immutable: a change is a new entry, and
 * an entry is also a journal line, so the line always holds the whole state of its resource
 * (replaying it twice, or an older line before it, ends in the same state).
 *
 * @param key {@code AssetResource.key()}: {@code assetLocalIdentifier#TYPE}
 * @param status where the resource stands
 * @param attempts how many of its jobs failed for good (each after its retry)
 * @param serverId the server's id for the stored object ({@code x-object-id} or {@code etag});
 *     empty if unknown
 * @param order discovery order: jobs are created oldest first, and the library is scanned
 *     oldest first, so this is the order in which resources are uploaded
 * @param notBeforeMillis the earliest simulated time (epoch milliseconds) for its next job;
 *     0 for "now" (backoff and {@code Retry-After}, {@link RetryPolicy})
 * @param refusals how many of its jobs the server refused (answered without {@code retry-after})
 * @param firstRefusalMillis when the first of those refusals was noticed (epoch milliseconds); 0 if none
 * @param jobSinceMillis when this extension's job for it was committed (epoch milliseconds), 0
 *     if none is believed in flight. Kept only where the OS does not show the jobs in flight
 *     (before iOS 26.5, no {@code fetchJobs(.process)}): written right after the commit, cleared
 *     when the job's outcome is recorded. A kill between the commit and this line leaves a job
 *     the ledger does not know; it finishes long before the relaunched process is called again
 *     (6–11 minutes), and the acknowledge step, which runs before any creation, learns it then.
 */
record LedgerEntry(String key, ResourceStatus status, int attempts, String serverId, long order, long notBeforeMillis,
        int refusals, long firstRefusalMillis, long jobSinceMillis) {

    LedgerEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(serverId, "serverId");
        if (key.isEmpty() || attempts < 0 || refusals < 0) {
            throw new IllegalArgumentException("bad ledger entry for " + key);
        }
    }

    /**
     * Written out rather than left to the record: a record's {@code equals} and {@code hashCode} are
     * {@code invokedynamic} sites that every relaunched process (a fresh class loader) links again
     * through {@code ObjectMethods}, and {@link Ledger#record} compares entries on every change: that
     * linking was 3% of the worker's time in a certification (docs/performance.md, H46).
     */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof LedgerEntry that)) {
            return false;
        }
        return attempts == that.attempts && order == that.order && notBeforeMillis == that.notBeforeMillis
                && refusals == that.refusals && firstRefusalMillis == that.firstRefusalMillis
                && jobSinceMillis == that.jobSinceMillis && status == that.status && key.equals(that.key)
                && serverId.equals(that.serverId);
    }

    @Override
    public int hashCode() {
        int h = key.hashCode();
        h = 31 * h + status.hashCode();
        h = 31 * h + attempts;
        h = 31 * h + serverId.hashCode();
        h = 31 * h + Long.hashCode(order);
        h = 31 * h + Long.hashCode(notBeforeMillis);
        h = 31 * h + refusals;
        h = 31 * h + Long.hashCode(firstRefusalMillis);
        return 31 * h + Long.hashCode(jobSinceMillis);
    }

    /** An entry with no refusal recorded and no job in flight. */
    LedgerEntry(String key, ResourceStatus status, int attempts, String serverId, long order, long notBeforeMillis) {
        this(key, status, attempts, serverId, order, notBeforeMillis, 0, 0);
    }

    /** An entry with no job believed in flight (an outcome clears it). */
    LedgerEntry(String key, ResourceStatus status, int attempts, String serverId, long order, long notBeforeMillis,
            int refusals, long firstRefusalMillis) {
        this(key, status, attempts, serverId, order, notBeforeMillis, refusals, firstRefusalMillis, 0);
    }

    /** A resource just discovered. */
    static LedgerEntry discovered(String key, long order) {
        return new LedgerEntry(key, ResourceStatus.NEEDS_UPLOAD, 0, "", order, 0);
    }

    /** This resource, uploaded; keeps a known server id if the new one is empty. */
    LedgerEntry uploaded(String newServerId) {
        return new LedgerEntry(key, ResourceStatus.UPLOADED, attempts, newServerId.isEmpty() ? serverId : newServerId,
                order, 0, refusals, firstRefusalMillis);
    }

    /** This resource after one more failed job: to upload again from {@code notBefore}. */
    LedgerEntry failedAgain(Instant notBefore) {
        return new LedgerEntry(key, ResourceStatus.NEEDS_UPLOAD, attempts + 1, serverId, order, notBefore.toEpochMilli(),
                refusals, firstRefusalMillis);
    }

    /** This resource after one more job the server refused, noticed at {@code now}: to upload again from {@code notBefore}. */
    LedgerEntry refusedAgain(Instant now, Instant notBefore) {
        return new LedgerEntry(key, ResourceStatus.NEEDS_UPLOAD, attempts + 1, serverId, order, notBefore.toEpochMilli(),
                refusals + 1, firstRefusalMillis > 0 ? firstRefusalMillis : now.toEpochMilli());
    }

    /** This resource, given up (one more failed job counted). */
    LedgerEntry abandoned() {
        return new LedgerEntry(key, ResourceStatus.ABANDONED, attempts + 1, serverId, order, 0, refusals, firstRefusalMillis);
    }

    /** This resource with another status, everything else kept. */
    LedgerEntry withStatus(ResourceStatus newStatus) {
        return new LedgerEntry(key, newStatus, attempts, serverId, order, notBeforeMillis, refusals, firstRefusalMillis,
                jobSinceMillis);
    }

    /** This resource with a job of this extension in flight since {@code since}. */
    LedgerEntry withJobSince(Instant since) {
        return new LedgerEntry(key, status, attempts, serverId, order, notBeforeMillis, refusals, firstRefusalMillis,
                Math.max(1, since.toEpochMilli()));
    }

    /** This resource with no job in flight. */
    LedgerEntry withoutJob() {
        return new LedgerEntry(key, status, attempts, serverId, order, notBeforeMillis, refusals, firstRefusalMillis, 0);
    }

    /** Whether a job of this extension is believed in flight for it. */
    boolean jobInFlight() {
        return jobSinceMillis != 0;
    }

    /** Whether its next job may be created at {@code now}. */
    boolean dueAt(Instant now) {
        return notBeforeMillis <= now.toEpochMilli();
    }

    /** The asset identifier part of {@link #key()}. */
    String assetLocalIdentifier() {
        return JobIdentity.assetOf(key);
    }

    /**
     * The journal line: {@code STATUS<TAB>key<TAB>attempts<TAB>serverId<TAB>order<TAB>notBeforeMillis<LF>},
     * followed by {@code <TAB>refusals<TAB>firstRefusalMillis} before the line feed when the server
     * refused the resource, and by {@code <TAB>jobSinceMillis} (after those two, written then as
     * well) while a job is in flight; text fields escaped ({@code \\}, {@code \t}, {@code \n},
     * {@code \r}) so a line is always one line with six, eight or nine fields.
     */
    String toLine() {
        String tail = jobSinceMillis != 0 ? "\t" + refusals + '\t' + firstRefusalMillis + '\t' + jobSinceMillis
                : refusals > 0 ? "\t" + refusals + '\t' + firstRefusalMillis : "";
        return status.name() + '\t' + escape(key) + '\t' + attempts + '\t' + escape(serverId) + '\t' + order + '\t'
                + notBeforeMillis + tail + '\n';
    }

    /**
     * The entry of a journal line (without its line feed).
     *
     * <p>Read field by field where the line is (no split, no copy of a number): every relaunched
     * process replays its whole ledger, a few thousand lines, with this code still cold.
     *
     * @throws IllegalArgumentException if the line is not one written by {@link #toLine()}
     */
    static LedgerEntry parse(String line) {
        return parse(line, 0, line.length());
    }

    /** The entry of the journal line {@code text[from, to)} (without its line feed). */
    static LedgerEntry parse(String text, int from, int to) {
        int[] ends = new int[9];
        int fields = 0;
        int start = from;
        while (true) {
            int tab = text.indexOf('\t', start);
            int end = tab < 0 || tab >= to ? to : tab;
            if (fields == ends.length) {
                throw new IllegalArgumentException("expected 6, 8 or 9 fields, got more than " + ends.length);
            }
            ends[fields++] = end;
            if (end == to) {
                break;
            }
            start = end + 1;
        }
        if (fields != 6 && fields != 8 && fields != 9) {
            throw new IllegalArgumentException("expected 6, 8 or 9 fields, got " + fields);
        }
        boolean more = fields >= 8;
        return new LedgerEntry(unescape(text.substring(ends[0] + 1, ends[1])), status(text, from, ends[0]),
                Integer.parseInt(text, ends[1] + 1, ends[2], 10), unescape(text.substring(ends[2] + 1, ends[3])),
                Long.parseLong(text, ends[3] + 1, ends[4], 10), Long.parseLong(text, ends[4] + 1, ends[5], 10),
                more ? Integer.parseInt(text, ends[5] + 1, ends[6], 10) : 0,
                more ? Long.parseLong(text, ends[6] + 1, ends[7], 10) : 0,
                fields == 9 ? Long.parseLong(text, ends[7] + 1, ends[8], 10) : 0);
    }

    private static final ResourceStatus[] STATUSES = ResourceStatus.values();

    /** The status named by {@code text[from, to)}, as {@link ResourceStatus#valueOf} reads it. */
    private static ResourceStatus status(String text, int from, int to) {
        for (ResourceStatus status : STATUSES) {
            String name = status.name();
            if (name.length() == to - from && text.startsWith(name, from)) {
                return status;
            }
        }
        throw new IllegalArgumentException("no status " + text.substring(from, to));
    }

    static String escape(String text) {
        if (!needsEscape(text)) {
            return text; // nearly always: keys and server ids are plain
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean needsEscape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }

    static String unescape(String text) {
        if (text.indexOf('\\') < 0) {
            return text; // nothing escaped
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= text.length()) {
                throw new IllegalArgumentException("dangling backslash");
            }
            switch (text.charAt(i)) {
                case '\\' -> out.append('\\');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                default -> throw new IllegalArgumentException("bad escape \\" + text.charAt(i));
            }
        }
        return out.toString();
    }
}
