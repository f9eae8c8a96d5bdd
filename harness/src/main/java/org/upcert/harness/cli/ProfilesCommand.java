package org.upcert.harness.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.upcert.harness.faults.profile.Expansion;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.Profile;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.faults.profile.ProfileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code upcert profiles}: list, show (expanded for a seed) and validate fault profiles. */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = {"Fault profiles: the standard catalogue, expanded plans, validation.",
                "A profile is a YAML file (docs/profiles.md); NAME is a standard profile, FILE a path."},
        subcommands = {ProfilesCommand.ListProfiles.class, ProfilesCommand.Show.class, ProfilesCommand.Validate.class})
public final class ProfilesCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list, show or validate");
    }

    /** {@code upcert profiles list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the standard profiles, one a line.")
    static final class ListProfiles implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<String> names = ProfileCatalogue.names();
            int width = names.stream().mapToInt(String::length).max().orElse(0);
            for (String name : names) {
                try {
                    Profile profile = ProfileCatalogue.load(name);
                    out.printf(java.util.Locale.ROOT, "%-" + width + "s  %s%n", name, profile.summary());
                } catch (ProfileException e) {
                    PlanPrinter.problems(err, e.problems());
                    return ExitCode.HARNESS_FAULT.code(); // a shipped profile must be valid
                }
            }
            out.flush();
            return ExitCode.OK.code();
        }
    }

    /** {@code upcert profiles show NAME|FILE [--seed N] [--json]}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            header = "Prints a profile expanded for a seed: the plan a run would use.",
            description = {"Prints a profile expanded for a seed: workload, system, phases and the concrete,",
                    "ordered fault plan, one line per fault (the plan a run with this seed executes)."})
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME|FILE", description = "A standard profile's name or a profile file.")
        String profile;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed to expand with (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", description = "Print the expanded plan as one JSON object.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Expansion expansion;
            try {
                expansion = PlanExpander.expand(ProfileCatalogue.resolve(profile), seed);
            } catch (ProfileException e) {
                PlanPrinter.problems(err, e.problems());
                return ExitCode.USAGE.code();
            }
            if (json) {
                out.println(PlanPrinter.json(expansion, true));
                out.flush();
            } else {
                PlanPrinter.print(out, expansion);
            }
            return ExitCode.OK.code();
        }
    }

    /** {@code upcert profiles validate FILE...}. */
    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Validates profiles: every problem is printed as file:line:column: message.",
                    "Exit 0: all valid; 2: any invalid."})
    static final class Validate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Profile files (or standard profile names).")
        List<String> files;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int invalid = 0;
            for (String file : files) {
                try {
                    Profile profile = ProfileCatalogue.resolve(file);
                    out.printf(java.util.Locale.ROOT, "ok       %s (%s, %d fault entr%s)%n", file, profile.name(), profile.faults().size(),
                            profile.faults().size() == 1 ? "y" : "ies");
                } catch (ProfileException e) {
                    invalid++;
                    out.printf(java.util.Locale.ROOT, "invalid  %s (%d problem%s)%n", file, e.problems().size(), e.problems().size() == 1 ? "" : "s");
                    PlanPrinter.problems(err, e.problems());
                }
            }
            out.flush();
            return invalid == 0 ? ExitCode.OK.code() : ExitCode.USAGE.code();
        }
    }
}
