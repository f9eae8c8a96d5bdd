package org.upcert.api;

/** The kind of job ({@code PHAssetResourceUploadJob.Type}, iOS 26.4); raw values as Apple's. */
@API(status = API.Status.STABLE, since = "0.1")
public enum JobType {
    /** Fetch the resource from iCloud if needed, then upload it. */
    UPLOAD(0),
    /** Fetch from iCloud only; the local copy may be purged again soon. Not an upload success. */
    DOWNLOAD_ONLY(1);

    private final int rawValue;

    JobType(int rawValue) {
        this.rawValue = rawValue;
    }

    /** Apple's raw value. */
    public int rawValue() {
        return rawValue;
    }
}
