package org.upcert.api;

/**
 * The extension's log ({@code os_log} / {@code Logger} on a device). Lines land in the trace at
 * the simulated time they were written, so a log line sits next to the events it explains.
 */
@API(status = API.Status.STABLE, since = "0.1")
public interface ExtensionLog {

    /** Routine progress. */
    void info(String message);

    /** Something unexpected that the extension handled. */
    void warn(String message);

    /** Something the extension could not handle. */
    void error(String message);
}
