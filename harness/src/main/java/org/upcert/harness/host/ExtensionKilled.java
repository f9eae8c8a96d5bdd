package org.upcert.harness.host;

/**
 * Thrown from an API call into an extension whose process the system has just killed: the
 * nearest Java has to SIGKILL. An {@link Error}, so ordinary {@code catch (Exception e)} blocks
 * let it through; an extension that catches it anyway only meets refused calls from then on.
 */
public final class ExtensionKilled extends Error {
    private static final long serialVersionUID = 1L;

    public ExtensionKilled(String reason) {
        super("process killed by the system: " + reason, null, false, false);
    }
}
