package org.upcert.maven;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.artifact.DefaultArtifact;
import org.apache.maven.artifact.handler.DefaultArtifactHandler;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/** How the mojo starts upcert and how it turns certify's exit into the build's outcome. */
class CertifyMojoTest {

    private static Artifact jar(String id, String path) {
        DefaultArtifact artifact = new DefaultArtifact("org.upcert", id, "0.1.0-SNAPSHOT", "compile", "jar", null,
                new DefaultArtifactHandler("jar"));
        artifact.setFile(new File(path));
        return artifact;
    }

    private static CertifyOptions options() {
        return new CertifyOptions().set("upcert.extension", "/p/target/x.jar").set("upcert.out", "/p/target/upcert");
    }

    @Test
    void upcertRunsInAJvmOfItsOwnNeverInMavens() {
        CertifyMojo mojo = new CertifyMojo();
        mojo.jvmArgs = "-XX:TieredStopAtLevel=1  -Xmx1g";
        mojo.pluginArtifacts = List.of(jar("conformance-tests", "/r/ct.jar"), jar("harness", "/r/h.jar"));
        List<String> command = mojo.command(options());
        assertTrue(command.get(0).endsWith(File.separator + "bin" + File.separator + "java"), command.get(0));
        assertEquals(List.of("-XX:TieredStopAtLevel=1", "-Xmx1g", "-cp", "/r/ct.jar" + File.pathSeparator + "/r/h.jar",
                "org.upcert.conformance.cli.Main", "certify", "--extension", "/p/target/x.jar", "--out", "/p/target/upcert",
                "--route", "maven-plugin"), command.subList(1, command.size()));
    }

    @Test
    void certifiedPassesTheBuild() {
        assertDoesNotThrow(() -> new CertifyMojo().conclude(new CertifyMojo.Outcome(0, "CERTIFIED · …", List.of()), options()));
    }

    @Test
    void notCertifiedOrIncompleteFailTheBuildWithTheVerdictLine() {
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> new CertifyMojo().conclude(
                new CertifyMojo.Outcome(1, "INCOMPLETE · MUST rules 20 PASS, 0 FAIL", List.of()), options()));
        assertTrue(e.getMessage().startsWith("upcert: INCOMPLETE · MUST rules 20 PASS, 0 FAIL\n"), e.getMessage());
        assertTrue(e.getMessage().contains("/p/target/upcert" + File.separator + "CERTIFICATION.md"), e.getMessage());
    }

    @Test
    void aFailedBuildRepeatsTheFirstFailuresAndTheirReproduceLines() {
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> new CertifyMojo().conclude(
                new CertifyMojo.Outcome(1, "NOT_CERTIFIED · MUST rules 11 PASS, 8 FAIL", List.of(),
                        List.of("ACK-01 FAIL on flaky-network · seed 1: 4 finished jobs never acknowledged",
                                "reproduce: mvn verify -Dupcert.profiles=flaky-network -Dupcert.seed=1 -Dupcert.rules=ACK-01")),
                options()));
        assertTrue(e.getMessage().startsWith("upcert: NOT_CERTIFIED · MUST rules 11 PASS, 8 FAIL\n  ACK-01 FAIL on flaky-network · seed 1: 4"
                + " finished jobs never acknowledged\n  reproduce: mvn verify -Dupcert.profiles=flaky-network"), e.getMessage());
    }

    @Test
    void aHarnessFaultSaysItIsUpcertsNotTheExtensions() {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, () -> new CertifyMojo().conclude(
                new CertifyMojo.Outcome(3, null, List.of("java.lang.IllegalStateException: boom")), options()));
        assertTrue(e.getMessage().contains("upcert itself failed (a harness fault, not your extension's doing"), e.getMessage());
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
        assertFalse(e.getMessage().contains("not certified"), e.getMessage());
    }

    @Test
    void badConfigurationSaysNothingWasRun() {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, () -> new CertifyMojo().conclude(
                new CertifyMojo.Outcome(2, null, List.of("upcert certify: unknown cloud dialect 'dropbx'")), options()));
        assertTrue(e.getMessage().contains("could not start (bad configuration or input, nothing was run)"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown cloud dialect 'dropbx'"), e.getMessage());
    }

    @Test
    void aCrashOfUpcertsJvmIsNeitherAVerdictNorAHarnessReport() {
        MojoExecutionException e = assertThrows(MojoExecutionException.class, () -> new CertifyMojo().conclude(
                new CertifyMojo.Outcome(137, null, List.of()), options()));
        assertTrue(e.getMessage().contains("exit code 137"), e.getMessage());
    }
}
