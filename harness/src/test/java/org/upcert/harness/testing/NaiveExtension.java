package org.upcert.harness.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * A deliberately simple extension for harness tests: signs in, acknowledges everything
 * finished, retries nothing, and creates jobs for resources it has not seen uploaded. It keeps
 * its progress in storage (one line per uploaded key), so it converges across kills as long as
 * nothing fails. Not a reference: the sample extension is.
 *
 * <p>Before iOS 26.5 (no PROCESS set) it remembers the resources it created jobs for in
 * {@code created.txt} and forgets one when its job finishes.
 */
public class NaiveExtension implements UploadExtension {
    /** Keys of jobs created by any instance, to observe instance reuse in tests. */
    protected volatile boolean terminating;

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        terminating = false;
        var library = context.library();
        var storage = context.storage();
        TreeSet<String> done = new TreeSet<>(storage.readString("done.txt").map(s -> List.of(s.split("\n"))).orElse(List.of()));
        done.remove("");
        String token = storage.readString("token.txt").orElseGet(() -> signIn(context));
        try {
            boolean processSet = context.osAtLeast("26.5");
            TreeSet<String> created = new TreeSet<>(storage.readString("created.txt").map(s -> List.of(s.split("\n"))).orElse(List.of()));
            created.remove("");
            List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
            if (!finished.isEmpty()) {
                StringBuilder lines = new StringBuilder();
                for (UploadJob job : finished) {
                    String key = job.destination().header("X-Resource-Key").orElseThrow();
                    created.remove(key);
                    if (job.state() == org.upcert.api.JobState.SUCCEEDED) {
                        lines.append(key).append('\n');
                    }
                }
                storage.appendString("done.txt", lines.toString());
                if (!processSet) {
                    storage.writeString("created.txt", String.join("\n", created));
                }
                library.performChanges(changes -> finished.forEach(changes::acknowledge));
            }
            TreeSet<String> inFlight = new TreeSet<>();
            if (processSet) {
                for (UploadJob job : library.fetchJobs(JobAction.PROCESS)) {
                    inFlight.add(job.destination().header("X-Resource-Key").orElseThrow());
                }
            } else {
                inFlight.addAll(created);
            }
            TreeSet<String> nowDone = new TreeSet<>(storage.readString("done.txt").map(s -> List.of(s.split("\n"))).orElse(List.of()));
            int capacity = library.jobLimit() - (processSet ? library.fetchJobs(JobAction.PROCESS).size() : inFlight.size());
            List<AssetResource> todo = new ArrayList<>();
            for (var asset : library.fetchAssets()) {
                for (AssetResource resource : asset.resources()) {
                    if (!nowDone.contains(resource.key()) && !inFlight.contains(resource.key())) {
                        todo.add(resource);
                    }
                }
            }
            if (todo.isEmpty() && inFlight.isEmpty()) {
                return ProcessingResult.COMPLETED;
            }
            List<AssetResource> batch = todo.subList(0, Math.min(capacity, todo.size()));
            if (!batch.isEmpty()) {
                library.performChanges(changes -> {
                    for (AssetResource resource : batch) {
                        changes.createJob(resource, destination(context, token, resource));
                    }
                });
                if (!processSet) {
                    batch.forEach(resource -> created.add(resource.key()));
                    storage.writeString("created.txt", String.join("\n", created));
                }
            }
            return ProcessingResult.PROCESSING;
        } catch (PhotosException e) {
            context.log().warn(e.getMessage());
            return ProcessingResult.PROCESSING;
        }
    }

    protected String signIn(ExtensionContext context) {
        try {
            ExtensionHttp.Response response = context.http().send(
                    UploadRequest.post(java.net.URI.create(context.configuration().getOrDefault("cloud.tokenUrl",
                            context.uploadUrlBase().resolve("auth/token").toString()))),
                    "grant_type=client_credentials&client_id=" + context.configuration().get("cloud.clientId")
                            + "&client_secret=" + context.configuration().get("cloud.clientSecret"));
            String body = response.bodyText();
            int start = body.indexOf("\"access_token\":\"") + 16;
            String token = body.substring(start, body.indexOf('"', start));
            context.storage().writeString("token.txt", token);
            return token;
        } catch (ExtensionHttp.TransportException e) {
            throw new IllegalStateException(e);
        }
    }

    static UploadRequest destination(ExtensionContext context, String token, AssetResource resource) {
        String path = "files/" + resource.key().replace('/', '_').replace('#', '_') + "/" + resource.originalFilename();
        return UploadRequest.put(context.uploadUrlBase().resolve(path))
                .withHeader("Authorization", "Bearer " + token)
                .withHeader("X-Resource-Key", resource.key());
    }

    @Override
    public void willTerminate() {
        terminating = true;
    }
}
