package org.upcert.conformance.cli;

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
        System.exit(commandLine().execute(args));
    }

    /** Every command of the jar: the harness's and the suite's. */
    public static picocli.CommandLine commandLine() {
        return UpcertCommand.commandLine(new CertifyCommand(), new ExploreCommand(), new ShrinkCommand(), new TimelineCommand(),
                new ExplainCommand(), new InitCommand());
    }
}
