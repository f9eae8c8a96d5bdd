package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.suite.Cell;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.VerdictLog;
import org.upcert.conformance.verdict.Verdict;

/**
 * The group classes of a certification run concurrently, so the verdicts reach the log in an
 * order that depends on the threads; the certification reads them in the suite's order (group,
 * rule, run), the order a sequential run produced, and the extension's SHA-256s in the order of
 * the runs.
 */
class VerdictLogOrderTest {

    @Test
    @DisplayName("verdicts recorded in any order are read in the suite's order: group, then rule, then run")
    void suiteOrder() {
        List<Rule> rules = RuleCatalogue.rules();
        List<Cell> cells = List.of(new Cell("quiet-phone", 2, "generic-put"), new Cell("baseline", 1, "generic-put"),
                new Cell("baseline", 3, "generic-put"));
        List<CellVerdict> sequential = new ArrayList<>();
        for (String group : List.of("JOB", "CAP", "ACK", "RTY", "RES", "TRM", "DUP", "E2E", "CNS", "CHG", "CLD", "ISO")) {
            for (Rule rule : rules) {
                if (rule.group().equals(group)) {
                    for (Cell cell : cells) {
                        sequential.add(new CellVerdict(rule, cell, Verdict.pass(rule.id(), "ok"), "reproduce", null, null));
                    }
                }
            }
        }
        List<CellVerdict> shuffled = new ArrayList<>(sequential);
        Collections.shuffle(shuffled, new Random(13));
        VerdictLog log = new VerdictLog();
        shuffled.forEach(log::record);
        assertEquals(sequential.size(), shuffled.size());
        assertEquals(sequential, log.verdicts(rules, cells), "the order of the sequential suite, not the order recorded");
    }

    @Test
    @DisplayName("the extension's SHA-256s are listed in the order of the runs that loaded them, not the order they were noted in")
    void extensionShasInRunOrder() {
        List<Cell> cells = List.of(new Cell("baseline", 1, "generic-put"), new Cell("app-update", 1, "generic-put"),
                new Cell("baseline", 2, "generic-put"));
        VerdictLog log = new VerdictLog();
        log.extensionSha(cells.get(2), "ccc");
        log.extensionSha(cells.get(1), "bbb");
        log.extensionSha(cells.get(0), "aaa");
        log.extensionSha(cells.get(2), "aaa");
        assertEquals(List.of("aaa", "bbb"), log.extensionShas(cells));
    }
}
