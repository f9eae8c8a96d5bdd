package org.upcert.maven;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Certifies the project's built jar with upcert: every conformance rule on the chosen profiles and
 * seeds, the certification bundle under {@code target/upcert}, and a failed build unless the
 * extension is CERTIFIED. Bound to {@code verify}: one {@code <plugin>} block in the pom is the CI
 * gate (docs/author-build.md).
 *
 * <p>Runs upcert's own {@code certify} command, in a JVM of its own started on the plugin's
 * dependencies: nothing of upcert or of the extension is loaded in Maven's JVM, and the extension
 * runs in its worker process exactly as {@code ./upcert certify --extension your.jar} runs it.
 * Every parameter has the user property of the same name, and a user property given on Maven's
 * command line wins over the pom ({@code mvn verify -Dupcert.seed=4 -Dupcert.rules=ACK-01}: how a
 * FAIL's reproduce line works).
 */
@Mojo(name = "certify", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class CertifyMojo extends AbstractMojo {
    /** certify's exit codes (org.upcert.harness.cli.ExitCode). */
    static final int CERTIFIED = 0;
    static final int NOT_CERTIFIED = 1;
    static final int USAGE = 2;
    static final int HARNESS_FAULT = 3;
    static final int INTERRUPTED = 130;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    MavenSession session;

    @Parameter(defaultValue = "${plugin.artifacts}", readonly = true, required = true)
    List<Artifact> pluginArtifacts;

    /** The extension jar to certify. Default: the jar this project builds (its main artifact). */
    @Parameter(property = "upcert.extension")
    File extension;

    /** Or: an extension in any language, a command speaking the extension protocol (docs/protocol.md). */
    @Parameter(property = "upcert.extension.cmd")
    String extensionCommand;

    /** Standard profile names or profile files, comma-separated; {@code all} for every standard profile. */
    @Parameter(property = "upcert.profiles", defaultValue = "all")
    String profiles;

    /** A count (seeds 1..N), or a comma-separated list of seeds and ranges ({@code 4,9,17}, {@code 1..10}). */
    @Parameter(property = "upcert.seeds", defaultValue = "3")
    String seeds;

    /** One seed (instead of {@code seeds}): how a FAIL is reproduced. */
    @Parameter(property = "upcert.seed")
    String seed;

    /** The cloud dialect: generic-put, s3-presigned, google-photos, onedrive, dropbox (docs/cloud.md). */
    @Parameter(property = "upcert.cloud", defaultValue = "generic-put")
    String cloud;

    /** Exploration runs (docs/exploration.md); default 6 with every standard profile, 0 with named profiles. */
    @Parameter(property = "upcert.explore")
    String explore;

    /** A folder of pinned profiles (what upcert explore and shrink write), each a required profile. */
    @Parameter(property = "upcert.corpus")
    File corpus;

    /** Rules or groups to judge, e.g. RTY-01,TRM; a subset is reported as partial. */
    @Parameter(property = "upcert.rules", defaultValue = "all")
    String rules;

    /** direct (in-JVM calls to the cloud stubs) or loopback (real HTTP): the same trace. */
    @Parameter(property = "upcert.transport", defaultValue = "direct")
    String transport;

    /**
     * Where the extension's code runs: worker (a JVM process of its own, the default for a jar),
     * container (the worker in a locally built container; needs Docker) or in-process (upcert's JVM,
     * which the plugin starts: still never Maven's). See docs/isolation.md.
     */
    @Parameter(property = "upcert.isolation")
    String isolation;

    /** container: as isolation container. */
    @Parameter(property = "upcert.sandbox")
    String sandbox;

    /** A scope file declaring what the extension uploads (docs/scope.md); default: the jar's own. */
    @Parameter(property = "upcert.scope")
    File scope;

    /** Assumptions beyond what PhotoKit documents, e.g. http-status; the certificate states them. */
    @Parameter(property = "upcert.assume")
    String assume;

    /** Real time a call may go without any API call before it is declared hung (RES-04), e.g. 3s. */
    @Parameter(property = "upcert.hang-after")
    String hangAfter;

    /**
     * The app's next build, which an app.upgrade fault swaps in: a jar (or a command, with
     * extensionCommand). Default: the same artifact, relaunched fresh.
     */
    @Parameter(property = "upcert.upgrade-to")
    String upgradeTo;

    /** Where the certification bundle goes. */
    @Parameter(property = "upcert.out", defaultValue = "${project.build.directory}/upcert")
    File out;

    /** Skips the certification. */
    @Parameter(property = "upcert.skip", defaultValue = "false")
    boolean skip;

    /** Options of the JVM that runs upcert, as ./upcert runs it: C1 only (relaunched extensions are new code to the JIT), the serial collector. */
    @Parameter(property = "upcert.jvmArgs", defaultValue = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    String jvmArgs;

    /** Bound on the whole certification, in minutes: past it upcert is stopped and the build fails. */
    @Parameter(property = "upcert.timeoutMinutes", defaultValue = "120")
    int timeoutMinutes;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("upcert: certification skipped (upcert.skip)");
            return;
        }
        CertifyOptions options = options();
        if (options.get("upcert.extension") == null && options.get("upcert.extension.cmd") == null) {
            if ("pom".equals(project.getPackaging())) {
                getLog().info("upcert: nothing to certify in a pom project (name an <extension> jar to certify one)");
                return;
            }
            throw new MojoExecutionException("upcert: no jar to certify: " + project.getId() + " has no built artifact yet."
                    + " upcert:certify runs at verify, after package (mvn verify); or name one with <extension>.");
        }
        List<String> command = command(options);
        getLog().debug("upcert: " + String.join(" ", command));
        Outcome outcome = run(command);
        conclude(outcome, options);
    }

    /** The pom's configuration, then the command line's user properties over it. */
    CertifyOptions options() {
        File jar = extension;
        if (jar == null && project.getArtifact() != null && project.getArtifact().getFile() != null
                && project.getArtifact().getFile().isFile()) {
            jar = project.getArtifact().getFile();
        }
        CertifyOptions options = new CertifyOptions()
                .set("upcert.extension", jar == null ? null : jar.getAbsolutePath())
                .set("upcert.extension.cmd", extensionCommand)
                .set("upcert.isolation", isolation)
                .set("upcert.sandbox", sandbox)
                .set("upcert.scope", scope == null ? null : scope.getAbsolutePath())
                .set("upcert.assume", assume)
                .set("upcert.hang-after", hangAfter)
                .set("upcert.upgrade-to", upgradeTo)
                .set("upcert.profiles", profiles)
                .set("upcert.seeds", seeds)
                .set("upcert.seed", seed)
                .set("upcert.cloud", cloud)
                .set("upcert.explore", explore)
                .set("upcert.corpus", corpus == null ? null : corpus.getAbsolutePath())
                .set("upcert.rules", rules)
                .set("upcert.transport", transport)
                .set("upcert.out", out.getAbsolutePath());
        return options.overriddenBy(session.getUserProperties());
    }

    /** {@code java <jvmArgs> -cp <upcert's jars> org.upcert.conformance.cli.Main certify … --route maven-plugin}. */
    List<String> command(CertifyOptions options) {
        List<String> command = new ArrayList<>();
        command.add(new File(new File(System.getProperty("java.home"), "bin"), "java").getPath());
        for (String arg : jvmArgs == null ? new String[0] : jvmArgs.trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(classPath(pluginArtifacts));
        command.add("org.upcert.conformance.cli.Main");
        command.add("certify");
        command.addAll(options.arguments());
        // the reproduce lines of the reports are Maven's: mvn verify -Dupcert.seed=…
        command.add("--route");
        command.add("maven-plugin");
        return command;
    }

    static String classPath(List<Artifact> artifacts) {
        List<String> entries = new ArrayList<>();
        for (Artifact artifact : artifacts) {
            if (artifact.getFile() != null && "jar".equals(artifact.getType())) {
                entries.add(artifact.getFile().getAbsolutePath());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * What upcert said and how it ended.
     *
     * @param why the first FAIL lines and their reproduce lines, repeated in the build's failure so
     *     that a quiet build ({@code mvn -q}) still says why
     */
    record Outcome(int exitCode, String verdictLine, List<String> errors, List<String> why) {
        Outcome(int exitCode, String verdictLine, List<String> errors) {
            this(exitCode, verdictLine, errors, List.of());
        }
    }

    /** A FAIL block's first line, and its reproduce line. */
    private static final java.util.regex.Pattern WHY = java.util.regex.Pattern.compile(
            "^\\s+([A-Z0-9]{3}-\\d{2} FAIL on .*|reproduce: .*)$");
    private static final int WHY_LINES = 10;

    private Outcome run(List<String> command) throws MojoExecutionException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.getBasedir());
        // a progress line is for terminals; Maven's log is not one
        builder.environment().put("CI", builder.environment().getOrDefault("CI", "true"));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new MojoExecutionException("upcert: cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close(); // certify reads nothing
        } catch (IOException e) {
            // nothing to close
        }
        String[] verdict = new String[1];
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> why = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread stdout = pump(process.getInputStream(), line -> {
            getLog().info(line);
            if (line.matches("^(CERTIFIED|NOT_CERTIFIED|INCOMPLETE|INTERRUPTED)\\b.*")) {
                verdict[0] = line;
            }
            java.util.regex.Matcher reason = WHY.matcher(line);
            if (reason.matches() && why.size() < WHY_LINES) {
                why.add(reason.group(1));
            }
        });
        Thread stderr = pump(process.getErrorStream(), line -> {
            getLog().warn(line);
            errors.add(line);
        });
        try {
            if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                throw new MojoExecutionException("upcert: the certification did not end within " + timeoutMinutes
                        + " minutes (upcert.timeoutMinutes); it was stopped");
            }
            stdout.join(TimeUnit.SECONDS.toMillis(30));
            stderr.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("upcert: interrupted", e);
        }
        return new Outcome(process.exitValue(), verdict[0], List.copyOf(errors), List.copyOf(why));
    }

    private static Thread pump(InputStream stream, Consumer<String> lines) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                lines.accept("(upcert's output could not be read: " + e.getMessage() + ")");
            }
        }, "upcert-output");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    void conclude(Outcome outcome, CertifyOptions options) throws MojoExecutionException, MojoFailureException {
        String bundle = options.get("upcert.out") + File.separator + "CERTIFICATION.md";
        switch (outcome.exitCode()) {
            case CERTIFIED -> getLog().info("upcert: CERTIFIED; the bundle: " + bundle);
            case NOT_CERTIFIED -> throw new MojoFailureException("upcert: " + (outcome.verdictLine() == null ? "NOT_CERTIFIED"
                    : outcome.verdictLine()) + (outcome.why().isEmpty() ? "" : "\n  " + String.join("\n  ", outcome.why()))
                    + "\nThe extension is not certified: each FAIL above names the run, the events and"
                    + " a reproduce line (mvn verify -Dupcert.…); INCOMPLETE means a MUST rule no run exercised or a run"
                    + " could not be judged. The bundle: " + bundle);
            case USAGE -> throw new MojoExecutionException("upcert: the certification could not start (bad configuration or"
                    + " input, nothing was run):\n  " + String.join("\n  ", outcome.errors()));
            case HARNESS_FAULT -> throw new MojoExecutionException("upcert: upcert itself failed (a harness fault, not your"
                    + " extension's doing; please report it with the bundle " + bundle + "):\n  "
                    + String.join("\n  ", tail(outcome.errors(), 20)));
            case INTERRUPTED -> throw new MojoExecutionException("upcert: interrupted; the bundle of the finished runs, marked"
                    + " INTERRUPTED: " + bundle);
            default -> throw new MojoExecutionException("upcert: the certification ended with exit code " + outcome.exitCode()
                    + " (not one of certify's: a crash of upcert's JVM):\n  " + String.join("\n  ", tail(outcome.errors(), 20)));
        }
    }

    private static List<String> tail(List<String> lines, int count) {
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }
}
