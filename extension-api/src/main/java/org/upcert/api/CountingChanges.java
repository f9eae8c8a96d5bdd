package org.upcert.api;

/** Forwards a block's changes and counts them (for the default {@link PhotoLibrary#performChangesAndReport}). */
final class CountingChanges implements JobChanges {
    private final JobChanges real;
    private final int[] count;

    CountingChanges(JobChanges real, int[] count) {
        this.real = real;
        this.count = count;
    }

    @Override
    public String createJob(AssetResource resource, UploadRequest destination) {
        count[0]++;
        return real.createJob(resource, destination);
    }

    @Override
    public String createDownloadJob(AssetResource resource) {
        count[0]++;
        return real.createDownloadJob(resource);
    }

    @Override
    public void acknowledge(UploadJob job) {
        count[0]++;
        real.acknowledge(job);
    }

    @Override
    public void retry(UploadJob job, UploadRequest newDestination) {
        count[0]++;
        real.retry(job, newDestination);
    }

    @Override
    public void cancel(UploadJob job) {
        count[0]++;
        real.cancel(job);
    }
}
