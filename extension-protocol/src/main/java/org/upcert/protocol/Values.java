package org.upcert.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.upcert.api.API;
import org.upcert.api.Asset;
import org.upcert.api.ChangeOutcome;
import org.upcert.api.DroppedChange;
import org.upcert.api.PhotosErrorCode;
import org.upcert.api.AssetResource;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobState;
import org.upcert.api.JobType;
import org.upcert.api.PersistentChange;
import org.upcert.api.ChangeToken;
import org.upcert.api.UploadError;
import org.upcert.api.UploadJob;
import org.upcert.api.UploadRequest;

/**
 * The JSON form of the API's values, both ways ({@code docs/protocol.md}, "Values"). Enum values
 * travel by name, bytes as base64, instants as ISO-8601 text, optional members are left out.
 * Reading checks what it reads: a member of the wrong kind is an {@link IllegalArgumentException}
 * whose message names it (the harness answers it as invalid params).
 */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class Values {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Values() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    // --- writing ----------------------------------------------------------------------------

    public static ObjectNode resource(AssetResource r) {
        ObjectNode node = object();
        node.put("asset", r.assetLocalIdentifier());
        node.put("type", r.type().name());
        node.put("filename", r.originalFilename());
        node.put("uti", r.uniformTypeIdentifier());
        node.put("size", r.fileSize());
        return node;
    }

    public static ObjectNode asset(Asset a) {
        ObjectNode node = object();
        node.put("id", a.localIdentifier());
        node.put("mediaType", a.mediaType().name());
        node.put("created", a.creationDate().toString());
        ArrayNode resources = node.putArray("resources");
        for (AssetResource r : a.resources()) {
            resources.add(resource(r));
        }
        return node;
    }

    public static ArrayNode assets(Collection<Asset> assets) {
        ArrayNode node = array();
        for (Asset a : assets) {
            node.add(asset(a));
        }
        return node;
    }

    public static ObjectNode request(UploadRequest r) {
        ObjectNode node = object();
        node.put("url", r.url().toString());
        node.put("method", r.method());
        node.set("headers", strings(r.headers()));
        return node;
    }

    public static ObjectNode error(UploadError e) {
        ObjectNode node = object();
        node.put("domain", e.domain());
        node.put("code", e.code());
        e.httpStatus().ifPresent(status -> node.put("httpStatus", status));
        node.put("description", e.description());
        return node;
    }

    /** A job as the extension sees it; {@code headers} is the unwatched map (reading it here counts nothing). */
    public static ObjectNode job(UploadJob job, Optional<SortedMap<String, String>> headers) {
        ObjectNode node = object();
        node.put("id", job.localIdentifier());
        node.put("state", job.state().name());
        node.put("type", job.type().name());
        job.resource().ifPresent(r -> node.set("resource", resource(r)));
        // null for a download-only job: it sends nothing
        node.set("destination", job.destination() == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : request(job.destination()));
        headers.ifPresent(h -> node.set("responseHeaderFields", strings(h)));
        job.error().ifPresent(e -> node.set("error", error(e)));
        return node;
    }

    /**
     * What became of a committed block: {@code {"applied":n,"dropped":[{"index","op","job",
     * "code","state","reason"}]}}; {@code job} and {@code state} left out when absent.
     */
    public static ObjectNode outcome(ChangeOutcome outcome) {
        ObjectNode node = object();
        node.put("applied", outcome.applied());
        ArrayNode dropped = node.putArray("dropped");
        for (DroppedChange d : outcome.dropped()) {
            ObjectNode item = dropped.addObject();
            item.put("index", d.index());
            item.put("op", d.change().name().toLowerCase(java.util.Locale.ROOT));
            if (d.job() != null) {
                item.put("job", d.job());
            }
            item.put("code", d.code().name());
            d.state().ifPresent(state -> item.put("state", state.name()));
            item.put("reason", d.reason());
        }
        return node;
    }

    /** Reads {@link #outcome}; a {@code null} answer (a harness that reports nothing) is every change applied. */
    public static ChangeOutcome readOutcome(JsonNode node, int recorded) {
        if (node == null || node.isNull()) {
            return ChangeOutcome.allApplied(recorded);
        }
        requireObject(node, "outcome");
        List<DroppedChange> dropped = new ArrayList<>();
        for (JsonNode item : list(node, "dropped")) {
            requireObject(item, "dropped change");
            dropped.add(new DroppedChange((int) number(item, "index"),
                    DroppedChange.Kind.valueOf(text(item, "op").toUpperCase(java.util.Locale.ROOT)),
                    optionalText(item, "job").orElse(null), enumValue(PhotosErrorCode.class, item, "code"),
                    present(item, "state") ? enumValue(JobState.class, item, "state") : null, text(item, "reason")));
        }
        return ChangeOutcome.of((int) number(node, "applied"), dropped);
    }

    public static ObjectNode change(PersistentChange c) {
        ObjectNode node = object();
        node.put("token", c.changeToken().encoded());
        node.set("inserted", texts(c.insertedAssets()));
        node.set("updated", texts(c.updatedAssets()));
        node.set("deleted", texts(c.deletedAssets()));
        return node;
    }

    public static ObjectNode response(ExtensionHttp.Response r) {
        ObjectNode node = object();
        node.put("status", r.status());
        node.set("headers", strings(r.headers()));
        node.put("body", base64(r.body()));
        return node;
    }

    public static ObjectNode strings(Map<String, String> map) {
        ObjectNode node = object();
        map.forEach(node::put);
        return node;
    }

    public static ArrayNode texts(Collection<String> texts) {
        ArrayNode node = array();
        texts.forEach(node::add);
        return node;
    }

    public static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    // --- reading ----------------------------------------------------------------------------

    public static AssetResource readResource(JsonNode node) {
        requireObject(node, "resource");
        return new AssetResource(text(node, "asset"), enumValue(AssetResource.ResourceType.class, node, "type"),
                text(node, "filename"), text(node, "uti"), number(node, "size"));
    }

    public static Asset readAsset(JsonNode node) {
        requireObject(node, "asset");
        List<AssetResource> resources = new ArrayList<>();
        for (JsonNode r : list(node, "resources")) {
            resources.add(readResource(r));
        }
        return new Asset(text(node, "id"), enumValue(Asset.MediaType.class, node, "mediaType"),
                Instant.parse(text(node, "created")), resources);
    }

    public static UploadRequest readRequest(JsonNode node) {
        requireObject(node, "request");
        URI url;
        try {
            url = new URI(text(node, "url"));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("url is not a URI: " + e.getMessage());
        }
        return new UploadRequest(url, text(node, "method"), readStrings(node.get("headers"), "headers"));
    }

    public static UploadError readError(JsonNode node) {
        requireObject(node, "error");
        JsonNode status = node.get("httpStatus");
        return new UploadError(text(node, "domain"), (int) number(node, "code"),
                status == null || status.isNull() ? Optional.empty() : Optional.of(status.asInt()), text(node, "description"));
    }

    public static UploadJob readJob(JsonNode node) {
        requireObject(node, "job");
        String id = text(node, "id");
        JobState state = enumValue(JobState.class, node, "state");
        JobType type = enumValue(JobType.class, node, "type");
        Optional<AssetResource> resource = present(node, "resource") ? Optional.of(readResource(node.get("resource"))) : Optional.empty();
        UploadRequest destination = present(node, "destination") ? readRequest(node.get("destination")) : null;
        Optional<SortedMap<String, String>> headers = present(node, "responseHeaderFields")
                ? Optional.of(readStrings(node.get("responseHeaderFields"), "responseHeaderFields")) : Optional.empty();
        Optional<UploadError> error = present(node, "error") ? Optional.of(readError(node.get("error"))) : Optional.empty();
        return new Job(id, state, type, resource, destination, headers, error);
    }

    public static PersistentChange readChange(JsonNode node) {
        requireObject(node, "change");
        return new PersistentChange(new ChangeToken(text(node, "token")), readTexts(node.get("inserted"), "inserted"),
                readTexts(node.get("updated"), "updated"), readTexts(node.get("deleted"), "deleted"));
    }

    public static ExtensionHttp.Response readResponse(JsonNode node) {
        requireObject(node, "response");
        return new ExtensionHttp.Response((int) number(node, "status"), readStrings(node.get("headers"), "headers"),
                bytes(node, "body"));
    }

    public static SortedMap<String, String> readStrings(JsonNode node, String what) {
        TreeMap<String, String> map = new TreeMap<>();
        if (node == null || node.isNull()) {
            return map;
        }
        requireObject(node, what);
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new IllegalArgumentException(what + "." + field.getKey() + " must be a string");
            }
            map.put(field.getKey(), field.getValue().asText());
        }
        return map;
    }

    public static List<String> readTexts(JsonNode node, String what) {
        List<String> texts = new ArrayList<>();
        if (node == null || node.isNull()) {
            return texts;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException(what + " must be an array of strings");
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException(what + " must be an array of strings");
            }
            texts.add(item.asText());
        }
        return texts;
    }

    public static String text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(member + " must be a string");
        }
        return value.asText();
    }

    public static Optional<String> optionalText(JsonNode node, String member) {
        JsonNode value = node.get(member);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(member + " must be a string or null");
        }
        return Optional.of(value.asText());
    }

    public static long number(JsonNode node, String member) {
        JsonNode value = node.get(member);
        if (value == null || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(member + " must be an integer");
        }
        return value.asLong();
    }

    public static byte[] bytes(JsonNode node, String member) {
        try {
            return Base64.getDecoder().decode(text(node, member));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(member + " must be base64: " + e.getMessage());
        }
    }

    public static <E extends Enum<E>> E enumValue(Class<E> type, JsonNode node, String member) {
        String name = text(node, member);
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(member + " must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                    + ", not " + name);
        }
    }

    public static JsonNode list(JsonNode node, String member) {
        JsonNode value = node.get(member);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException(member + " must be an array");
        }
        return value;
    }

    private static boolean present(JsonNode node, String member) {
        return node.has(member) && !node.get(member).isNull();
    }

    private static void requireObject(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(what + " must be an object");
        }
    }

    /** A job read from the wire. */
    public record Job(String localIdentifier, JobState state, JobType type, Optional<AssetResource> resource,
            UploadRequest destination, Optional<SortedMap<String, String>> responseHeaderFields,
            Optional<UploadError> error) implements UploadJob {
    }
}
