package org.upcert.api;

/** The body of a {@link PhotoLibrary#performChanges(JobChangeBlock)} call. */
@API(status = API.Status.STABLE, since = "0.1")
@FunctionalInterface
public interface JobChangeBlock {

    /** Records changes through {@code changes}; they commit together when this returns. */
    void apply(JobChanges changes);
}
