package org.upcert.harness.host.container;

import java.io.IOException;

/**
 * The container sandbox cannot be used or could not start a container: no Docker engine, the
 * worker image could not be built, the engine refused a container. The message says what happened
 * and, where it can, what to do ({@code scripts/start-docker.sh}).
 */
public final class ContainerSandboxException extends IOException {
    private static final long serialVersionUID = 1L;

    public ContainerSandboxException(String message) {
        super(message);
    }

    public ContainerSandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
