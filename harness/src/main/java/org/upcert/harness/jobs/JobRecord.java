package org.upcert.harness.jobs;

import java.util.Optional;
import java.util.SortedMap;
import org.upcert.api.AssetResource;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The system's own record of a job: mutable, owned by the {@link JobStore}. Extensions only ever
 * see {@link #snapshot(boolean)} copies.
 */
public final class JobRecord {
    private final String id;
    private final long seq;
    private final AssetResource resource;
    private final JobType type;
    private final long createdAt;
    private final int createdInActivation;
    private UploadRequest destination;
    private JobState state = JobState.REGISTERED;
    private boolean retried;
    private boolean acknowledged;
    private int registeredInActivation;
    private SortedMap<String, String> responseHeaders;
    private UploadError error;
    private Integer httpStatus;
    /** The OS level the job was created under (os.upgrade: jobs keep their origin); null if not recorded. */
    private String createdUnderOs;
    /*
     * What fetchJobs shows of the job: the system's own transitions (pending, succeeded, failed)
     * reach it after the fetch-set lag (JobStore#setFetchLag); the extension's own changes (create,
     * retry, acknowledge, cancel) at once.
     */
    private JobState shownState = JobState.REGISTERED;
    private SortedMap<String, String> shownHeaders;
    private UploadError shownError;
    /** Bumped by every change of the extension's: a transition of an earlier attempt scheduled to show is stale. */
    private int epoch;
    /** The time the job's last scheduled transition shows (transitions show in their order). */
    private long showsAt;

    JobRecord(String id, long seq, AssetResource resource, UploadRequest destination, JobType type,
            long createdAt, int createdInActivation) {
        this.id = id;
        this.seq = seq;
        this.resource = resource;
        this.destination = destination;
        this.type = type;
        this.createdAt = createdAt;
        this.createdInActivation = createdInActivation;
        this.registeredInActivation = createdInActivation;
    }

    public String id() {
        return id;
    }

    /** The OS level the job was created under; null if the store was given none. */
    public String createdUnderOs() {
        return createdUnderOs;
    }

    void createdUnder(String os) {
        this.createdUnderOs = os;
    }

    public long seq() {
        return seq;
    }

    public AssetResource resource() {
        return resource;
    }

    public UploadRequest destination() {
        return destination;
    }

    public JobType type() {
        return type;
    }

    public JobState state() {
        return state;
    }

    public boolean retried() {
        return retried;
    }

    /**
     * The state {@code fetchJobs} shows now: the system's transitions only after the fetch-set lag,
     * the extension's own changes at once. Equal to {@link #state()} when the lag is off or has
     * passed; never ahead of it.
     */
    public JobState shownState() {
        return shownState;
    }

    int epoch() {
        return epoch;
    }

    long showsAt() {
        return showsAt;
    }

    void showsAt(long time) {
        showsAt = time;
    }

    /** Shows {@code state} (with the outcome fields as they were at that transition) from now on. */
    void show(JobState state, SortedMap<String, String> headers, UploadError failure) {
        shownState = state;
        shownHeaders = headers;
        shownError = failure;
    }

    /** Shows the true state and outcome at once. */
    void showNow() {
        show(state, responseHeaders, error);
    }

    /** The true outcome headers (for a transition scheduled to show later). */
    SortedMap<String, String> headersNow() {
        return responseHeaders;
    }

    /** The true error (for a transition scheduled to show later). */
    UploadError errorNow() {
        return error;
    }

    public boolean acknowledged() {
        return acknowledged;
    }

    public long createdAt() {
        return createdAt;
    }

    public int createdInActivation() {
        return createdInActivation;
    }

    /** The activation whose change block last put this job in REGISTERED (create or retry). */
    public int registeredInActivation() {
        return registeredInActivation;
    }

    public Optional<UploadError> error() {
        return Optional.ofNullable(error);
    }

    public Optional<Integer> httpStatus() {
        return Optional.ofNullable(httpStatus);
    }

    /** Counts against the job limit: not acknowledged (cancelled jobs are acknowledged). */
    public boolean countsAgainstLimit() {
        return !acknowledged;
    }

    void retry(UploadRequest newDestination, int activation) {
        if (newDestination != null && type == JobType.UPLOAD) { // a download-only job has none and sends nothing
            destination = newDestination;
        }
        retried = true;
        state = JobState.REGISTERED;
        registeredInActivation = activation;
        error = null;
        responseHeaders = null;
        httpStatus = null;
        epoch++;
        showNow(); // the extension's own change shows at once
    }

    void cancel() {
        state = JobState.CANCELLED;
        acknowledged = true;
        epoch++;
        showNow();
    }

    void acknowledge() {
        acknowledged = true;
        epoch++;
    }

    void pending() {
        state = JobState.PENDING;
    }

    void finish(boolean success, Integer status, SortedMap<String, String> headers, UploadError failure) {
        state = success ? JobState.SUCCEEDED : JobState.FAILED;
        httpStatus = status;
        responseHeaders = headers == null ? null
                : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(headers));
        error = success ? null : failure;
    }

    /**
     * What {@code fetchJobs} hands the extension. With {@code nilResourceQuirk}, succeeded jobs and
     * failed jobs whose retry is spent have no resource, as measured on iOS 26.6 devices.
     */
    public UploadJob snapshot(boolean nilResourceQuirk) {
        return snapshot(nilResourceQuirk, true);
    }

    /**
     * As {@link #snapshot(boolean)}; without {@code outcomeFields} (iOS before 26.4) the job has
     * no {@code error} and no {@code responseHeaderFields}.
     */
    public UploadJob snapshot(boolean nilResourceQuirk, boolean outcomeFields) {
        // The extension sees the job as fetchJobs shows it (shownState), not as it may be already.
        boolean hideResource = nilResourceQuirk
                && (shownState == JobState.SUCCEEDED || (shownState == JobState.FAILED && retried));
        return new Snapshot(id, shownState, type, hideResource ? Optional.empty() : Optional.of(resource), destination,
                outcomeFields ? Optional.ofNullable(shownHeaders) : Optional.empty(),
                outcomeFields ? Optional.ofNullable(shownError) : Optional.empty());
    }

    private record Snapshot(String localIdentifier, JobState state, JobType type, Optional<AssetResource> resource,
            UploadRequest destination, Optional<SortedMap<String, String>> responseHeaderFields,
            Optional<UploadError> error) implements UploadJob {
    }
}
