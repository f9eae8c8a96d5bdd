package org.upcert.conformance.suite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.upcert.conformance.rules.Rule;

/**
 * Every cell verdict of the suite run in progress. The certification report reads it when the
 * test plan has finished, in the suite's order ({@link #verdicts(List, List)}): the group classes
 * run concurrently, so the order the tests produced them in is not the report's. It lives in the
 * certification ({@link CertificationState#verdicts}), like its runs, because dynamic tests cannot
 * attribute JUnit report entries to themselves.
 */
public final class VerdictLog {
    private final List<CellVerdict> recorded = new ArrayList<>();
    /** The extension's SHA-256 each run loaded, by run. */
    private final TreeMap<Cell, String> extensions = new TreeMap<>();
    private int failures;

    /** An empty log (one per certification: {@link CertificationState#verdicts}). */
    public VerdictLog() {
    }

    public synchronized void record(CellVerdict verdict) {
        recorded.add(verdict);
        if (verdict.verdict().failed()) {
            failures++;
        }
    }

    /** FAIL verdicts so far (for progress lines). */
    public synchronized int failures() {
        return failures;
    }

    /** Notes the SHA-256 of the extension code a run used (the report says what was certified). */
    public synchronized void extensionSha(Cell cell, String sha) {
        if (sha != null && !sha.isEmpty()) {
            extensions.put(cell, sha);
        }
    }

    /**
     * The verdicts in the suite's order, whatever order the tests ran in: by group (in
     * {@link ConformanceSuite#GROUP_CLASSES} order), then by rule and by run as configured. The
     * same order a sequential run of the group classes produced.
     */
    public synchronized List<CellVerdict> verdicts(List<Rule> rules, List<Cell> cells) {
        Map<String, Integer> groups = new HashMap<>();
        for (Class<? extends RuleGroupSuite> type : ConformanceSuite.GROUP_CLASSES) {
            groups.putIfAbsent(type.getAnnotation(org.junit.jupiter.api.Tag.class).value(), groups.size());
        }
        Map<String, Integer> ruleIndex = new HashMap<>();
        for (Rule rule : rules) {
            ruleIndex.putIfAbsent(rule.id(), ruleIndex.size());
        }
        Map<Cell, Integer> cellIndex = new HashMap<>();
        for (Cell cell : cells) {
            cellIndex.putIfAbsent(cell, cellIndex.size());
        }
        List<CellVerdict> ordered = new ArrayList<>(recorded);
        ordered.sort(Comparator.<CellVerdict>comparingInt(v -> groups.getOrDefault(v.rule().group(), Integer.MAX_VALUE))
                .thenComparingInt(v -> ruleIndex.getOrDefault(v.rule().id(), Integer.MAX_VALUE))
                .thenComparingInt(v -> cellIndex.getOrDefault(v.cell(), Integer.MAX_VALUE)));
        return List.copyOf(ordered);
    }

    /** The SHA-256 of the extension code the runs used, in the order of the runs as configured. */
    public synchronized List<String> extensionShas(List<Cell> cells) {
        LinkedHashSet<String> shas = new LinkedHashSet<>();
        for (Cell cell : cells) {
            String sha = extensions.get(cell);
            if (sha != null) {
                shas.add(sha);
            }
        }
        shas.addAll(extensions.values());
        return List.copyOf(shas);
    }

    public synchronized void clear() {
        recorded.clear();
        extensions.clear();
        failures = 0;
    }
}
