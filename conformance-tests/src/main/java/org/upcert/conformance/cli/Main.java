package org.upcert.conformance.cli;

import org.upcert.harness.cli.ExitCode;
import org.upcert.harness.cli.UpcertCommand;

/**
 * Entry point of the upcert jar. The harness owns the commands that run simulations; the
 * conformance suite adds its own (certify) here as they arrive, so the harness never depends on
 * the suite.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Allure logs through SLF4J; with no provider bound, SLF4J would print three lines of
        // warnings before every command's output.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        System.exit(run(args));
    }

    /** Every command of the jar: the harness's and the suite's. */
    public static picocli.CommandLine commandLine() {
        return UpcertCommand.commandLine(new CertifyCommand(), new ExploreCommand(), new ShrinkCommand(), new TimelineCommand(),
                new ExplainCommand(), new InitCommand(), new BenchCommand());
    }

    /**
     * Runs one command and returns its exit code. Anything thrown past a command — an Error
     * included, which picocli lets through (an {@code OutOfMemoryError} on an enormous trace) — is
     * upcert's own fault: exit 3 ({@link ExitCode#HARNESS_FAULT}), never 1, which means "not
     * certified" or "did not converge". Commands write what they can before it comes here.
     */
    public static int run(String... args) {
        return guarded(() -> commandLine().execute(args));
    }

    /** {@code command}'s exit code, or 3 with a message on stderr if it throws. */
    public static int guarded(java.util.function.IntSupplier command) {
        try {
            return command.getAsInt();
        } catch (RuntimeException | Error e) {
            try {
                org.upcert.harness.cli.UpcertCommand.printHarnessFault(new java.io.PrintWriter(System.err, true), e);
            } catch (Throwable ignored) {
                // out of memory even for the message: the exit code still says it
            }
            return ExitCode.HARNESS_FAULT.code();
        }
    }
}
