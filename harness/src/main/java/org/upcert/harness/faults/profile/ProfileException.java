package org.upcert.harness.faults.profile;

import java.util.List;

/**
 * A profile that cannot be used: it carries every problem found, in source order. Its message
 * is the problems, one per line, ready to print; callers print that, never the stack trace.
 */
public final class ProfileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ProfileProblem> problems;

    public ProfileException(List<ProfileProblem> problems) {
        super(render(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ProfileException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public static ProfileException of(Location location, String message) {
        return new ProfileException(List.of(new ProfileProblem(location, message)));
    }

    public List<ProfileProblem> problems() {
        return problems;
    }

    private static String render(List<ProfileProblem> problems) {
        StringBuilder text = new StringBuilder();
        for (ProfileProblem problem : problems) {
            text.append(text.length() == 0 ? "" : "\n").append(problem);
        }
        return text.toString();
    }
}
