package org.upcert.harness.cli;

/** Exit codes of every upcert command. */
public enum ExitCode {
    /** The run completed / the extension is certified. */
    OK(0),
    /** The run did not converge / the extension is not certified. */
    FAILED(1),
    /** Bad usage or bad input (unknown option, malformed profile, unloadable jar). */
    USAGE(2),
    /** upcert itself failed; a bug to report. */
    HARNESS_FAULT(3),
    /**
     * Interrupted (Ctrl-C): the reports of the runs that finished are written and marked
     * INTERRUPTED. 130 = 128 + SIGINT, the status a shell shows for a program stopped by Ctrl-C
     * (and the one the JVM exits with on SIGINT whatever a command returns).
     */
    INTERRUPTED(130);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
