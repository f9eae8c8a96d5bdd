/**
 * The container sandbox ({@code --sandbox container}): the extension's worker runs in a Docker
 * container that prevents what a plain worker process can only detect. Its root file system is
 * read-only, it has no network (every HTTP call goes through the protocol), memory and process
 * counts are limited, it holds no capabilities, and a hard kill is {@code docker kill}.
 *
 * <p>{@link org.upcert.harness.host.container.DockerEngine} finds the engine through Testcontainers;
 * {@link org.upcert.harness.host.container.WorkerImage} builds the worker's image locally, from
 * nothing pulled (a jlink'd Java runtime, the shared libraries it needs and the worker's class path
 * on an empty base), tagged by a hash of its inputs so it is built once and reused;
 * {@link org.upcert.harness.host.container.ContainerLauncher} starts one container per worker
 * process behind the harness's {@link org.upcert.harness.host.remote.ProcessLauncher}. See
 * {@code docs/isolation.md}.
 */
package org.upcert.harness.host.container;
