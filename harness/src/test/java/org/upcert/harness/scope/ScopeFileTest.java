package org.upcert.harness.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.AssetResource;
import org.upcert.api.AssetResource.ResourceType;
import org.upcert.harness.cli.UpcertCommand;
import org.upcert.harness.faults.profile.ProfileException;
import org.upcert.harness.faults.profile.ProfileProblem;

class ScopeFileTest {

    private static AssetResource resource(ResourceType type, long size) {
        return new AssetResource("A1", type, "IMG_1", "public.heic", size);
    }

    @Test
    void readsTypesAndASize() throws Exception {
        DeclaredScope scope = ScopeFile.parse("scope.yaml", "# no RAW\nresourceTypes: [photo, VIDEO, paired_video]\nhostAppAbove: 100 MB\n");
        assertTrue(scope.declared());
        assertEquals(EnumSet.of(ResourceType.PHOTO, ResourceType.VIDEO, ResourceType.PAIRED_VIDEO), scope.resourceTypes());
        assertEquals(OptionalLong.of(100_000_000L), scope.hostAppAbove());
        assertTrue(scope.covers(resource(ResourceType.VIDEO, 100_000_000L)));
        assertFalse(scope.covers(resource(ResourceType.VIDEO, 100_000_001L)), "over hostAppAbove");
        assertFalse(scope.covers(resource(ResourceType.ALTERNATE_PHOTO, 10)), "a type not declared");
        assertEquals("PHOTO, VIDEO, PAIRED_VIDEO; files over 100 MB to the host app", scope.describe());
        assertEquals(OptionalLong.of(60L << 20), ScopeFile.parse("s", "hostAppAbove: 60 MiB").hostAppAbove());
        assertEquals(OptionalLong.of(1234), ScopeFile.parse("s", "hostAppAbove: 1234").hostAppAbove());
        assertEquals(EnumSet.allOf(ResourceType.class), ScopeFile.parse("s", "hostAppAbove: 1 GB").resourceTypes(),
                "resourceTypes left out: all four");
    }

    @Test
    void readsADeploymentTargetAndTheLevelItBehavesAs() throws Exception {
        DeclaredScope quoted = ScopeFile.parse("s", "deploymentTarget: \"26.4\"\n");
        assertEquals("26.4", quoted.deploymentTarget());
        assertEquals("26.4", quoted.deploymentLevel());
        assertEquals("everything; deployment target iOS 26.4", quoted.describe());
        assertEquals(EnumSet.allOf(ResourceType.class), quoted.resourceTypes(), "only a target: every resource type");
        assertEquals("26.5", ScopeFile.parse("s", "deploymentTarget: 26.6").deploymentLevel(), "a YAML number; 26.6 behaves as 26.5");
        assertEquals("deployment target iOS 26.6 (behaves as 26.5)", ScopeFile.parse("s", "deploymentTarget: 26.6").describeTarget());
        assertEquals("27", ScopeFile.parse("s", "deploymentTarget: 27").deploymentLevel());
        assertEquals("27", ScopeFile.parse("s", "deploymentTarget: \"27.2.1\"").deploymentLevel());
        assertEquals("26.1", ScopeFile.parse("s", "deploymentTarget: \"26.3\"").deploymentLevel(), "26.3 behaves as 26.1");
        assertEquals(null, ScopeFile.parse("s", "hostAppAbove: 1 GB").deploymentLevel(), "no target: every level");
        ObjectMapper json = new ObjectMapper();
        assertEquals(quoted, DeclaredScope.fromHeader(json.valueToTree(quoted.toHeader())), "the trace header keeps it");
    }

    @Test
    void aDeploymentTargetBelowTheFeatureOrNotAVersionIsLocated() {
        for (String bad : List.of("\"26.0\"", "18.1", "\"iOS 26.4\"", "[26.4]")) {
            ProfileException e = assertThrows(ProfileException.class, () -> ScopeFile.parse("scope.yaml", "deploymentTarget: " + bad + "\n"));
            ProfileProblem problem = e.problems().get(0);
            assertEquals(1, problem.location().line(), bad);
            assertEquals(19, problem.location().column(), bad);
            assertTrue(problem.message().contains("expected an iOS version from 26.1 on"), problem.message());
        }
    }

    @Test
    void theHeaderRoundTrips() throws Exception {
        DeclaredScope scope = ScopeFile.parse("s", "resourceTypes: [PHOTO]\nhostAppAbove: 5 MB\n");
        ObjectMapper json = new ObjectMapper();
        assertEquals(scope, DeclaredScope.fromHeader(json.valueToTree(scope.toHeader())));
        assertEquals(DeclaredScope.everything(), DeclaredScope.fromHeader(json.valueToTree(DeclaredScope.everything().toHeader())));
        assertEquals(DeclaredScope.everything(), DeclaredScope.fromHeader(null), "an older trace: everything");
        assertTrue(DeclaredScope.everything().covers(resource(ResourceType.ALTERNATE_PHOTO, Long.MAX_VALUE)));
    }

    @Test
    void everyProblemIsReportedWithItsPlace() {
        ProfileException e = assertThrows(ProfileException.class, () -> ScopeFile.parse("scope.yaml",
                "resourceTypes: [PHOTO, RAW, PHOTO]\nhostAppAbove: huge\nmaxSize: 3\n"));
        List<String> problems = e.problems().stream().map(ProfileProblem::toString).toList();
        assertEquals(List.of(
                "scope.yaml:1:24: found 'RAW', expected a resource type (PHOTO, VIDEO, PAIRED_VIDEO, ALTERNATE_PHOTO)",
                "scope.yaml:1:29: found PHOTO a second time, expected each resource type once",
                "scope.yaml:2:15: found 'huge', expected a positive size such as 100 MB, 60 MiB or 104857600 (bytes)",
                "scope.yaml:3:1: found unknown key 'maxSize', expected one of [resourceTypes, hostAppAbove, deploymentTarget]"), problems);
        assertThrows(ProfileException.class, () -> ScopeFile.parse("s", "resourceTypes: []"));
        assertThrows(ProfileException.class, () -> ScopeFile.parse("s", "- PHOTO"));
        assertThrows(ProfileException.class, () -> ScopeFile.parse("s", "   \n"));
        assertThrows(ProfileException.class, () -> ScopeFile.parse("s", "resourceTypes: [PHOTO"), "YAML syntax");
    }

    @Test
    void aJarWithoutTheEntryDeclaresEverything(@TempDir Path dir) throws Exception {
        Path plain = jar(dir.resolve("plain.jar"), null);
        assertEquals(DeclaredScope.everything(), ScopeFile.ofJar(plain));
        Path scoped = jar(dir.resolve("scoped.jar"), "resourceTypes: [PHOTO]\n");
        assertEquals(EnumSet.of(ResourceType.PHOTO), ScopeFile.ofJar(scoped).resourceTypes());
        ProfileException e = assertThrows(ProfileException.class, () -> ScopeFile.ofJar(jar(dir.resolve("bad.jar"), "types: 1\n")));
        assertTrue(e.getMessage().startsWith(dir.resolve("bad.jar") + "!/META-INF/upcert/scope.yaml:1:1: found unknown key 'types'"),
                e.getMessage());
    }

    @Test
    void runRefusesAMalformedScopeFileBeforeAnyRun(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("scope.yaml");
        Files.writeString(file, "resourceTypes: [PHOTO]\nhostAppAbove: -3\n");
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = UpcertCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        int code = cli.execute("run", "--scope", file.toString(), "--assets", "5", "--out", dir.resolve("out").toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains(file + ":2:15: found '-3', expected a positive size"), err.toString());
        assertFalse(Files.exists(dir.resolve("out").resolve("trace.jsonl")), "nothing was run");
    }

    private static Path jar(Path path, String scope) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(path))) {
            out.putNextEntry(new JarEntry("META-INF/services/org.upcert.api.UploadExtension"));
            out.write("x.Y\n".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            if (scope != null) {
                out.putNextEntry(new JarEntry(DeclaredScope.JAR_ENTRY));
                out.write(scope.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return path;
    }
}
