/**
 * Hosting an extension out of the harness's process, over the extension protocol
 * ({@code docs/protocol.md}): {@link org.upcert.harness.host.remote.ProtocolHost} speaks for the
 * simulator, {@link org.upcert.harness.host.remote.ApiDispatcher} turns each request into the same
 * {@link org.upcert.harness.host.CallContext} call an in-process extension makes (so the trace is
 * the same), and launchers start the processes: a JVM worker for Java jars, any command for other
 * languages, a container (package {@code host.container}). Every real wait here is bounded; a
 * process that hangs is killed for real.
 */
package org.upcert.harness.host.remote;
