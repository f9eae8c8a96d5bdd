package org.upcert.harness.host.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * The Docker engine the container sandbox uses, found the way Testcontainers finds one
 * ({@code DOCKER_HOST}, {@code ~/.testcontainers.properties}, {@code /var/run/docker.sock}, …).
 *
 * <p>upcert talks to it through Testcontainers' docker-java client directly and does not start
 * Testcontainers' resource reaper (Ryuk): that is an image pulled from a registry, and the sandbox
 * must work with no registry at all. The sandbox removes its own containers instead
 * ({@link ContainerLauncher#close()} and a shutdown hook).
 *
 * <p>The engine must be local and reached through a Unix socket: the protocol's Unix-domain socket
 * is bind-mounted into each container, which only works on the machine that runs the harness.
 */
public final class DockerEngine {
    /** Where a developer learns how to get an engine running. */
    static final String HOW_TO_START = "start one with scripts/start-docker.sh (Debian's docker.io), see docs/isolation.md";

    private static DockerEngine found;
    private static String notFound;

    private final DockerClient client;
    private final String description;

    private DockerEngine(DockerClient client, String description) {
        this.client = client;
        this.description = description;
    }

    /**
     * The local engine, or a {@link ContainerSandboxException} saying why there is none. The
     * answer is kept for the life of the JVM (Testcontainers keeps it too).
     */
    public static synchronized DockerEngine connect() throws ContainerSandboxException {
        if (found != null) {
            return found;
        }
        if (notFound != null) {
            throw new ContainerSandboxException(notFound);
        }
        try {
            TransportConfig transport = DockerClientFactory.instance().getTransportConfig();
            URI host = transport.getDockerHost();
            if (!"unix".equals(host.getScheme())) {
                throw new IllegalStateException("the engine at " + host + " is not reached through a local Unix socket;"
                        + " the sandbox bind-mounts the protocol's Unix-domain socket and needs a local engine");
            }
            DockerClient client = DockerClientProviderStrategy.getClientForConfig(transport);
            Version version = client.versionCmd().exec();
            if (!"linux".equalsIgnoreCase(version.getOperatingSystem()) && version.getOperatingSystem() != null
                    && !version.getOperatingSystem().isBlank()) {
                throw new IllegalStateException("the engine runs " + version.getOperatingSystem() + " containers, not Linux ones");
            }
            found = new DockerEngine(client, "Docker " + version.getVersion() + " (API " + version.getApiVersion()
                    + ") at " + host);
            return found;
        } catch (RuntimeException e) {
            notFound = "container sandbox: no usable Docker engine (" + reason(e) + "; " + whereLooked() + "); " + HOW_TO_START;
            throw new ContainerSandboxException(notFound, e);
        }
    }

    /** Empty if an engine can be used; otherwise why not, in one sentence. */
    public static Optional<String> unavailableReason() {
        try {
            connect();
            return Optional.empty();
        } catch (ContainerSandboxException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** True if {@link #connect()} finds an engine. */
    public static boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /** The docker-java client (shared; never close it). */
    public DockerClient client() {
        return client;
    }

    /** Version and address, for reports and logs. */
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return describe();
    }

    /** What Testcontainers looked at, in words (its own message only says "see logs"). */
    private static String whereLooked() {
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            return "DOCKER_HOST=" + dockerHost;
        }
        return Files.exists(Path.of("/var/run/docker.sock"))
                ? "/var/run/docker.sock does not answer"
                : "no DOCKER_HOST and no /var/run/docker.sock";
    }

    private static String reason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }
}
