package org.upcert.conformance.rules;

import java.util.Objects;

/**
 * One rule of the catalogue (shared/design/RULES.md), with its stable id.
 *
 * @param id the stable id, e.g. {@code RTY-01}
 * @param group the group, e.g. {@code RTY}
 * @param severity MUST rules decide certification; SHOULD rules report a figure
 * @param source where the rule comes from: {@code doc} (Apple's documentation), {@code dev}
 *     (measured on devices by third parties), {@code eng} (engineering expectation)
 * @param text what the rule demands, in one sentence
 * @param profile the standard profile that exercises it first
 */
public record Rule(String id, String group, Severity severity, String source, String text, String profile) {

    /** MUST decides certification; SHOULD is reported with a figure and never fails it. */
    public enum Severity { MUST, SHOULD }

    public Rule {
        Objects.requireNonNull(id, "id");
        if (!id.matches("[A-Z][A-Z0-9]{2}-\\d{2}[a-z]?")) {
            throw new IllegalArgumentException("not a rule id: " + id);
        }
        Objects.requireNonNull(severity, "severity");
    }

    public boolean must() {
        return severity == Severity.MUST;
    }

    /** {@code "RTY-01 MUST"} */
    public String label() {
        return id + " " + severity;
    }
}
