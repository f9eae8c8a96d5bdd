package org.upcert.conformance.changes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ChangeOutcome;
import org.upcert.api.DroppedChange;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A small correct extension that, in its second call, cancels every job it saw in flight, after
 * spending a few simulated seconds on other API calls: the system finishes some of those jobs in
 * between, so their cancellations can no longer apply at the commit. They are dropped, the rest
 * of the block (its acknowledgements, the other cancellations) commits, and the extension reads
 * the drops from {@link PhotoLibrary#performChangesAndReport}. Cancelled resources are uploaded
 * again with new jobs, so the backup still converges.
 *
 * <p>{@link Stale} is its broken twin: it also cancels a job it fetched from the ACKNOWLEDGE set,
 * already finished when it looked: its own mistake (JOB-04).
 *
 * <p>Needs iOS 26.5 (PROCESS, cancel). Memory is in storage only: {@code uploaded} (one resource
 * key per line), {@code calls} (how many calls so far).
 */
public class RacingCanceller implements UploadExtension {
    /** API calls spent between the fetch and the commit: 2 ms each, so about {@value} × 2 ms. */
    static final int BURN = 1500;

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        PhotoLibrary library = context.library();
        int call = Integer.parseInt(context.storage().readString("calls").orElse("0")) + 1;
        context.storage().writeString("calls", Integer.toString(call));
        TreeSet<String> uploaded = new TreeSet<>(lines(context.storage().readString("uploaded").orElse("")));
        boolean consent = library.authorizationStatus() == AuthorizationStatus.AUTHORIZED
                && library.isUploadJobExtensionEnabled();

        List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
        List<UploadJob> inFlight = consent ? library.fetchJobs(JobAction.PROCESS) : List.of();
        for (UploadJob job : finished) {
            if (job.state() == org.upcert.api.JobState.SUCCEEDED) {
                uploaded.add(key(job));
            }
        }
        context.storage().writeString("uploaded", String.join("\n", uploaded));

        List<UploadJob> cancel = new ArrayList<>();
        if (call == 2 && !inFlight.isEmpty()) {
            for (int i = 0; i < BURN; i++) {
                library.jobLimit(); // time passes; transfers end meanwhile
            }
            cancel.addAll(inFlight);
            cancel.addAll(extraCancellations(finished));
        }
        ChangeOutcome outcome;
        try {
            outcome = library.performChangesAndReport(changes -> {
                finished.forEach(changes::acknowledge);
                cancel.forEach(changes::cancel);
            });
        } catch (PhotosException e) {
            context.log().warn("block rejected: " + e.getMessage());
            return ProcessingResult.PROCESSING;
        }
        TreeSet<String> droppedJobs = new TreeSet<>();
        for (DroppedChange dropped : outcome.dropped()) {
            // DroppedChange.toString(): "cancel J000003 dropped (CHANGE_NOT_SUPPORTED, SUCCEEDED): reason"
            context.log().info("dropped: " + dropped);
            droppedJobs.add(dropped.job());
        }
        if (!cancel.isEmpty()) {
            context.log().info("cancelled " + (cancel.size() - droppedJobs.size()) + " of " + cancel.size()
                    + ", " + droppedJobs.size() + " dropped, " + outcome.applied() + " changes applied");
        }
        // What finished since (including the jobs whose cancel was dropped): record, acknowledge.
        List<UploadJob> late = library.fetchJobs(JobAction.ACKNOWLEDGE);
        if (!late.isEmpty()) {
            for (UploadJob job : late) {
                if (job.state() == org.upcert.api.JobState.SUCCEEDED) {
                    uploaded.add(key(job));
                }
            }
            context.storage().writeString("uploaded", String.join("\n", uploaded));
            try {
                library.performChanges(changes -> late.forEach(changes::acknowledge));
            } catch (PhotosException e) {
                return ProcessingResult.PROCESSING;
            }
        }
        if (!consent) {
            return ProcessingResult.COMPLETED;
        }
        TreeSet<String> running = new TreeSet<>();
        for (UploadJob job : library.fetchJobs(JobAction.PROCESS)) {
            running.add(key(job));
        }
        int capacity = library.jobLimit() - running.size();
        TreeMap<String, AssetResource> wanted = new TreeMap<>();
        for (Asset asset : library.fetchAssets()) {
            for (AssetResource resource : asset.resources()) {
                if (!uploaded.contains(resource.key()) && !running.contains(resource.key())) {
                    wanted.put(resource.key(), resource);
                }
            }
        }
        List<AssetResource> create = new ArrayList<>(wanted.values()).subList(0, Math.max(0, Math.min(capacity, wanted.size())));
        if (!create.isEmpty()) {
            String token = signIn(context);
            if (token == null) {
                return ProcessingResult.PROCESSING;
            }
            try {
                library.performChanges(changes -> create.forEach(resource -> changes.createJob(resource,
                        destination(context, resource).withHeader("Authorization", "Bearer " + token))));
            } catch (PhotosException e) {
                return ProcessingResult.PROCESSING;
            }
        }
        return running.isEmpty() && create.isEmpty() && wanted.isEmpty() ? ProcessingResult.COMPLETED
                : ProcessingResult.PROCESSING;
    }

    /** A fresh access token from the generic-put cloud (OAuth client credentials); null if none came. */
    private static String signIn(ExtensionContext context) {
        java.util.SortedMap<String, String> config = context.configuration();
        String form = "grant_type=client_credentials&client_id=" + config.get("cloud.clientId") + "&client_secret="
                + config.get("cloud.clientSecret");
        try {
            org.upcert.api.ExtensionHttp.Response response = context.http().send(
                    UploadRequest.post(java.net.URI.create(config.get("cloud.tokenUrl")))
                            .withHeader("Content-Type", "application/x-www-form-urlencoded"),
                    form.getBytes(StandardCharsets.UTF_8));
            java.util.regex.Matcher token = java.util.regex.Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(response.bodyText());
            return response.status() == 200 && token.find() ? token.group(1) : null;
        } catch (org.upcert.api.ExtensionHttp.TransportException e) {
            return null;
        }
    }

    /** {@code PUT <uploadUrlBase>files/<asset>/<TYPE>/<filename>} (generic-put), stamped with the resource key. */
    private static UploadRequest destination(ExtensionContext context, AssetResource resource) {
        String base = context.uploadUrlBase().toString();
        String url = (base.endsWith("/") ? base : base + "/") + "files/" + encode(resource.assetLocalIdentifier()) + "/"
                + resource.type().name() + "/" + encode(resource.originalFilename());
        return UploadRequest.put(java.net.URI.create(url)).withHeader("X-Resource-Key", resource.key());
    }

    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** Changes the broken twin adds to its racing block. */
    protected List<UploadJob> extraCancellations(List<UploadJob> finished) {
        return List.of();
    }

    @Override
    public void willTerminate() {
    }

    private static String key(UploadJob job) {
        return job.destination().header("X-Resource-Key").orElseThrow();
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    /** The broken twin: also cancels a job it fetched already finished (JOB-04, its own mistake). */
    public static final class Stale extends RacingCanceller {
        @Override
        protected List<UploadJob> extraCancellations(List<UploadJob> finished) {
            return finished.isEmpty() ? List.of() : List.of(finished.get(0));
        }
    }
}
