package org.upcert.harness.run;

import java.nio.file.Path;
import org.upcert.harness.host.container.ContainerLauncher;
import org.upcert.harness.host.container.ContainerSandboxException;
import org.upcert.harness.host.container.WorkerImage;
import org.upcert.harness.host.remote.ProcessLauncher;

/**
 * The container sandbox's launcher for a jar ({@code --sandbox container}): the JVM worker in a
 * container built locally (docs/isolation.md). Without a Docker engine, or when the image cannot
 * be built, the run cannot start: an {@link IllegalArgumentException} says why and how to get one.
 */
final class ContainerHosting {
    private ContainerHosting() {
    }

    static ProcessLauncher launcher(Path jar) {
        try {
            return ContainerLauncher.create(WorkerImage.worker(), jar, ContainerLauncher.Options.defaults());
        } catch (ContainerSandboxException e) {
            throw new IllegalArgumentException("the container sandbox is not available: " + e.getMessage(), e);
        }
    }
}
