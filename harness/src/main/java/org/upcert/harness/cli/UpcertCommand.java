package org.upcert.harness.cli;

import org.upcert.harness.HarnessVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code upcert} command; subcommands do the work. */
@Command(name = "upcert", mixinStandardHelpOptions = true, versionProvider = UpcertCommand.Version.class,
        description = {"Test harness and conformance suite for background resource upload extensions.",
                "Runs an extension against a simulated PhotoKit upload system on a virtual clock."},
        subcommands = {RunCommand.class, ReplayCommand.class, TraceCommand.class, ProfilesCommand.class, CommandLine.HelpCommand.class})
public final class UpcertCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Builds the command line with upcert's exit-code conventions. */
    public static CommandLine commandLine(Object... extraSubcommands) {
        CommandLine commandLine = new CommandLine(new UpcertCommand());
        for (Object subcommand : extraSubcommands) {
            commandLine.addSubcommand(subcommand);
        }
        commandLine.setExitCodeExceptionMapper(e -> ExitCode.HARNESS_FAULT.code());
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("upcert: " + e.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.USAGE.code();
        });
        return commandLine;
    }

    /** Reports the harness version. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"upcert " + HarnessVersion.get() + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
