package org.upcert.harness.faults.profile;

import java.util.List;

/**
 * The rule ids of the conformance catalogue (../shared/design/RULES.md, catalogue v1). A profile's
 * {@code rules} may name only these. Rules are never renumbered; when one is split ({@code
 * RTY-01a}) or added, add its id here (a test compares this list with RULES.md when it is there).
 */
public final class RuleIds {

    /** Every rule id, in catalogue order. */
    public static final List<String> ALL = List.of(
            "JOB-01", "JOB-02", "JOB-03", "JOB-04", "JOB-05",
            "CAP-01", "CAP-02", "CAP-03",
            "ACK-01", "ACK-02", "ACK-03",
            "RTY-01", "RTY-02", "RTY-03", "RTY-04",
            "RES-01", "RES-02", "RES-03", "RES-04", "RES-05",
            "TRM-01", "TRM-02", "TRM-03", "TRM-04", "TRM-05",
            "DUP-01", "DUP-02",
            "E2E-01", "E2E-02", "E2E-03",
            "CNS-01", "CNS-02",
            "CHG-01", "CHG-02",
            "CLD-01", "CLD-02");

    private RuleIds() {
    }

    public static boolean known(String id) {
        return ALL.contains(id);
    }
}
