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
        System.exit(UpcertCommand.commandLine().execute(args));
    }
}
