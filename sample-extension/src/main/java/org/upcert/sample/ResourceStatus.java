package org.upcert.sample;

/** Where a resource stands, as the {@link Ledger} records it. */
enum ResourceStatus {
    /**
     * Found in the library and not in the cloud yet: it needs a job (or has one in flight; that
     * is read from the system's job sets, never stored, see {@link JobCreator}).
     */
    NEEDS_UPLOAD,
    /** The server confirmed it (a succeeded job, or a 2xx the device reported as failed). */
    UPLOADED,
    /** Refused for good (permanent failure, RTY-02) or too many failed attempts. */
    ABANDONED,
    /** Its asset was deleted before it was uploaded (E2E-03). */
    GONE
}
