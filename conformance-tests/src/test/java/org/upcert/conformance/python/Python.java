package org.upcert.conformance.python;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * What the Python tests share: the interpreter (tests are skipped, and reported SKIPPED, where
 * there is no {@code python3} of version 3.9 or newer), the client's folder in this checkout, and
 * {@code upcert certify} run the way the command line runs it.
 */
public final class Python {
    /** {@code clients/python} of this checkout (tests run in the conformance-tests folder). */
    static final Path CLIENT = Path.of("..", "clients", "python").toAbsolutePath().normalize();
    static final Path EXAMPLES = CLIENT.resolve("examples");
    private static String interpreter;
    private static boolean probed;

    private Python() {
    }

    /**
     * The interpreter {@code python3} runs, if it is 3.9 or newer; otherwise the calling test is
     * skipped. Its own path ({@code sys.executable}), not {@code python3}: where {@code python3} is a
     * pyenv shim (a bash script that asks pyenv which version to run) every extension process started
     * through it cost about 0.3 s of CPU and up to a second of wall before Python began, against
     * 0.05 s for the interpreter itself, and a command-mode run starts one per simulated launch.
     */
    public static synchronized String require() {
        if (!probed) {
            probed = true;
            interpreter = probe("python3");
        }
        assumeTrue(interpreter != null, "no python3 (3.9 or newer) on PATH: the Python client cannot be tested here");
        return interpreter;
    }

    private static String probe(String command) {
        try {
            Process process = new ProcessBuilder(command, "-c",
                    "import sys; print(sys.version_info >= (3, 9)); print(sys.executable or '')")
                    .redirectErrorStream(true).start();
            String[] out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            if (process.exitValue() != 0 || !out[0].strip().equals("True")) {
                return null;
            }
            String executable = out.length > 1 ? out[1].strip() : "";
            // a path the command lines below can carry as one word; else the name as it was found
            return !executable.isEmpty() && !executable.matches(".*\\s.*") && Files.isExecutable(Path.of(executable))
                    ? executable : command;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The result of one {@code upcert certify}: its exit code, stdout and stderr. */
    public record Outcome(int code, String out, String err) {
    }

    /** {@code upcert certify ARGS} in this JVM, through the same picocli entry as the command line. */
    public static Outcome certify(String... args) {
        return certify(null, args);
    }

    /**
     * {@code upcert certify ARGS} as {@link #certify(String...)}, telling {@code eachRun} of every run
     * as it finishes (its trace, its evidence): what a test asserts of a run's events it reads there,
     * from the very run the certification judged, instead of simulating the cell again.
     */
    public static Outcome certify(java.util.function.Consumer<org.upcert.conformance.suite.RunOutcome> eachRun, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand(eachRun));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>();
        all.add("certify");
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(new String[0]));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** One in-process run of {@code script} (in {@link #EXAMPLES}) on {@code profile}, seed 1, and its evidence for the rules. */
    public static org.upcert.conformance.evidence.RunEvidence simulate(String interpreter, String script, String profile,
            org.upcert.harness.run.RunOptions options) throws Exception {
        var plan = org.upcert.harness.faults.profile.PlanExpander.expand(
                org.upcert.harness.faults.profile.ProfileCatalogue.load(profile), 1).plan();
        var source = org.upcert.harness.host.ExtensionSource.command(List.of(interpreter, EXAMPLES.resolve(script).toString()), EXAMPLES);
        return org.upcert.conformance.evidence.RunEvidence.of(org.upcert.harness.run.Simulation.run(plan, source, options));
    }

    /** One in-process run of {@code script} (in {@link #EXAMPLES}) on the profile file or name {@code profile} at {@code seed}. */
    public static org.upcert.conformance.evidence.RunEvidence simulate(String interpreter, String script, String profile, long seed,
            org.upcert.harness.run.RunOptions options) throws Exception {
        var plan = org.upcert.harness.faults.profile.PlanExpander.expand(
                org.upcert.harness.faults.profile.ProfileCatalogue.resolve(profile), seed).plan();
        var source = org.upcert.harness.host.ExtensionSource.command(List.of(interpreter, EXAMPLES.resolve(script).toString()), EXAMPLES);
        return org.upcert.conformance.evidence.RunEvidence.of(org.upcert.harness.run.Simulation.run(plan, source, options));
    }

    /** The rules of a {@code certify --json} summary that FAILed or were SKIPPED: "ID VERDICT runs", in the summary's order. */
    public static List<String> failedOrSkipped(com.fasterxml.jackson.databind.JsonNode json) {
        List<String> problems = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode rule : json.path("rules")) {
            String verdict = rule.path("verdict").asText();
            if (verdict.equals("FAIL") || verdict.equals("SKIPPED")) {
                problems.add(rule.path("id").asText() + " " + verdict + " " + rule.path("runs"));
            }
        }
        return problems;
    }

    /**
     * The {@code certify --json} summary of {@code outcome}, asserting what every "fails nothing" test asks:
     * no rule FAIL or SKIPPED, no harness fault.
     */
    public static com.fasterxml.jackson.databind.JsonNode failsNothing(Outcome outcome) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(outcome.out().strip());
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), failedOrSkipped(json),
                "nothing FAIL or SKIPPED\n" + outcome.err() + "\n" + json.path("failures"));
        org.junit.jupiter.api.Assertions.assertEquals(0, json.path("harnessFaults").size(), "no harness fault: " + json.path("harnessFaults"));
        return json;
    }

    /** A command line for {@code --extension-cmd}: the interpreter and the script, quoted for its splitter. */
    public static String command(String interpreter, Path script) {
        return interpreter + " '" + script.toString().replace("'", "'\\''") + "'";
    }
}
