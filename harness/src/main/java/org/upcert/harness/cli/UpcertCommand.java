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
        // What a command throws is upcert's fault, but its text may quote the extension's (an exception
        // message, a log line): printed escaped, line by line, instead of picocli's raw stack trace.
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            printHarnessFault(cmd.getErr(), e);
            return ExitCode.HARNESS_FAULT.code();
        });
        commandLine.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("upcert: " + e.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCode.USAGE.code();
        });
        return commandLine;
    }

    /**
     * Reports a harness fault on {@code err}: its headline and stack trace, each line through
     * {@link TerminalText#printable} so that no escape sequence, line feed or bidirectional control
     * in text an extension chose can redraw the terminal or forge a line of upcert's.
     */
    public static void printHarnessFault(java.io.PrintWriter err, Throwable e) {
        err.println("upcert: harness fault (a bug in upcert, not the extension's): " + describe(e));
        // Frame by frame, not Throwable.printStackTrace: its first line is the message as it is, and a
        // line feed in the message would start a line of the extension's own.
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Throwable current = e;
        for (int depth = 0; current != null && seen.add(current) && depth < 20; depth++) {
            if (current != e) {
                err.println("Caused by: " + describe(current));
            }
            StackTraceElement[] frames = current.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, 200); i++) {
                err.println("\tat " + TerminalText.printable(String.valueOf(frames[i])));
            }
            current = current.getCause();
        }
        err.flush();
    }

    /** A throwable's {@code toString()}, escaped; its class alone when that throws (an extension's exception may). */
    private static String describe(Throwable t) {
        try {
            return TerminalText.printable(String.valueOf(t));
        } catch (RuntimeException | StackOverflowError e) {
            return t.getClass().getName() + " (its message could not be read: " + e.getClass().getName() + ")";
        }
    }

    /** Reports the harness version. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"upcert " + HarnessVersion.get() + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
