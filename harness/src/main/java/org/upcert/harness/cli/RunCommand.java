package org.upcert.harness.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.upcert.harness.faults.profile.Expansion;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.faults.profile.ProfileException;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.PayloadMode;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.Interruption;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.RunSummary;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.sim.VirtualClock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code upcert run}: one simulated backup of a library by an extension, with a summary and a trace. */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Runs an extension against the simulated system until it is quiescent, and writes the trace.",
        description = {"Runs an upload extension against the simulated system until it is quiescent,",
                "prints a summary and writes the trace (JSON Lines) and summary.json to --out.",
                "Exit 0: every resource in the cloud with the right bytes and every job acknowledged;",
                "1: the backup did not converge; 2: bad usage or input; 3: harness fault;",
                "130: interrupted (Ctrl-C): the trace and summary.json so far are written, marked interrupted."})
public final class RunCommand implements Callable<Integer> {
    /** The simulation's end reason when Ctrl-C stopped it. */
    private static final String INTERRUPTED = "interrupted";
    /** How long Ctrl-C waits for the trace and summary to be written before the JVM exits anyway. */
    private static final java.time.Duration INTERRUPT_WAIT = java.time.Duration.ofSeconds(30);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--extension", paramLabel = "JAR",
            description = "Extension jar (ServiceLoader: META-INF/services/org.upcert.api.UploadExtension). Default: the bundled sample.")
    Path extension;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed for everything random (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--profile", paramLabel = "NAME|FILE",
            description = {"Fault profile: a standard profile's name (upcert profiles list) or a YAML file.",
                    "Its workload replaces the defaults of --assets and --job-limit; explicit flags still win."})
    String profile;

    @Option(names = "--assets", paramLabel = "N", description = "Assets in the library (default: 1000, or the profile's).")
    Integer assets;

    @Option(names = "--job-limit", paramLabel = "N", description = "PHAssetResourceUploadJob.jobLimit (default: 100, or the profile's).")
    Integer jobLimit;

    @Option(names = "--cloud", paramLabel = "DIALECT", defaultValue = "generic-put", description = "Cloud dialect (default: ${DEFAULT-VALUE}).")
    String cloud;

    @Option(names = "--payload", paramLabel = "MODE",
            description = "compact (a few KB per resource, declared sizes drive time) or full (default: compact, or the profile's).")
    String payload;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: target/upcert/run-<seed>).")
    Path out;

    @Option(names = "--transport", paramLabel = "KIND", defaultValue = "loopback",
            description = "loopback (real HTTP to the WireMock stub) or direct (in-JVM, no socket: the same trace, faster) (default: ${DEFAULT-VALUE}).")
    String transport;

    @picocli.CommandLine.Mixin
    HostingOptions hosting = new HostingOptions();

    @Option(names = "--assume", paramLabel = "NAME", split = ",",
            description = {"Assume what PhotoKit does not document, and say so in the trace and summary.json.",
                    "http-status: failed jobs show the extension the HTTP status (UploadError.httpStatus()).",
                    "Default: none (the extension sees the sanitized error code and the lowercased response headers)."})
    java.util.List<String> assume = new java.util.ArrayList<>();

    @Option(names = "--json", description = "Print the summary as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        try {
            hosting.hangAfterMs();
        } catch (IllegalArgumentException e) {
            err.println("upcert run: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        for (String assumption : assume) {
            try {
                org.upcert.harness.run.RunOptions.requireKnownAssumption(assumption);
            } catch (IllegalArgumentException e) {
                err.println("upcert run: --assume: " + e.getMessage());
                return ExitCode.USAGE.code();
            }
        }
        PayloadMode mode = null;
        if (payload != null) {
            try {
                mode = PayloadMode.valueOf(payload.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                err.println("upcert run: --payload must be compact or full, not '" + payload + "'");
                return ExitCode.USAGE.code();
            }
        }
        // A bad profile is rejected before anything else happens (exit 2, every problem printed).
        Expansion expansion = null;
        if (profile != null) {
            try {
                expansion = PlanExpander.expand(ProfileCatalogue.resolve(profile), seed);
            } catch (ProfileException e) {
                PlanPrinter.problems(err, e.problems());
                err.println("upcert run: profile '" + profile + "' is not valid; nothing was run");
                return ExitCode.USAGE.code();
            }
        }
        RunPlan plan;
        ExtensionSource source;
        ExtensionSource upgradeTo;
        String isolation;
        try {
            plan = expansion != null ? expansion.plan() : RunPlan.of(seed, Workload.typical(1000).withJobLimit(100));
            if (expansion == null) {
                plan = plan.withPolicy(org.upcert.harness.plan.SystemPolicy.defaultsFor(plan.workload().os()));
            }
            Workload w = plan.workload();
            if (assets != null) {
                w = new Workload(assets, w.photoPercent(), w.livePhotoPercent(), w.videoPercent(), w.rawPercent(), w.jobLimit(),
                        w.os());
            }
            if (jobLimit != null) {
                w = w.withJobLimit(jobLimit);
            }
            plan = new RunPlan(plan.seed(), plan.profile(), w, plan.policy(), plan.phases(), plan.faults());
            if (mode != null) {
                plan = plan.withPolicy(plan.policy().withPayload(mode));
            }
            isolation = hosting.isolation();
            hosting.declaredScope(); // a malformed scope file is bad input before anything else loads
            source = hosting.withScope(extensionSource());
            upgradeTo = hosting.upgradeSource().orElse(null);
            // at the level the run will have (a deployment target raises it, docs/scope.md)
            java.util.Optional<String> impossible = org.upcert.harness.cloud.CloudDialects.impossibleOn(cloud,
                    plan.raisedTo(source.declaredScope().deploymentLevel()).workload(),
                    assume.contains(org.upcert.harness.run.RunOptions.ASSUME_BODY_IN_HEADERS));
            if (impossible.isPresent()) {
                err.println("upcert run: " + impossible.get() + "; choose a profile at iOS 26.4 or later, or another --cloud; "
                        + "nothing was run");
                return ExitCode.USAGE.code();
            }
            org.upcert.harness.run.Hosting.requireAvailable(org.upcert.harness.run.Hosting.resolve(source, isolation));
        } catch (IllegalArgumentException | ExtensionSource.ExtensionLoadException e) {
            err.println("upcert run: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        Path dir = out != null ? out : Path.of("target", "upcert", "run-" + seed);
        java.util.Optional<String> unwritable = OutputLocation.folderProblem(dir);
        if (unwritable.isPresent()) {
            err.println("upcert run: --out " + unwritable.get() + "; nothing was run");
            return ExitCode.USAGE.code();
        }
        Path traceFile = dir.resolve("trace.jsonl");
        if (!json) {
            stdout.printf(java.util.Locale.ROOT, "upcert run · seed %d · %s · cloud %s · isolation %s%s%n", seed, source.describe(), cloud,
                    org.upcert.harness.run.Hosting.resolve(source, isolation),
                    assume.isEmpty() ? "" : " · assumes " + String.join(", ", new java.util.TreeSet<>(assume)));
            if (expansion != null) {
                PlanPrinter.print(stdout, new Expansion(expansion.profile(), plan, expansion.entries()));
            }
            stdout.printf(java.util.Locale.ROOT, "plan: profile %s, %d assets, jobLimit %d, payload %s, %s%n", plan.profile(),
                    plan.workload().assets(), plan.workload().jobLimit(),
                    plan.policy().payload().name().toLowerCase(Locale.ROOT),
                    plan.faults().isEmpty() ? "no faults" : plan.faults().size() + " faults");
            RunPlan raised = plan.raisedTo(source.declaredScope().deploymentLevel());
            if (raised != plan) {
                stdout.printf(java.util.Locale.ROOT, "os: raised from iOS %s to %s, the extension's %s (docs/scope.md)%n", plan.workload().os(),
                        raised.workload().os(), source.declaredScope().describeTarget());
            }
            stdout.flush();
        }
        // Ctrl-C stops the run at its next event; the trace and summary.json of what happened up
        // to then are still written, and the exit waits for them (bounded).
        try (Interruption.Guard guard = Interruption.guard(INTERRUPT_WAIT)) {
            return runAndReport(plan, source, upgradeTo, isolation, dir, traceFile, stdout, err);
        }
    }

    private int runAndReport(RunPlan plan, ExtensionSource source, ExtensionSource upgradeTo, String isolation, Path dir,
            Path traceFile, PrintWriter stdout, PrintWriter err) {
        Progress progress = new Progress(err, !json && System.console() != null);
        long wallStart = System.nanoTime(); // wall-clock ok: measures the run, outside the simulation
        RunResult result;
        try {
            result = Simulation.run(plan, source,
                    new RunOptions(traceFile, cloud, progress::update, transport, isolation, new java.util.TreeSet<>(assume),
                            hosting.hangAfterMs()).withUpgradeTo(upgradeTo));
        } catch (IllegalArgumentException e) {
            progress.clear();
            err.println("upcert run: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        progress.clear();
        long wallMillis = (System.nanoTime() - wallStart) / 1_000_000; // wall-clock ok
        RunSummary summary = result.summary().withWall(wallMillis, traceFile.toString());
        try {
            Files.createDirectories(dir);
            // as certify's reports: half a surrogate pair in any text would make the UTF-8 writer refuse the file
            Files.writeString(dir.resolve("summary.json"), TerminalText.pairedSurrogatesOnly(
                    toJson(summary, result.hosting(), assume, true) + "\n"));
        } catch (IOException e) {
            err.println("upcert run: cannot write " + dir.resolve("summary.json") + ": " + e.getMessage());
            return ExitCode.HARNESS_FAULT.code();
        }
        if (json) {
            stdout.println(toJson(summary, result.hosting(), assume, false));
        } else {
            printHuman(stdout, summary);
        }
        stdout.flush();
        if (interrupted(summary)) {
            return ExitCode.INTERRUPTED.code();
        }
        return summary.complete() ? ExitCode.OK.code() : ExitCode.FAILED.code();
    }

    /** Whether the run was stopped by Ctrl-C rather than ending by itself. */
    static boolean interrupted(RunSummary summary) {
        return INTERRUPTED.equals(summary.endReason());
    }

    private ExtensionSource extensionSource() {
        if (hosting.commandSource().isPresent()) {
            if (extension != null) {
                throw new IllegalArgumentException("give --extension (a jar) or --extension-cmd (a command), not both");
            }
            return hosting.commandSource().get();
        }
        if (extension != null) {
            return ExtensionSource.jar(extension);
        }
        Path bundled = BundledSample.extract().orElseThrow(() -> new IllegalArgumentException(
                "this build has no bundled sample extension; pass --extension JAR"));
        return ExtensionSource.jar(bundled);
    }

    static String toJson(RunSummary summary, boolean pretty) {
        return toJson(summary, java.util.Collections.emptySortedMap(), pretty);
    }

    /** The summary, and the facts of its hosting (processes started, output captured: real-time facts, never in the trace). */
    static String toJson(RunSummary summary, java.util.SortedMap<String, Object> hosting, boolean pretty) {
        return toJson(summary, hosting, java.util.List.of(), pretty);
    }

    /**
     * As {@link #toJson(RunSummary, java.util.SortedMap, boolean)}, with the run's
     * {@code assumptions} (beyond what PhotoKit documents; always written, {@code []} for none).
     */
    static String toJson(RunSummary summary, java.util.SortedMap<String, Object> hosting, java.util.List<String> assumptions,
            boolean pretty) {
        ObjectMapper mapper = new ObjectMapper();
        if (pretty) {
            mapper.enable(SerializationFeature.INDENT_OUTPUT);
        }
        ObjectNode node = mapper.valueToTree(summary);
        node.put("complete", summary.complete() && !interrupted(summary));
        node.put("interrupted", interrupted(summary));
        node.set("assumptions", mapper.valueToTree(new java.util.TreeSet<>(assumptions)));
        if (!hosting.isEmpty()) {
            node.set("hosting", mapper.valueToTree(hosting));
        }
        try {
            return mapper.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void printHuman(PrintWriter out, RunSummary s) {
        out.println();
        out.printf(java.util.Locale.ROOT, "  activations   %,d  %s  processes %d, kills %d%n", s.activations(), s.outcomes(), s.launches(), s.kills());
        StringBuilder states = new StringBuilder();
        for (Map.Entry<String, Integer> entry : s.jobsByFinalState().entrySet()) {
            states.append(states.length() == 0 ? "" : ", ").append(entry.getKey()).append(' ').append(String.format(java.util.Locale.ROOT, "%,d", entry.getValue()));
        }
        out.printf(java.util.Locale.ROOT, "  jobs          %,d created: %s%n", s.jobsCreated(), states.length() == 0 ? "none" : states);
        out.printf(java.util.Locale.ROOT, "  resources     %,d / %,d uploaded, SHA-256 verified%s%s%n", s.uploaded(), s.resources(),
                s.duplicateWrites() > 0 ? String.format(java.util.Locale.ROOT, " (%,d duplicate writes)", s.duplicateWrites()) : "",
                s.ineligible() > 0 ? String.format(java.util.Locale.ROOT, "; %,d over the cloud's request size cap, not eligible", s.ineligible()) : "");
        out.printf(java.util.Locale.ROOT, "  bytes         %s declared, %s sent%n", bytes(s.bytesDeclared()), bytes(s.bytesSent()));
        double compression = s.wallMillis() > 0 ? (double) s.simulatedMillis() / s.wallMillis() : 0;
        out.printf(java.util.Locale.ROOT, "  simulated     %s   wall %.1f s   (%,.0f× real time)%n", VirtualClock.format(s.simulatedMillis()),
                s.wallMillis() / 1000.0, compression);
        out.printf(java.util.Locale.ROOT, "  trace         %s (%,d events)%n", s.tracePath(), s.traceEvents());
        if (s.refusedCalls() > 0 || s.penalties() > 0 || s.refusedRequests() > 0) {
            out.printf(java.util.Locale.ROOT, "  notable       %d refused API calls, %d 50008 penalties, %d requests refused by the cloud%n",
                    s.refusedCalls(), s.penalties(), s.refusedRequests());
        }
        out.println();
        if (interrupted(s)) {
            out.printf(java.util.Locale.ROOT, "INTERRUPTED (Ctrl-C) at %s simulated: the run was stopped; %,d resources not yet in the cloud,"
                    + " %,d jobs unacknowledged. The trace and summary.json hold the run up to there.%n",
                    VirtualClock.format(s.simulatedMillis()), s.missing(), s.unacknowledged());
        } else if (s.complete()) {
            out.println("COMPLETE: every resource is in the cloud with the right bytes and every job is acknowledged.");
        } else {
            out.printf(java.util.Locale.ROOT, "INCOMPLETE (%s): %,d resources missing from the cloud, %,d jobs unacknowledged.%n",
                    s.endReason(), s.missing(), s.unacknowledged());
        }
    }

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        if (n >= 1L << 10) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return n + " B";
    }

    /** A one-line progress display on a terminal; silent otherwise (CI logs stay clean). */
    private static final class Progress {
        private final PrintWriter err;
        private final boolean enabled;
        private long lastPrint;
        private boolean printed;

        Progress(PrintWriter err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        void update(RunOptions.RunProgress p) {
            if (!enabled) {
                return;
            }
            long now = System.nanoTime(); // wall-clock ok: throttles the display only
            if (now - lastPrint < 200_000_000L) {
                return;
            }
            lastPrint = now;
            printed = true;
            err.printf(java.util.Locale.ROOT, "\r  simulated %-14s activations %,6d   cloud objects %,d / %,d   trace %,d events ",
                    VirtualClock.format(p.virtualMillis()), p.activations(), p.uploaded(), p.resources(), p.traceEvents());
            err.flush();
        }

        void clear() {
            if (printed) {
                err.print("\r" + " ".repeat(100) + "\r");
                err.flush();
            }
        }
    }
}
