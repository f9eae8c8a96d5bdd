package org.upcert.protocol.worker;

import org.upcert.api.API;

/**
 * Thrown into the extension's code when the system killed its simulated process: an
 * {@link Error}, so ordinary {@code catch (Exception e)} blocks let it pass and the call unwinds.
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class ProcessKilled extends Error {
    private static final long serialVersionUID = 1L;

    /** @param message the harness's own message ("process killed by the system: …") */
    public ProcessKilled(String message) {
        super(message, null, false, false);
    }
}
