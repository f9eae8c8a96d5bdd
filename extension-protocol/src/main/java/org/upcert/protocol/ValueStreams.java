package org.upcert.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.upcert.api.API;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The JSON form of the API's values ({@link Values}) written to a {@link JsonGenerator} and read
 * from a {@link JsonParser} directly, without a tree in between: for the protocol's largest and
 * most frequent messages (a library's assets, the jobs of a fetch, storage reads). The bytes
 * written are exactly those of {@link Values}' trees (the same members in the same order through
 * the same generator), and a value read is equal to the one {@link Values} reads from the tree;
 * a member of the wrong kind is an {@link IllegalArgumentException} naming it, as there
 * ({@code ValueStreamsTest}).
 */
@API(status = API.Status.INTERNAL, since = "0.4")
public final class ValueStreams {
    private ValueStreams() {
    }

    // --- writing ----------------------------------------------------------------------------

    public static void resource(JsonGenerator out, AssetResource r) throws IOException {
        out.writeStartObject();
        out.writeStringField("asset", r.assetLocalIdentifier());
        out.writeStringField("type", r.type().name());
        out.writeStringField("filename", r.originalFilename());
        out.writeStringField("uti", r.uniformTypeIdentifier());
        out.writeNumberField("size", r.fileSize());
        out.writeEndObject();
    }

    public static void asset(JsonGenerator out, Asset a) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", a.localIdentifier());
        out.writeStringField("mediaType", a.mediaType().name());
        out.writeStringField("created", a.creationDate().toString());
        out.writeArrayFieldStart("resources");
        for (AssetResource r : a.resources()) {
            resource(out, r);
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    public static void assets(JsonGenerator out, Collection<Asset> assets) throws IOException {
        out.writeStartArray();
        for (Asset a : assets) {
            asset(out, a);
        }
        out.writeEndArray();
    }

    public static void request(JsonGenerator out, UploadRequest r) throws IOException {
        out.writeStartObject();
        out.writeStringField("url", r.url().toString());
        out.writeStringField("method", r.method());
        out.writeFieldName("headers");
        strings(out, r.headers());
        out.writeEndObject();
    }

    public static void error(JsonGenerator out, UploadError e) throws IOException {
        out.writeStartObject();
        out.writeStringField("domain", e.domain());
        out.writeNumberField("code", e.code());
        if (e.httpStatus().isPresent()) {
            out.writeNumberField("httpStatus", e.httpStatus().get());
        }
        out.writeStringField("description", e.description());
        out.writeEndObject();
    }

    /** A job as the extension sees it ({@link Values#job}); {@code headers} is the unwatched map. */
    public static void job(JsonGenerator out, UploadJob job, Optional<SortedMap<String, String>> headers) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", job.localIdentifier());
        out.writeStringField("state", job.state().name());
        out.writeStringField("type", job.type().name());
        if (job.resource().isPresent()) {
            out.writeFieldName("resource");
            resource(out, job.resource().get());
        }
        out.writeFieldName("destination");
        if (job.destination() == null) {
            out.writeNull(); // a download-only job sends nothing
        } else {
            request(out, job.destination());
        }
        if (headers.isPresent()) {
            out.writeFieldName("responseHeaderFields");
            strings(out, headers.get());
        }
        if (job.error().isPresent()) {
            out.writeFieldName("error");
            error(out, job.error().get());
        }
        out.writeEndObject();
    }

    public static void strings(JsonGenerator out, Map<String, String> map) throws IOException {
        out.writeStartObject();
        for (Map.Entry<String, String> entry : map.entrySet()) {
            out.writeStringField(entry.getKey(), entry.getValue());
        }
        out.writeEndObject();
    }

    // --- reading ----------------------------------------------------------------------------

    /** A list of assets ({@code library.fetchAssets}). */
    public static List<Asset> readAssets(JsonParser in) throws IOException {
        requireArray(in, "assets");
        List<Asset> assets = new ArrayList<>();
        while (in.nextToken() != JsonToken.END_ARRAY) {
            assets.add(readAsset(in));
        }
        return List.copyOf(assets);
    }

    public static Asset readAsset(JsonParser in) throws IOException {
        requireObject(in, "asset");
        String id = null;
        String mediaType = null;
        String created = null;
        List<AssetResource> resources = null;
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String member = in.currentName();
            in.nextToken();
            switch (member) {
                case "id" -> id = text(in, member);
                case "mediaType" -> mediaType = text(in, member);
                case "created" -> created = text(in, member);
                case "resources" -> {
                    requireArray(in, "resources");
                    resources = new ArrayList<>();
                    while (in.nextToken() != JsonToken.END_ARRAY) {
                        resources.add(readResource(in));
                    }
                }
                default -> in.skipChildren();
            }
        }
        Instant when;
        try {
            when = Instant.parse(required(created, "created"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("created must be an instant: " + e.getMessage());
        }
        if (resources == null) {
            throw new IllegalArgumentException("resources must be an array");
        }
        return new Asset(required(id, "id"), enumValue(Asset.MediaType.class, mediaType, "mediaType"), when, resources);
    }

    public static AssetResource readResource(JsonParser in) throws IOException {
        requireObject(in, "resource");
        String asset = null;
        String type = null;
        String filename = null;
        String uti = null;
        Long size = null;
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String member = in.currentName();
            in.nextToken();
            switch (member) {
                case "asset" -> asset = text(in, member);
                case "type" -> type = text(in, member);
                case "filename" -> filename = text(in, member);
                case "uti" -> uti = text(in, member);
                case "size" -> size = number(in, member);
                default -> in.skipChildren();
            }
        }
        return new AssetResource(required(asset, "asset"), enumValue(AssetResource.ResourceType.class, type, "type"),
                required(filename, "filename"), required(uti, "uti"), required(size, "size"));
    }

    /** A resource, or null for JSON null ({@code library.assetResource}). */
    public static Optional<AssetResource> readOptionalResource(JsonParser in) throws IOException {
        return in.currentToken() == JsonToken.VALUE_NULL ? Optional.empty() : Optional.of(readResource(in));
    }

    /** A list of jobs ({@code library.fetchJobs}), as {@link Values#readJob} reads each. */
    public static List<UploadJob> readJobs(JsonParser in) throws IOException {
        requireArray(in, "jobs");
        List<UploadJob> jobs = new ArrayList<>();
        while (in.nextToken() != JsonToken.END_ARRAY) {
            jobs.add(readJob(in));
        }
        return jobs;
    }

    public static UploadJob readJob(JsonParser in) throws IOException {
        requireObject(in, "job");
        String id = null;
        String state = null;
        String type = null;
        Optional<AssetResource> resource = Optional.empty();
        UploadRequest destination = null;
        Optional<SortedMap<String, String>> headers = Optional.empty();
        Optional<UploadError> error = Optional.empty();
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String member = in.currentName();
            in.nextToken();
            boolean absent = in.currentToken() == JsonToken.VALUE_NULL;
            switch (member) {
                case "id" -> id = text(in, member);
                case "state" -> state = text(in, member);
                case "type" -> type = text(in, member);
                case "resource" -> resource = absent ? Optional.empty() : Optional.of(readResource(in));
                case "destination" -> destination = absent ? null : readRequest(in);
                case "responseHeaderFields" -> headers = absent ? Optional.empty() : Optional.of(readStrings(in, member));
                case "error" -> error = absent ? Optional.empty() : Optional.of(readError(in));
                default -> in.skipChildren();
            }
        }
        return new Values.Job(required(id, "id"), enumValue(JobState.class, state, "state"), enumValue(JobType.class, type, "type"),
                resource, destination, headers, error);
    }

    public static UploadRequest readRequest(JsonParser in) throws IOException {
        requireObject(in, "request");
        String url = null;
        String method = null;
        SortedMap<String, String> headers = new TreeMap<>();
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String member = in.currentName();
            in.nextToken();
            switch (member) {
                case "url" -> url = text(in, member);
                case "method" -> method = text(in, member);
                case "headers" -> headers = in.currentToken() == JsonToken.VALUE_NULL ? new TreeMap<>() : readStrings(in, member);
                default -> in.skipChildren();
            }
        }
        URI uri;
        try {
            uri = new URI(required(url, "url"));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("url is not a URI: " + e.getMessage());
        }
        return new UploadRequest(uri, required(method, "method"), headers);
    }

    public static UploadError readError(JsonParser in) throws IOException {
        requireObject(in, "error");
        String domain = null;
        Long code = null;
        Optional<Integer> status = Optional.empty();
        String description = null;
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String member = in.currentName();
            in.nextToken();
            switch (member) {
                case "domain" -> domain = text(in, member);
                case "code" -> code = number(in, member);
                case "httpStatus" -> status = in.currentToken() == JsonToken.VALUE_NULL ? Optional.empty()
                        : Optional.of(in.getValueAsInt());
                case "description" -> description = text(in, member);
                default -> in.skipChildren();
            }
        }
        return new UploadError(required(domain, "domain"), (int) (long) required(code, "code"), status,
                required(description, "description"));
    }

    public static SortedMap<String, String> readStrings(JsonParser in, String what) throws IOException {
        requireObject(in, what);
        TreeMap<String, String> map = new TreeMap<>();
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String key = in.currentName();
            if (in.nextToken() != JsonToken.VALUE_STRING) {
                throw new IllegalArgumentException(what + "." + key + " must be a string");
            }
            map.put(key, in.getText());
        }
        return map;
    }

    /** {@code {"data": base64}} or null ({@code storage.read}, {@code library.requestData}). */
    public static Optional<byte[]> readData(JsonParser in) throws IOException {
        if (in.currentToken() == JsonToken.VALUE_NULL) {
            return Optional.empty();
        }
        requireObject(in, "data");
        String data = null;
        while (in.nextToken() == JsonToken.FIELD_NAME) {
            String member = in.currentName();
            in.nextToken();
            if (member.equals("data")) {
                data = text(in, member);
            } else {
                in.skipChildren();
            }
        }
        try {
            return Optional.of(Base64.getDecoder().decode(required(data, "data")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data must be base64: " + e.getMessage());
        }
    }

    // --- checks -----------------------------------------------------------------------------

    private static String text(JsonParser in, String member) throws IOException {
        if (in.currentToken() != JsonToken.VALUE_STRING) {
            in.skipChildren();
            throw new IllegalArgumentException(member + " must be a string");
        }
        return in.getText();
    }

    private static long number(JsonParser in, String member) throws IOException {
        if (in.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            in.skipChildren();
            throw new IllegalArgumentException(member + " must be an integer");
        }
        return in.getLongValue();
    }

    private static <T> T required(T value, String member) {
        if (value == null) {
            throw new IllegalArgumentException(member + " must be " + (member.equals("size") || member.equals("code")
                    ? "an integer" : "a string"));
        }
        return value;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String name, String member) {
        try {
            return Enum.valueOf(type, required(name, member));
        } catch (IllegalArgumentException e) {
            if (name == null) {
                throw e;
            }
            throw new IllegalArgumentException(member + " must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                    + ", not " + name);
        }
    }

    private static void requireObject(JsonParser in, String what) {
        if (in.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException(what + " must be an object");
        }
    }

    private static void requireArray(JsonParser in, String what) {
        if (in.currentToken() != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException(what + " must be an array");
        }
    }
}
