package org.upcert.conformance.changes;

import java.util.List;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.JobAction;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * Calls what iOS 26.1 lacks, once each, and logs what happened, so that every hosting mode can be
 * compared on the refusals (its Python twin is {@code python/os_level_probe.py}): the first call
 * creates one job (createJob returns nothing on 26.1), the second reads the finished job's
 * {@code type}, {@code error} and {@code responseHeaderFields}, cancels it, fetches the PROCESS
 * set and asks {@code assetResource}, then acknowledges it.
 */
public class OsLevelProbe implements UploadExtension {

    @Override
    public ProcessingResult processJobs(ExtensionContext context) {
        var library = context.library();
        if (context.storage().readString("created").isEmpty()) {
            AssetResource resource = library.fetchAssets().get(0).resources().get(0);
            String[] id = {"unset"};
            try {
                library.performChanges(changes -> id[0] = changes.createJob(resource,
                        UploadRequest.put(context.uploadUrlBase().resolve("files/probe")).withHeader("X-Resource-Key", resource.key())));
            } catch (PhotosException e) {
                context.log().warn("create rejected");
            }
            context.log().info("os " + context.osVersion() + ": createJob returned " + id[0]);
            context.storage().writeString("created", "yes");
            return ProcessingResult.PROCESSING;
        }
        List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
        if (finished.isEmpty()) {
            return ProcessingResult.PROCESSING; // not finished, or its success not shown yet (the fetch-set lag)
        }
        for (UploadJob job : finished) {
            probe(context, "type", () -> job.type());
            probe(context, "error", () -> job.error());
            probe(context, "responseHeaderFields", () -> job.responseHeaderFields());
            probe(context, "cancel", () -> {
                library.performChanges(changes -> changes.cancel(job));
                return null;
            });
            probe(context, "fetchJobs(PROCESS)", () -> library.fetchJobs(JobAction.PROCESS));
            probe(context, "assetResource", () -> library.assetResource(job));
        }
        try {
            library.performChanges(changes -> finished.forEach(changes::acknowledge));
        } catch (PhotosException e) {
            context.log().warn("acknowledge rejected");
        }
        return ProcessingResult.COMPLETED;
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static void probe(ExtensionContext context, String what, Call call) {
        try {
            call.run();
            context.log().info(what + ": available");
        } catch (UnsupportedOperationException e) {
            context.log().info(what + ": unavailable");
        } catch (Exception e) {
            context.log().info(what + ": failed");
        }
    }

    @Override
    public void willTerminate() {
    }
}
