package org.upcert.harness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.replay.Replay;
import org.upcert.harness.replay.TraceHeader;
import org.upcert.harness.trace.TraceDamage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code upcert replay TRACE}: make the run again and confirm the same trace, byte for byte. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        header = "Re-runs the run a trace came from and compares the two traces line by line.",
        description = {"Re-run exactly the run a trace came from (its header holds seed, plan, policy, workload, cloud,",
                "harness version and extension SHA-256) and compare the new trace with it line by line.",
                "Exit 0 identical, 1 different (the first differing line is shown), 2 refused or bad input."})
public final class ReplayCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TRACE", description = "The trace.jsonl to replay.")
    Path trace;

    @Option(names = "--extension", paramLabel = "JAR", description = "The extension jar that made the trace (default: the bundled sample).")
    Path extension;

    @Option(names = "--extension-class", paramLabel = "NAME",
            description = "Or: an UploadExtension class on the class path (java -cp upcert.jar:your-classes …).")
    String extensionClass;

    @Option(names = "--upgrade-to", paramLabel = "JAR",
            description = "The app's next build the trace's run swapped in at its app.upgrade faults (as run --upgrade-to).")
    Path upgradeTo;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "direct",
            description = "direct (default) or loopback; both make the same trace.")
    String transport;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TraceHeader header;
        try {
            // a bad file is reported before anything else: first damage anywhere, then what line 1 says
            Optional<TraceDamage> damage = Files.isRegularFile(trace) ? TraceDamage.find(trace) : Optional.empty();
            if (damage.isPresent()) {
                err.println("upcert replay: damaged trace: " + damage.get() + " (" + trace + ")");
                return ExitCode.USAGE.code();
            }
            header = TraceHeader.read(trace);
        } catch (TraceHeader.NotATraceException e) {
            err.println("upcert replay: " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (IOException e) {
            err.println("upcert replay: cannot read " + trace + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        ExtensionSource source;
        if (extension != null) {
            try {
                source = ExtensionSource.jar(extension);
            } catch (ExtensionSource.ExtensionLoadException e) {
                err.println("upcert replay: " + e.getMessage());
                return ExitCode.USAGE.code();
            }
        } else if (extensionClass != null) {
            try {
                source = ExtensionSource.type(Class.forName(extensionClass, false, Thread.currentThread().getContextClassLoader())
                        .asSubclass(org.upcert.api.UploadExtension.class));
            } catch (ClassNotFoundException | ClassCastException e) {
                err.println("upcert replay: no UploadExtension class '" + extensionClass + "' on the class path");
                return ExitCode.USAGE.code();
            }
        } else {
            Path sample = BundledSample.extract().orElse(null);
            if (sample == null) {
                err.println("upcert replay: this build bundles no sample; give --extension");
                return ExitCode.USAGE.code();
            }
            source = ExtensionSource.jar(sample);
        }
        try {
            out.printf(java.util.Locale.ROOT, "upcert replay · %s · seed %d · profile %s · cloud %s · %d faults%n", trace, header.plan().seed(),
                    header.plan().profile(), header.cloud(), header.plan().faults().size());
            out.flush();
            ExtensionSource next;
            try {
                next = upgradeTo == null ? null : ExtensionSource.jar(upgradeTo);
            } catch (ExtensionSource.ExtensionLoadException e) {
                err.println("upcert replay: --upgrade-to: " + e.getMessage());
                return ExitCode.USAGE.code();
            }
            Replay.Outcome outcome = Replay.replay(trace, source, next, transport);
            if (outcome.identical()) {
                out.printf(java.util.Locale.ROOT, "IDENTICAL: %d lines, byte for byte (%s)%n", outcome.lines(), outcome.replayed().summary().endReason());
                return ExitCode.OK.code();
            }
            out.printf(java.util.Locale.ROOT, "DIFFERENT at line %d of %d%n  trace:  %s%n  replay: %s%n", outcome.firstDifference(), outcome.lines(),
                    outcome.expected() == null ? "(ends here)" : outcome.expected(),
                    outcome.actual() == null ? "(ends here)" : outcome.actual());
            out.println("A different trace from the same plan, extension and build means something in the run was not"
                    + " deterministic: usually the extension itself (threads racing, wall-clock reads, HashMap order).");
            return ExitCode.FAILED.code();
        } catch (TraceHeader.NotATraceException | Replay.RefusedException e) {
            err.println("upcert replay: " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (ExtensionSource.ExtensionLoadException | IllegalArgumentException e) {
            err.println("upcert replay: " + e.getMessage());
            return ExitCode.USAGE.code();
        } catch (IOException e) {
            err.println("upcert replay: cannot read " + trace + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        }
    }
}
