package org.upcert.harness.host.container;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where there is no Docker engine, the sandbox says so before any run, with what to do. Runs only
 * without an engine (SKIPPED where one runs; {@link ContainerLauncherTest} covers that side).
 */
class NoDockerTest {
    @TempDir
    Path temp;

    @Test
    void withoutAnEngineTheLauncherSaysWhyAndHowToStartOne() throws Exception {
        Assumptions.assumeFalse(DockerEngine.isAvailable(), "a Docker engine runs here");
        Path jar = Files.write(temp.resolve("extension.jar"), new byte[] {1});

        ContainerSandboxException refused = assertThrows(ContainerSandboxException.class,
                () -> ContainerLauncher.create(WorkerImage.of(List.of(jar)), jar, ContainerLauncher.Options.defaults()));

        assertTrue(refused.getMessage().contains("no usable Docker engine"), refused.getMessage());
        assertTrue(refused.getMessage().contains("scripts/start-docker.sh"), refused.getMessage());
        assertTrue(DockerEngine.unavailableReason().orElseThrow().contains("scripts/start-docker.sh"));
    }
}
