package org.upcert.harness.plan;

/** What the uploader puts on the wire for a resource. */
public enum PayloadMode {
    /**
     * A few KB derived from (seed, resource, declared size): the declared size still drives
     * virtual time and the inventory, but a 10,000-asset library costs megabytes of real I/O.
     */
    COMPACT,
    /** The full declared size, for tests that need real byte counts (a drop after N bytes). */
    FULL
}
