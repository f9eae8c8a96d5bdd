package org.upcert.maven;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.upcert.conformance.cli.InitCommand;
import org.upcert.harness.cli.UpcertCommand;

/**
 * The author's path, for real: {@code upcert init} scaffolds a project, and a real Maven (the one
 * running this build) builds it with this plugin: the stub as scaffolded (the build works and says
 * why it is not certified), the sample extension's sources in its place (CERTIFIED, green), and the
 * sample with one mistake (NOT_CERTIFIED, red), whose reproduce line is then run as printed. Every
 * build writes the bundle under the project's target/upcert.
 *
 * <p>The project builds against a local repository of its own (target/it-repo: this plugin and
 * upcert's modules put there by maven-invoker-plugin's install goal, never ~/.m2), with every
 * other artifact mirrored from the build's own local repository: no network. One profile, one
 * seed: a few seconds of certification per build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthorProjectIT {
    private static final Duration BUILD_BOUND = Duration.ofMinutes(6);
    /**
     * One profile, one seed, and the rules that run exercises for the sample (a MUST rule no run
     * exercised would make a green build INCOMPLETE): given with -D, as a user would, over the pom's
     * full certification.
     */
    private static final List<String> QUICK = List.of("-Dupcert.profiles=flaky-network", "-Dupcert.seeds=1",
            "-Dupcert.rules=ACK,E2E-01,E2E-02");
    private static Path project;

    @BeforeAll
    static void scaffold() throws IOException {
        Path work = Path.of(System.getProperty("upcert.it.work", "target/it")).toAbsolutePath();
        delete(work);
        Files.createDirectories(work);
        // a .mvn of its own: Maven would otherwise take upcert's checkout above it for the project's root
        Files.createDirectories(work.resolve(".mvn"));
        project = work.resolve("my-extension");
        StringWriter out = new StringWriter();
        int exit = UpcertCommand.commandLine(new InitCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
                .execute("init", project.toString(), "--group-id", "com.example.photos");
        assertEquals(0, exit, out::toString);
        Files.writeString(work.resolve("settings.xml"), settings());
    }

    @Test
    @Order(1)
    void theScaffoldedStubBuildsAndSaysWhyItIsNotCertified() throws Exception {
        Build build = maven(QUICK);
        assertEquals(1, build.exit(), build.tail());
        assertTrue(build.log().contains("BUILD FAILURE"), build.tail());
        assertTrue(build.log().contains("[INFO] Building jar:"), "the jar was built before certify: " + build.tail());
        assertTrue(build.log().contains("upcert: NOT_CERTIFIED"), build.tail());
        assertTrue(build.log().contains("E2E-01 FAIL on flaky-network · seed 1: 312 of 312 resources"),
                "why: the stub uploads nothing\n" + build.tail());
        assertBundle("NOT_CERTIFIED");
    }

    @Test
    @Order(2)
    void theSampleIsCertified() throws Exception {
        replaceStubWithSample();
        Build build = maven(QUICK);
        assertEquals(0, build.exit(), build.tail());
        assertTrue(build.log().contains("BUILD SUCCESS"), build.tail());
        assertTrue(build.log().contains("upcert: CERTIFIED"), build.tail());
        assertTrue(build.log().contains("isolation worker"), "the extension ran in its worker process: " + build.tail());
        assertBundle("CERTIFIED");
    }

    @Test
    @Order(3)
    void aMutantFailsTheBuildAndItsReproduceLineReplaysIt() throws Exception {
        Path acknowledger = project.resolve("src/main/java/org/upcert/sample/Acknowledger.java");
        String source = Files.readString(acknowledger);
        String correct = "(changes, job) -> changes.acknowledge(job)";
        assertTrue(source.contains(correct), "the sample changed: update the mutation");
        // the mistake Mutants.NeverAcknowledgesFailed makes: failed jobs are never acknowledged (ACK-01)
        Files.writeString(acknowledger, source.replace(correct,
                "(changes, job) -> { if (job.state() != JobState.FAILED) { changes.acknowledge(job); } }"));
        Build build = maven(QUICK);
        assertEquals(1, build.exit(), build.tail());
        assertTrue(build.log().contains("upcert: NOT_CERTIFIED"), build.tail());
        assertTrue(Pattern.compile("ACK-01 +MUST +FAIL").matcher(build.log()).find(), "the mutation's own rule: " + build.tail());
        assertBundle("NOT_CERTIFIED");

        // The build details its root cause first: ACK-01, or E2E-01 when the resource of a failed job
        // nobody acknowledged is lost before (both are this mutation's). Its reproduce line replays it.
        Matcher reproduce = Pattern.compile("reproduce: (mvn verify -Dupcert\\S+ -Dupcert\\S+ -Dupcert.rules=(ACK-01|E2E-01))")
                .matcher(build.log());
        assertTrue(reproduce.find(), "a reproduce line for Maven: " + build.tail());
        String rule = reproduce.group(2);
        assertTrue(build.log().contains("[ERROR] Failed to execute goal org.upcert:upcert-maven-plugin:")
                && build.log().contains("\n[ERROR]   " + rule + " FAIL on flaky-network · seed 1"),
                "the build's error repeats why, for a quiet build: " + build.tail());
        assertEquals("mvn verify -Dupcert.profiles=flaky-network -Dupcert.seed=1 -Dupcert.rules=" + rule, reproduce.group(1));
        List<String> replay = new ArrayList<>(List.of(reproduce.group(1).split(" ")));
        Build again = maven(replay.subList(2, replay.size()));
        assertEquals(1, again.exit(), again.tail());
        assertTrue(again.log().contains(rule + " FAIL on flaky-network · seed 1"), again.tail());
        assertTrue(again.log().contains("(partial: 1 of"), "only " + rule + " was judged: " + again.tail());
    }

    @Test
    @Order(4)
    void theJunitRoutesPomAndSuiteFromTheDocsBuildAndRunTheSuite() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("upcert.it.docs", "../docs/author-build.md")));
        Path junit = project.getParent().resolve("junit-route");
        Files.createDirectories(junit);
        Files.writeString(junit.resolve("pom.xml"), block(doc, "junit-pom"));
        Path suite = junit.resolve("src/test/java/com/example/photos/MyExtensionConformanceTest.java");
        Files.createDirectories(suite.getParent());
        String suiteSource = block(doc, "junit-suite");
        assertTrue(suiteSource.contains("com.example.photos.MyUploadExtension"), suiteSource);
        Files.writeString(suite, suiteSource.replace("com.example.photos.MyUploadExtension", "org.upcert.sample.SampleUploadExtension"));
        copySample(junit);
        // a quick gate from the command line: in this route -D wins over the suite's annotations
        Build build = maven(junit, QUICK);
        assertEquals(0, build.exit(), build.tail());
        Matcher run = Pattern.compile("Tests run: (\\d+), Failures: 0, Errors: 0, Skipped: (\\d+), Time elapsed: [^\\n]*-- in ACK — acknowledgement")
                .matcher(build.log());
        assertTrue(run.find(), "the suite ran the ACK rules: " + build.tail());
        assertEquals(6, Integer.parseInt(run.group(1)), "ACK-01..03 on one run, and ACK-01..03 over all runs: " + build.tail());
        assertTrue(build.log().contains("upcert: 10 tests: 10 passed, 0 failed, 0 aborted;"), "upcert's own closing line: " + build.tail());
        try (Stream<Path> reports = Files.list(junit.resolve("target/surefire-reports"))) {
            String xml = String.join("\n", reports.filter(f -> f.getFileName().toString().endsWith(".xml")).map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList());
            // with the doc's reporter configuration: the rule's container, then the run, never an index
            assertTrue(xml.contains(" ACK-01 · MUST · flaky-network · seed 1\" classname=\"ACK — acknowledgement\""),
                    "Surefire's XML names the test by rule, profile and seed");
            assertFalse(xml.contains("rules(SuiteConfig)["), "no index names");
        }
    }

    /** The code block after {@code <!-- tested: NAME -->} in a doc. */
    private static String block(String doc, String name) {
        Matcher block = Pattern.compile("<!-- tested: " + Pattern.quote(name) + " -->\\n```\\w+\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "docs/author-build.md has the block " + name);
        return block.group(1);
    }

    private static void replaceStubWithSample() throws IOException {
        delete(project.resolve("src/main/java/com"));
        copySample(project);
    }

    private static void copySample(Path project) throws IOException {
        Path sample = Path.of(System.getProperty("upcert.it.sample", "../sample-extension/src/main/java"));
        try (Stream<Path> files = Files.walk(sample)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = project.resolve("src/main/java").resolve(sample.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        Path services = project.resolve("src/main/resources/META-INF/services/org.upcert.api.UploadExtension");
        Files.createDirectories(services.getParent());
        Files.writeString(services, "org.upcert.sample.SampleUploadExtension\n");
    }

    private static void assertBundle(String verdict) throws IOException {
        Path bundle = project.resolve("target/upcert");
        assertTrue(Files.isRegularFile(bundle.resolve("CERTIFICATION.md")), "bundle in " + bundle);
        assertTrue(Files.isDirectory(bundle.resolve("junit-xml")), "junit-xml in " + bundle);
        String json = Files.readString(bundle.resolve("certification.json"));
        assertTrue(json.contains("\"verdict\" : \"" + verdict + "\"") || json.contains("\"verdict\":\"" + verdict + "\""),
                json.substring(0, Math.min(400, json.length())));
        assertFalse(json.contains("\"isolation\" : \"in-process\""), "never in-process by default");
    }

    /** What one Maven build did. */
    record Build(int exit, String log) {
        String tail() {
            return log.length() <= 6000 ? log : "…" + log.substring(log.length() - 6000);
        }
    }

    private static Build maven(List<String> properties) throws Exception {
        return maven(project, properties);
    }

    private static Build maven(Path project, List<String> properties) throws Exception {
        Path home = Path.of(System.getProperty("upcert.it.maven.home", System.getenv().getOrDefault("MAVEN_HOME", "/usr/share/maven")));
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/mvn").toString(), "-B", "-ntp",
                "-s", project.getParent().resolve("settings.xml").toString(), "verify"));
        command.addAll(properties);
        Path log = Files.createTempFile(project.getParent(), "build-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("MAVEN_ARGS");
        builder.environment().put("CI", "true");
        builder.environment().put("MAVEN_OPTS", "-XX:TieredStopAtLevel=1"); // a short build: C1 is enough
        Process process = builder.start();
        try {
            await().atMost(BUILD_BOUND).pollInterval(Duration.ofMillis(200)).until(() -> !process.isAlive());
        } finally {
            process.destroyForcibly();
        }
        return new Build(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static String settings() {
        String repo = Path.of(System.getProperty("upcert.it.repo", "target/it-repo")).toAbsolutePath().toString();
        String mirror = Path.of(System.getProperty("upcert.it.mirror", System.getProperty("user.home") + "/.m2/repository"))
                .toAbsolutePath().toUri().toString();
        // Central's policy (no snapshots) holds for the mirror: upcert's snapshots come from the test's repository alone.
        return """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors>
                    <mirror>
                      <id>central</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(repo, mirror);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
