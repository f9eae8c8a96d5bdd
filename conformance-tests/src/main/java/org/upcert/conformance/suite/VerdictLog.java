package org.upcert.conformance.suite;

import java.util.ArrayList;
import java.util.List;

/**
 * Every cell verdict of the suite run in progress, in the order the tests produced them. The
 * certification report reads it when the test plan has finished; it lives in the JVM, like the
 * shared runs, because dynamic tests cannot attribute JUnit report entries to themselves.
 */
public final class VerdictLog {
    private static final List<CellVerdict> VERDICTS = new ArrayList<>();
    private static final List<String> EXTENSIONS = new ArrayList<>();

    private VerdictLog() {
    }

    private static int failures;

    public static synchronized void record(CellVerdict verdict) {
        VERDICTS.add(verdict);
        if (verdict.verdict().failed()) {
            failures++;
        }
    }

    /** FAIL verdicts so far (for progress lines). */
    public static synchronized int failures() {
        return failures;
    }

    /** Notes the SHA-256 of the extension code a run used (the report says what was certified). */
    public static synchronized void extensionSha(String sha) {
        if (sha != null && !sha.isEmpty() && !EXTENSIONS.contains(sha)) {
            EXTENSIONS.add(sha);
        }
    }

    public static synchronized List<CellVerdict> verdicts() {
        return List.copyOf(VERDICTS);
    }

    public static synchronized List<String> extensionShas() {
        return List.copyOf(EXTENSIONS);
    }

    public static synchronized void clear() {
        VERDICTS.clear();
        EXTENSIONS.clear();
        failures = 0;
    }
}
