package org.upcert.conformance.authors;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.AuthorizationStatus;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.JobState;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.PhotosException;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * Extensions written the way a new author might write one, independently of the sample: one
 * class, a ledger of two text files in the app group, no retries (a failed job is acknowledged
 * and its resource gets a new job), a bearer token fetched when the cached one is old. For the
 * {@code generic-put} cloud only. Each variant differs from {@link PlainBackup} in one decision,
 * and is packed into a jar of its own by {@link AuthorJars}.
 */
public final class AuthorExtensions {
    private AuthorExtensions() {
    }

    /**
     * The correct one. A failed job whose response headers carry the server's object id or ETag
     * was stored (iOS 26.x may report an HTTP 204 as a failure; 26.4 shows the headers): it is
     * done, not uploaded again.
     */
    public static class PlainBackup implements UploadExtension {
        private static final String DONE = "plain/done.txt";
        private static final String IN_FLIGHT = "plain/in-flight.txt";
        private static final String KEY_HEADER = "X-Plain-Resource";

        private volatile boolean stopping;
        private String token;
        private Instant tokenAt = Instant.MIN;

        /** Whether this extension uploads {@code resource} at all. */
        protected boolean wanted(AssetResource resource) {
            return true;
        }

        /** Whether a failed job's response says the server stored the bytes anyway. */
        protected boolean storedDespiteFailure(UploadJob job) {
            Optional<SortedMap<String, String>> headers = job.responseHeaderFields();
            return headers.isPresent() && (headers.get().containsKey("x-object-id") || headers.get().containsKey("etag"));
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            stopping = false;
            PhotoLibrary library = context.library();
            TreeSet<String> done = lines(context, DONE);
            TreeSet<String> inFlight = lines(context, IN_FLIGHT);
            // 1. Outcomes first: remember them, then acknowledge.
            List<UploadJob> finished = library.fetchJobs(JobAction.ACKNOWLEDGE);
            for (UploadJob job : finished) {
                String key = keyOf(job);
                if (key == null) {
                    continue;
                }
                inFlight.remove(key);
                if (job.state() == JobState.SUCCEEDED || storedDespiteFailure(job)) {
                    done.add(key);
                }
            }
            save(context, DONE, done);
            save(context, IN_FLIGHT, inFlight);
            if (!finished.isEmpty()) {
                try {
                    library.performChanges(changes -> finished.forEach(changes::acknowledge));
                } catch (PhotosException e) {
                    context.log().warn("acknowledge failed: " + e.getMessage());
                    return ProcessingResult.PROCESSING;
                }
            }
            if (library.authorizationStatus() != AuthorizationStatus.AUTHORIZED || !library.isUploadJobExtensionEnabled()) {
                return ProcessingResult.COMPLETED;
            }
            // 2. New jobs for what is neither done nor under way, as far as the limit allows.
            List<AssetResource> todo = new ArrayList<>();
            for (Asset asset : library.fetchAssets()) {
                for (AssetResource resource : asset.resources()) {
                    if (wanted(resource) && !done.contains(resource.key()) && !inFlight.contains(resource.key())) {
                        todo.add(resource);
                    }
                }
            }
            int room = library.jobLimit() - inFlight.size();
            if (todo.isEmpty()) {
                return inFlight.isEmpty() ? ProcessingResult.COMPLETED : ProcessingResult.PROCESSING;
            }
            if (room <= 0 || stopping) {
                return ProcessingResult.PROCESSING;
            }
            String bearer = bearer(context);
            if (bearer == null) {
                return ProcessingResult.PROCESSING;
            }
            List<AssetResource> batch = todo.subList(0, Math.min(room, todo.size()));
            for (AssetResource resource : batch) {
                inFlight.add(resource.key());
            }
            save(context, IN_FLIGHT, inFlight);
            try {
                library.performChanges(changes -> {
                    for (AssetResource resource : batch) {
                        changes.createJob(resource, destination(context.uploadUrlBase(), resource, bearer));
                    }
                });
            } catch (PhotosException e) {
                for (AssetResource resource : batch) {
                    inFlight.remove(resource.key());
                }
                save(context, IN_FLIGHT, inFlight);
                if (e.code() != PhotosErrorCode.LIMIT_EXCEEDED) {
                    context.log().warn("create failed: " + e.getMessage());
                }
            }
            return ProcessingResult.PROCESSING;
        }

        @Override
        public void willTerminate() {
            stopping = true;
        }

        private static UploadRequest destination(URI base, AssetResource resource, String bearer) {
            String path = "files/" + URLEncoder.encode(resource.assetLocalIdentifier(), StandardCharsets.UTF_8) + "/"
                    + resource.type().name() + "/" + URLEncoder.encode(resource.originalFilename(), StandardCharsets.UTF_8);
            String root = base.toString().endsWith("/") ? base.toString() : base + "/";
            return UploadRequest.put(URI.create(root + path)).withHeader("Authorization", "Bearer " + bearer)
                    .withHeader(KEY_HEADER, resource.key());
        }

        private static String keyOf(UploadJob job) {
            if (job.resource().isPresent()) {
                return job.resource().get().key();
            }
            return job.destination().header(KEY_HEADER).orElse(null);
        }

        /** A token younger than 20 minutes, or a new one; null when the cloud did not give one. */
        private String bearer(ExtensionContext context) {
            Instant now = context.clock().instant();
            if (token != null && Duration.between(tokenAt, now).compareTo(Duration.ofMinutes(20)) < 0) {
                return token;
            }
            SortedMap<String, String> config = context.configuration();
            String url = config.getOrDefault("cloud.tokenUrl", context.uploadUrlBase() + "auth/token");
            String body = "grant_type=client_credentials&client_id=" + URLEncoder.encode(config.getOrDefault("cloud.clientId", ""),
                    StandardCharsets.UTF_8) + "&client_secret=" + URLEncoder.encode(config.getOrDefault("cloud.clientSecret", ""),
                    StandardCharsets.UTF_8);
            try {
                ExtensionHttp.Response response = context.http().send(UploadRequest.post(URI.create(url))
                        .withHeader("Content-Type", "application/x-www-form-urlencoded"), body);
                if (!response.isSuccessful()) {
                    return null;
                }
                String text = response.bodyText();
                int at = text.indexOf("\"access_token\":\"");
                if (at < 0) {
                    return null;
                }
                int from = at + "\"access_token\":\"".length();
                token = text.substring(from, text.indexOf('"', from));
                tokenAt = now;
                return token;
            } catch (ExtensionHttp.TransportException e) {
                return null;
            }
        }

        private static TreeSet<String> lines(ExtensionContext context, String file) {
            TreeSet<String> set = new TreeSet<>();
            context.storage().readString(file).ifPresent(text -> {
                for (String line : text.split("\n")) {
                    if (!line.isBlank()) {
                        set.add(line);
                    }
                }
            });
            return set;
        }

        private static void save(ExtensionContext context, String file, TreeSet<String> set) {
            context.storage().writeString(file, String.join("\n", set));
        }
    }

    /**
     * Broken twin of {@link PlainBackup}: any response headers on a failed job count as "stored",
     * so a 429 (whose {@code retry-after} is a header too) is taken for an upload and its photo is never sent again.
     */
    public static class AnyHeadersTrusted extends PlainBackup {
        @Override
        protected boolean storedDespiteFailure(UploadJob job) {
            return job.responseHeaderFields().map(headers -> !headers.isEmpty()).orElse(false);
        }
    }

    /**
     * Broken twin of {@link PlainBackup}: ignores the response headers of a failed job, so a 204
     * reported as failed is uploaded again (and, the object existing, answered 204 again).
     */
    public static class IgnoresHeaders extends PlainBackup {
        @Override
        protected boolean storedDespiteFailure(UploadJob job) {
            return false;
        }
    }

    /**
     * Declares, in its jar's {@code META-INF/upcert/scope.yaml}, that it uploads no RAW
     * alternates and leaves files over 100 MB to the host app; and does exactly that.
     */
    public static class ScopedBackup extends PlainBackup {
        static final String SCOPE = "# the host app uploads RAW files and files over 100 MB itself\n"
                + "resourceTypes: [PHOTO, VIDEO, PAIRED_VIDEO]\n"
                + "hostAppAbove: 100 MB\n";

        @Override
        protected boolean wanted(AssetResource resource) {
            return resource.type() != AssetResource.ResourceType.ALTERNATE_PHOTO && resource.fileSize() <= 100_000_000L;
        }
    }

    /** Broken twin: declares the same scope as {@link ScopedBackup} but uploads everything. */
    public static class Overreaching extends PlainBackup {
    }

    /** Broken twin: declares nothing (so everything is in scope) and skips RAW alternates. */
    public static class SkipsRawUndeclared extends PlainBackup {
        @Override
        protected boolean wanted(AssetResource resource) {
            return resource.type() != AssetResource.ResourceType.ALTERNATE_PHOTO;
        }
    }
}
