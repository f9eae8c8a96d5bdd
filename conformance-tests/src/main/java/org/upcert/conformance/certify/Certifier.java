package org.upcert.conformance.certify;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.FileSystemResultsWriter;
import io.qameta.allure.junitplatform.AllureJunitPlatform;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.report.CertificationJson;
import org.upcert.conformance.report.CertificationMarkdown;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.suite.CertificationState;
import org.upcert.conformance.suite.ConformanceSuite;
import org.upcert.conformance.suite.RuleGroupSuite;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteTimings;
import org.upcert.conformance.suite.VerdictLog;
import org.upcert.harness.run.Interruption;

/**
 * Runs the conformance suite for one configuration and writes the bundle into {@code out}:
 * {@code allure-results/}, {@code junit-xml/}, {@code traces/} (runs with a FAIL),
 * {@code certification.json} and {@code CERTIFICATION.md}. Certifications in one JVM may run at
 * once, each into its own {@code out}: each has a {@link CertificationState} of its own (its runs,
 * verdicts, timings and Allure lifecycle), handed to its test plan like its profile snapshot, and
 * nothing of one is cleared or read by another. Before (issue 13) one lock made them take turns, and
 * the JVM's tests that certify waited for it (448 s in one run of the hostile classes side by side).
 */
public final class Certifier {

    private Certifier() {
    }

    /**
     * What a certification produced.
     *
     * @param certification the verdicts and the overall outcome
     * @param out the bundle's directory
     * @param tests JUnit's own counts of the run (tests started, failed, aborted)
     */
    public record Result(Certification certification, Path out, TestExecutionSummary tests) {
    }

    /**
     * Certifies; {@code progress} receives a live line (null for none). Reports are written even
     * when a test class blows up half-way, or upcert itself fails (an {@code OutOfMemoryError}):
     * the verdicts gathered so far are what the bundle shows, with the fault among its
     * {@code harnessFaults}.
     * After Ctrl-C ({@link Interruption}) no new run starts, the runs under way stop, and the
     * bundle is written marked INTERRUPTED with the verdicts of the runs that finished.
     */
    public static Result certify(SuiteConfig requested, Path out, PrintStream progress) {
        return certify(requested, out, progress, null);
    }

    /**
     * Certifies as {@link #certify(SuiteConfig, Path, PrintStream)} does, telling {@code eachRun}
     * (null for no one) of every run as it finishes, on the run's thread ({@link org.upcert.conformance.suite.SharedRuns#observe}):
     * a caller that needs more of a run than the bundle keeps (tests that judge the same runs
     * further) reads it there instead of simulating it again.
     */
    public static Result certify(SuiteConfig requested, Path out, PrintStream progress,
            java.util.function.Consumer<org.upcert.conformance.suite.RunOutcome> eachRun) {
        long started = System.nanoTime(); // wall-clock ok: -Dupcert.timings measures the harness
        SuiteConfig config = requested.withReports(out);
        prepare(out);
        // this certification's own state (runs, verdicts, timings, Allure lifecycle): another one
        // under way in the JVM has its own, and neither waits for nor clears the other's
        AllureLifecycle allure = new AllureLifecycle(new FileSystemResultsWriter(out.resolve("allure-results")));
        CertificationState state = CertificationState.of(allure, started);
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        List<TestExecutionListener> listeners = new ArrayList<>(List.of(new AllureJunitPlatform(allure),
                new LegacyXmlReportGeneratingListener(out.resolve("junit-xml"),
                        new PrintWriter(System.err, true, StandardCharsets.UTF_8)),
                summary));
        if (progress != null) {
            listeners.add(new ProgressLine(progress, config, state));
        }
        String fault = null;
        // the test plan reads no profile again: it runs the versions this configuration read
        String snapshot = config.snapshot().share();
        String shared = state.share();
        state.runs().observe(eachRun);
        try {
            // Listeners are ours alone: the Allure listener the jar would register by itself
            // writes to a fixed directory and would report every test twice.
            Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                    .enableTestExecutionListenerAutoRegistration(false)
                    .addTestExecutionListeners(listeners.toArray(TestExecutionListener[]::new)).build());
            executeToTheEnd(launcher, request(config, snapshot, shared));
        } catch (RuntimeException | Error e) {
            // upcert's own failure (JUnit rethrows an OutOfMemoryError): the verdicts gathered
            // so far are still written, marked with the fault, and the command exits 3.
            fault = "harness fault, the certification stopped: " + e;
        } finally {
            state.runs().observe(null);
            CertificationState.release(shared);
            org.upcert.conformance.suite.ProfileSnapshot.release(snapshot);
        }
        long suiteEnded = System.nanoTime(); // wall-clock ok
        VerdictLog verdicts = state.verdicts();
        Certification certification = Certification.of(config, verdicts.extensionShas(config.cells()),
                verdicts.verdicts(config.rules(), config.cells()));
        if (fault != null) {
            certification = certification.withHarnessFault(fault);
        }
        if (Interruption.requested()) {
            certification = certification.interruptedWith(state.runs().interrupted());
        }
        write(out.resolve("certification.json"), CertificationJson.text(certification));
        write(out.resolve("CERTIFICATION.md"), CertificationMarkdown.text(certification));
        if (SuiteTimings.enabled()) {
            System.err.print(state.timings().describe(suiteEnded, System.nanoTime(), config.cells().size())); // wall-clock ok
        }
        state.runs().clear(); // the runs' traces and evidence are not kept past the certification
        return new Result(certification, out, summary.getSummary());
    }

    /**
     * Executes the test plan on a thread of its own and returns once it has ended, whatever happens to
     * the calling thread: an interrupt (a caller's JUnit {@code @Timeout}) must not let this certification
     * write its bundle, and clear its runs, while its tests still run (seen, when a lock was released
     * that way: the next certification cleared the runs under them, and a Python certification came
     * back with 11 rules SKIPPED, "interrupted while waiting for the run"). The wait is bounded by the runs' own bounds (hang and deadline). The
     * caller's interrupt is kept for it to see afterwards.
     */
    private static void executeToTheEnd(Launcher launcher, LauncherDiscoveryRequest request) {
        java.util.concurrent.FutureTask<Void> execution = new java.util.concurrent.FutureTask<>(() -> {
            launcher.execute(request);
            return null;
        });
        Thread thread = new Thread(execution, "upcert-certify");
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    execution.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The discovery request: the group classes holding selected rules, and the configuration. */
    static LauncherDiscoveryRequest request(SuiteConfig config) {
        return request(config, null, null);
    }

    /**
     * The discovery request, handing the test plan the profile snapshot shared as {@code snapshot} and
     * the certification's state shared as {@code state} (null: none).
     */
    static LauncherDiscoveryRequest request(SuiteConfig config, String snapshot, String state) {
        List<String> groups = config.rules().stream().map(Rule::group).distinct().toList();
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (Class<? extends RuleGroupSuite> type : ConformanceSuite.GROUP_CLASSES) {
            String group = type.getAnnotation(org.junit.jupiter.api.Tag.class).value();
            if (groups.contains(group)) {
                selectors.add(selectClass(type));
            }
        }
        TreeMap<String, String> parameters = new TreeMap<>();
        if (config.extension().startsWith("class:")) {
            parameters.put("upcert.extension.class", config.extension().substring("class:".length()));
        } else if (config.extension().startsWith("cmd:")) {
            parameters.put("upcert.extension.cmd", config.extension().substring("cmd:".length()));
        } else if (!config.extension().equals("sample")) {
            parameters.put("upcert.extension", config.extension());
        }
        parameters.put("upcert.profiles", String.join(",", config.profiles()));
        parameters.put("upcert.seeds", config.seeds().stream().map(String::valueOf).collect(Collectors.joining(",")) + ",");
        parameters.put("upcert.cloud", config.cloud());
        parameters.put("upcert.transport", config.transport());
        parameters.put("upcert.isolation", config.isolation());
        if (config.scopeFile() != null) {
            parameters.put("upcert.scope", config.scopeFile().toString());
        }
        parameters.put("upcert.assume", String.join(",", config.assumptions()));
        if (config.hangAfterMs() > 0) {
            parameters.put("upcert.hang-after", config.hangAfterMs() + "ms");
        }
        parameters.put("upcert.rules", config.rules().stream().map(Rule::id).collect(Collectors.joining(",")));
        parameters.put("upcert.require-exercised", Boolean.toString(config.requireExercised()));
        parameters.put("upcert.explore", Integer.toString(config.explore())); // the corpus is already among the profiles
        parameters.put("upcert.reports", config.reports().toString());
        parameters.put("upcert.route", config.route());
        if (snapshot != null) {
            parameters.put(org.upcert.conformance.suite.ProfileSnapshot.PARAMETER, snapshot);
        }
        if (state != null) {
            parameters.put(CertificationState.PARAMETER, state);
        }
        parallelGroups(parameters, selectors.size());
        return LauncherDiscoveryRequestBuilder.request().selectors(selectors).configurationParameters(parameters).build();
    }

    /**
     * The group classes run concurrently, one thread each; the tests inside a class stay in order
     * on its thread. Each class judges and reports a run as soon as it is simulated, so the
     * judging and the Allure and JUnit reports of every group overlap the simulations instead of
     * following them on one thread (the threads mostly wait for runs; the runs themselves are
     * bounded by {@link org.upcert.conformance.suite.SharedRuns}). The report's order does not depend on it: the certification
     * reads the verdicts in the suite's order ({@link VerdictLog#verdicts}), JUnit's XML follows
     * the test plan, and each Allure result is a file of its own.
     */
    static void parallelGroups(TreeMap<String, String> parameters, int classes) {
        int threads = Math.max(1, classes);
        parameters.put("junit.jupiter.execution.parallel.enabled", "true");
        parameters.put("junit.jupiter.execution.parallel.mode.default", "same_thread");
        parameters.put("junit.jupiter.execution.parallel.mode.classes.default", "concurrent");
        parameters.put("junit.jupiter.execution.parallel.config.strategy", "fixed");
        parameters.put("junit.jupiter.execution.parallel.config.fixed.parallelism", Integer.toString(threads));
        parameters.put("junit.jupiter.execution.parallel.config.fixed.max-pool-size", Integer.toString(threads));
    }

    /** Empties the bundle's own subdirectories: stale results of an earlier run must not mix in. */
    private static void prepare(Path out) {
        try {
            Files.createDirectories(out);
            for (String own : List.of("allure-results", "junit-xml", "traces")) {
                Path dir = out.resolve(own);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> files = Files.walk(dir)) {
                        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                            Files.delete(file);
                        }
                    }
                }
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the report directory " + out, e);
        }
    }

    private static void write(Path file, String text) {
        try {
            // Half a surrogate pair the extension sent (JSON's \\ud800 escape) anywhere in the text would
            // make the UTF-8 writer refuse the whole report: certify failed, exit 3, before H53.
            Files.writeString(file, org.upcert.harness.cli.TerminalText.pairedSurrogatesOnly(text));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
