package org.upcert.conformance.certify;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.qameta.allure.Allure;
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
import org.upcert.conformance.suite.ConformanceSuite;
import org.upcert.conformance.suite.RuleGroupSuite;
import org.upcert.conformance.suite.SharedRuns;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.suite.SuiteTimings;
import org.upcert.conformance.suite.VerdictLog;
import org.upcert.harness.run.Interruption;

/**
 * Runs the conformance suite for one configuration and writes the bundle into {@code out}:
 * {@code allure-results/}, {@code junit-xml/}, {@code traces/} (runs with a FAIL),
 * {@code certification.json} and {@code CERTIFICATION.md}. One certification at a time per JVM
 * (the suite's shared runs and verdict log are per JVM).
 */
public final class Certifier {
    /**
     * One certification at a time. Not a {@code synchronized} block: a monitor is reentrant, and a
     * caller on a {@code ForkJoinPool} worker (a JUnit class running in parallel with others) that
     * joined a task could run another test's certification on the same thread, inside its own, which
     * would clear the shared runs and verdicts under the first. Such a call is refused.
     */
    private static final java.util.concurrent.locks.ReentrantLock ONE_AT_A_TIME = new java.util.concurrent.locks.ReentrantLock();

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
     * (null for no one) of every run as it finishes, on the run's thread ({@link SharedRuns#observe}):
     * a caller that needs more of a run than the bundle keeps (tests that judge the same runs
     * further) reads it there instead of simulating it again.
     */
    public static Result certify(SuiteConfig requested, Path out, PrintStream progress,
            java.util.function.Consumer<org.upcert.conformance.suite.RunOutcome> eachRun) {
        if (ONE_AT_A_TIME.isHeldByCurrentThread()) {
            throw new IllegalStateException("a certification was started inside another on the same thread");
        }
        ONE_AT_A_TIME.lock();
        try {
            long started = System.nanoTime(); // wall-clock ok: -Dupcert.timings measures the harness
            SuiteTimings.clear(started);
            SuiteConfig config = requested.withReports(out);
            prepare(out);
            SharedRuns.clear();
            VerdictLog.clear();
            AllureLifecycle allure = new AllureLifecycle(new FileSystemResultsWriter(out.resolve("allure-results")));
            AllureLifecycle previous = Allure.getLifecycle();
            Allure.setLifecycle(allure);
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            List<TestExecutionListener> listeners = new ArrayList<>(List.of(new AllureJunitPlatform(allure),
                    new LegacyXmlReportGeneratingListener(out.resolve("junit-xml"),
                            new PrintWriter(System.err, true, StandardCharsets.UTF_8)),
                    summary));
            if (progress != null) {
                listeners.add(new ProgressLine(progress, config));
            }
            String fault = null;
            // the test plan reads no profile again: it runs the versions this configuration read
            String snapshot = config.snapshot().share();
            SharedRuns.observe(config, eachRun);
            try {
                // Listeners are ours alone: the Allure listener the jar would register by itself
                // writes to a fixed directory and would report every test twice.
                Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
                        .enableTestExecutionListenerAutoRegistration(false)
                        .addTestExecutionListeners(listeners.toArray(TestExecutionListener[]::new)).build());
                executeToTheEnd(launcher, request(config, snapshot));
            } catch (RuntimeException | Error e) {
                // upcert's own failure (JUnit rethrows an OutOfMemoryError): the verdicts gathered
                // so far are still written, marked with the fault, and the command exits 3.
                fault = "harness fault, the certification stopped: " + e;
            } finally {
                Allure.setLifecycle(previous);
                SharedRuns.observe(config, null);
                org.upcert.conformance.suite.ProfileSnapshot.release(snapshot);
            }
            long suiteEnded = System.nanoTime(); // wall-clock ok
            Certification certification = Certification.of(config, VerdictLog.extensionShas(config.cells()),
                    VerdictLog.verdicts(config.rules(), config.cells()));
            if (fault != null) {
                certification = certification.withHarnessFault(fault);
            }
            if (Interruption.requested()) {
                certification = certification.interruptedWith(SharedRuns.interrupted());
            }
            write(out.resolve("certification.json"), CertificationJson.text(certification));
            write(out.resolve("CERTIFICATION.md"), CertificationMarkdown.text(certification));
            if (SuiteTimings.enabled()) {
                System.err.print(SuiteTimings.describe(suiteEnded, System.nanoTime(), config.cells().size())); // wall-clock ok
            }
            SharedRuns.clear();
            return new Result(certification, out, summary.getSummary());
        } finally {
            ONE_AT_A_TIME.unlock();
        }
    }

    /**
     * Executes the test plan on a thread of its own and returns once it has ended, whatever happens to
     * the calling thread: an interrupt (a caller's JUnit {@code @Timeout}) must not let this certification
     * release its lock while its tests still run, or the next one clears the shared runs and verdicts
     * under them (seen: a Python certification came back with 11 rules SKIPPED, "interrupted while
     * waiting for the run"). The wait is bounded by the runs' own bounds (hang and deadline). The
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
        return request(config, null);
    }

    /** The discovery request, handing the test plan the profile snapshot shared as {@code snapshot} (null: none). */
    static LauncherDiscoveryRequest request(SuiteConfig config, String snapshot) {
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
        parallelGroups(parameters, selectors.size());
        return LauncherDiscoveryRequestBuilder.request().selectors(selectors).configurationParameters(parameters).build();
    }

    /**
     * The group classes run concurrently, one thread each; the tests inside a class stay in order
     * on its thread. Each class judges and reports a run as soon as it is simulated, so the
     * judging and the Allure and JUnit reports of every group overlap the simulations instead of
     * following them on one thread (the threads mostly wait for runs; the runs themselves are
     * bounded by {@link SharedRuns}). The report's order does not depend on it: the certification
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
