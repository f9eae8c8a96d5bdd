package org.upcert.harness.run;

import java.nio.file.Path;
import org.upcert.harness.host.remote.ProcessLauncher;

/** The container sandbox's launcher for a jar ({@code --sandbox container}). */
final class ContainerHosting {
    private ContainerHosting() {
    }

    static ProcessLauncher launcher(Path jar) {
        throw new IllegalArgumentException("the container sandbox is not available in this build yet");
    }
}
