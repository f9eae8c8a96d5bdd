package org.upcert.conformance.rules;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import org.upcert.api.UploadError;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * What the trace says about each resource's upload attempts, read once for the RTY, E2E and CLD
 * rules: which job uploads which resource ({@code job.create}), and, per resource, every attempt
 * in order (a {@code job.create} or a {@code job.retry}, the extension's decisions) with the
 * system's outcome ({@code job.succeeded}, {@code job.failed}) or its end ({@code job.cancel}).
 *
 * <p>Package-private: a reading of the trace, not a rule.
 */
final class Attempts {

    /** What a {@code job.failed} means for the resource (see {@link #classify}). */
    enum Failure {
        /** The network or the server had a bad moment: timeout, lost connection, offline, 408, 429, 5xx. */
        TRANSIENT,
        /** The destination itself expired: the stub refused it as expired (presigned URL, token, session). */
        EXPIRED_DESTINATION,
        /** Refused for good: other 4xx (400, 401/403 not expired, 413, …), blocked by policy, file gone. */
        PERMANENT,
        /** A 2xx reported as a failure (a device quirk): the bytes are on the server. */
        SUCCESS_STATUS
    }

    /**
     * One attempt: the event that started it and the event that ended it (null while it was
     * still running at the end of the run).
     *
     * @param job the job
     * @param resource the resource key
     * @param start {@code job.create} or {@code job.retry}
     * @param url the destination URL of the attempt as traced; for a retry without a new
     *     destination, the URL the job had
     * @param freshDestination false only for a retry that kept the job's destination ({@code retry(job, null)})
     * @param end {@code job.succeeded}, {@code job.failed} or {@code job.cancel}; null if none
     */
    record Attempt(String job, String resource, TraceEvent start, String url, boolean freshDestination, TraceEvent end) {

        boolean isRetry() {
            return start.name().equals("job.retry");
        }

        boolean failed() {
            return end != null && end.name().equals("job.failed");
        }

        boolean succeeded() {
            return end != null && end.name().equals("job.succeeded");
        }
    }

    /** Job → its resource: only looked up, so a hash map (tree lookups by long job ids cost a fifth of reading the attempts, JFR). */
    private final java.util.HashMap<String, String> resourceOfJob = new java.util.HashMap<>();
    private final TreeMap<String, List<Attempt>> byResource = new TreeMap<>();
    /** Resource → the {@code job.create} lines of its download-only jobs (never attempts: {@link DownloadOnly}). */
    private final TreeMap<String, List<TraceEvent>> downloads = new TreeMap<>();

    private Attempts() {
    }

    /** Reads {@code evidence}'s trace. */
    static Attempts of(RunEvidence evidence) {
        Attempts attempts = new Attempts();
        // looked up only, never iterated
        java.util.HashMap<String, Integer> open = new java.util.HashMap<>(); // job -> index of its running attempt in byResource list
        java.util.HashMap<String, String> urlOfJob = new java.util.HashMap<>();
        for (TraceEvent event : evidence.events()) {
            if (DownloadOnly.is(event)) {
                // a download-only job fetches from iCloud and sends nothing: not an upload attempt
                if (event.name().equals("job.create")) {
                    attempts.downloads.computeIfAbsent(event.text("resource"), r -> new ArrayList<>()).add(event);
                }
                continue;
            }
            String job = event.text("job");
            switch (event.name()) {
                case "job.create" -> {
                    String resource = event.text("resource");
                    attempts.resourceOfJob.put(job, resource);
                    urlOfJob.put(job, event.text("url"));
                    List<Attempt> list = attempts.byResource.computeIfAbsent(resource, r -> new ArrayList<>());
                    list.add(new Attempt(job, resource, event, event.text("url"), true, null));
                    open.put(job, list.size() - 1);
                }
                case "job.retry" -> {
                    String resource = attempts.resourceOfJob.get(job);
                    if (resource == null) {
                        continue;
                    }
                    boolean fresh = event.fields().has("url");
                    if (fresh) {
                        urlOfJob.put(job, event.text("url"));
                    }
                    List<Attempt> list = attempts.byResource.get(resource);
                    list.add(new Attempt(job, resource, event, urlOfJob.get(job), fresh, null));
                    open.put(job, list.size() - 1);
                }
                case "job.succeeded", "job.failed", "job.cancel" -> {
                    Integer index = open.remove(job);
                    String resource = attempts.resourceOfJob.get(job);
                    if (index != null && resource != null) {
                        List<Attempt> list = attempts.byResource.get(resource);
                        Attempt a = list.get(index);
                        list.set(index, new Attempt(a.job(), a.resource(), a.start(), a.url(), a.freshDestination(), event));
                    }
                }
                default -> {
                }
            }
        }
        return attempts;
    }

    /** The resource {@code job} was created for, if the trace shows its creation. */
    Optional<String> resourceOf(String job) {
        return Optional.ofNullable(resourceOfJob.get(job));
    }

    /** The {@code job.create} lines of {@code resource}'s download-only jobs, in order (none: empty). */
    List<TraceEvent> downloadsOf(String resource) {
        return downloads.getOrDefault(resource, List.of());
    }

    /** Every resource that had an upload job, with its attempts in order (sorted by resource key). */
    TreeMap<String, List<Attempt>> byResource() {
        return byResource;
    }

    /** The asset of a resource key ({@code assetLocalIdentifier#TYPE}). */
    static String assetOf(String resourceKey) {
        int hash = resourceKey.lastIndexOf('#');
        return hash < 0 ? resourceKey : resourceKey.substring(0, hash);
    }

    /**
     * What a {@code job.failed} means. The HTTP status decides when a response arrived: 2xx is a
     * success reported as failure; a refusal the cloud stub gave as <em>expired</em> (its
     * {@code cloud} reason, e.g. S3's "Request has expired", an expired bearer token, an expired
     * upload session, or an injected 403, which the fault catalogue plays as an expired
     * destination) is an expired destination; 408, 429 and 5xx are transient; every other status
     * (400, 401 and 403 not expired, 404, 409, 413, …) is permanent. Without a status: a
     * destination blocked by policy ({@code -1022}) and a file that no longer exists
     * ({@code -1100}) are permanent, everything else (timeouts, lost connections, offline, a
     * response that could not be parsed) transient.
     */
    static Failure classify(TraceEvent failed) {
        JsonNode status = failed.fields().get("status");
        if (status != null) {
            int code = status.asInt();
            if (code >= 200 && code < 300) {
                return Failure.SUCCESS_STATUS;
            }
            if (failed.text("cloud").toLowerCase(Locale.ROOT).contains("expired")) {
                return Failure.EXPIRED_DESTINATION;
            }
            if (code == 408 || code == 429 || (code >= 500 && code < 600)) {
                return Failure.TRANSIENT;
            }
            return Failure.PERMANENT;
        }
        long code = failed.number("code");
        if (code == UploadError.BLOCKED_BY_POLICY || code == UploadError.FILE_DOES_NOT_EXIST) {
            return Failure.PERMANENT;
        }
        return Failure.TRANSIENT;
    }

    /**
     * Whether a response arrived ({@code status} on the line): what the device shows as response
     * headers on the failed job (nil when no response arrived). The status itself is the
     * checkers' knowledge, not the extension's (unless the run assumes it).
     */
    static boolean answered(TraceEvent failed) {
        return failed.fields().has("status");
    }

    /** Whether the failure's response carried {@code retry-after} (the device sees it among the headers). */
    static boolean hasRetryAfter(TraceEvent failed) {
        return failed.fields().has("retryAfter");
    }

    /** A 2xx reported as a failure (a device quirk): the bytes are on the server. */
    static boolean successStatus(TraceEvent failed) {
        long status = failed.number("status");
        return answered(failed) && status >= 200 && status < 300;
    }

    /** Whether the cloud refused the attempt because its destination had expired (the extension knows its expiry). */
    static boolean expiredDestination(TraceEvent failed) {
        return answered(failed) && failed.text("cloud").toLowerCase(Locale.ROOT).contains("expired");
    }

    /**
     * Whether what expired was the destination's URL itself, its credential in the URL: the cloud's
     * own reason names no token (S3's presigned "Request has expired", Graph's pre-authenticated
     * "upload session expired"; not generic-put's "token expired" nor Dropbox's
     * "expired_access_token", where the URL stays good with a fresh bearer header) and is not an
     * injected 403, which says nothing of what expired. Given again, such a URL is the same
     * expired credential, whatever headers go with it (RTY-03).
     */
    static boolean expiredUrl(TraceEvent failed) {
        String reason = failed.text("cloud").toLowerCase(Locale.ROOT);
        return expiredDestination(failed) && !reason.contains("token") && !reason.startsWith("injected");
    }

    /**
     * A status that says "never" (for runs assuming {@code http-status}, {@link GiveUp}): a 4xx
     * other than 401, 404, 408, 409, 410, 416, 425 and 429, on a destination that had not expired.
     */
    static boolean permanentStatus(TraceEvent failed) {
        if (!answered(failed) || expiredDestination(failed)) {
            return false;
        }
        long status = failed.number("status");
        return status >= 400 && status < 500 && status != 401 && status != 404 && status != 408 && status != 409
                && status != 410 && status != 416 && status != 425 && status != 429;
    }

    /** {@code "HTTP 401 (injected: HTTP 401)"}: what two failures must share to be "the same outcome". */
    static String outcome(TraceEvent failed) {
        return failed.fields().has("status")
                ? "HTTP " + failed.number("status") + (failed.fields().has("cloud") ? " (" + failed.text("cloud") + ")" : "")
                : "error " + failed.number("code") + " (" + failed.text("reason") + ")";
    }
}
