package org.upcert.harness.faults.profile;

import java.util.Comparator;

/**
 * One thing wrong with a profile: where, and what was found against what was expected.
 * Printed as {@code file:line:column: message}, the form editors and terminals link.
 */
public record ProfileProblem(Location location, String message) {

    /** Source order: by line, then column, then message. */
    public static final Comparator<ProfileProblem> SOURCE_ORDER = Comparator
            .comparingInt((ProfileProblem p) -> p.location().line())
            .thenComparingInt(p -> p.location().column())
            .thenComparing(ProfileProblem::message);

    public String file() {
        return location.file();
    }

    public int line() {
        return location.line();
    }

    public int column() {
        return location.column();
    }

    @Override
    public String toString() {
        return location + ": " + message;
    }
}
