package org.upcert.harness.host.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.api.ChangeToken;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.JobAction;
import org.upcert.api.PersistentChange;
import org.upcert.api.PhotosException;
import org.upcert.api.UploadJob;
import org.upcert.harness.host.CallContext;
import org.upcert.harness.host.CallContext.RecordedChange;
import org.upcert.harness.host.ExtensionKilled;
import org.upcert.protocol.Connection;
import org.upcert.protocol.Protocol;
import org.upcert.protocol.ValueStreams;
import org.upcert.protocol.RpcError;
import org.upcert.protocol.Values;
import org.upcert.protocol.OsLevelJob;
import org.upcert.protocol.WatchedHeaders;

/**
 * Performs one API request of an extension process: the same {@link CallContext} call an
 * in-process extension would make, so the gate (counting, faults, costs, trace) is the same code
 * in every isolation mode. The request's {@code call} names the activation whose context it uses;
 * a context that has ended refuses it, as it refuses a leftover thread in process.
 */
final class ApiDispatcher {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Where requests of ended or unknown activations, and sandbox reports, go. */
    interface Listener {
        void refused(int activation, String api, String reason);

        void violation(int activation, String kind, String what);
    }

    private final IntFunction<CallContext> contexts;
    private final Listener listener;

    ApiDispatcher(IntFunction<CallContext> contexts, Listener listener) {
        this.contexts = contexts;
        this.listener = listener;
    }

    CompletionStage<JsonNode> handle(String method, JsonNode params) {
        try {
            return CompletableFuture.completedFuture(perform(method, params));
        } catch (RpcError e) {
            return CompletableFuture.failedFuture(e);
        } catch (ExtensionKilled e) {
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_KILLED, e.getMessage()));
        } catch (org.upcert.api.StorageUnavailableException e) {
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_STORAGE_UNAVAILABLE, e.getMessage()));
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_REFUSED, e.getMessage()));
        } catch (UnsupportedOperationException e) {
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_UNAVAILABLE, e.getMessage()));
        } catch (IllegalArgumentException | NullPointerException e) {
            return CompletableFuture.failedFuture(new RpcError(Protocol.ERROR_INVALID_PARAMS,
                    method + ": " + (e.getMessage() == null ? e.toString() : e.getMessage())));
        }
    }

    private JsonNode perform(String method, JsonNode params) throws RpcError {
        if (!params.isObject()) {
            throw new RpcError(Protocol.ERROR_INVALID_PARAMS, method + ": params must be an object");
        }
        int activation = (int) Values.number(params, "call");
        if (method.equals(Protocol.SANDBOX_VIOLATION)) {
            listener.violation(activation, Values.text(params, "kind"), Values.text(params, "what"));
            return NODES.nullNode();
        }
        CallContext context = contexts.apply(activation);
        if (context == null) {
            listener.refused(activation, method, "after return");
            throw new RpcError(Protocol.ERROR_REFUSED, "the context of call " + activation + " is no longer valid; " + method
                    + " is refused (no work may continue after processJobs returns)");
        }
        switch (method) {
            case Protocol.AUTHORIZATION_STATUS:
                return NODES.textNode(context.library().authorizationStatus().name());
            case Protocol.IS_ENABLED:
                return NODES.booleanNode(context.library().isUploadJobExtensionEnabled());
            case Protocol.FETCH_ASSETS: {
                List<Asset> assets = params.has("localIdentifiers") && !params.get("localIdentifiers").isNull()
                        ? context.library().fetchAssets(Values.readTexts(params.get("localIdentifiers"), "localIdentifiers"))
                        : context.library().fetchAssets();
                // Streamed when the reply is written: records, already read under the system's lock.
                return Connection.streamed(out -> ValueStreams.assets(out, assets));
            }
            case Protocol.CURRENT_CHANGE_TOKEN:
                return NODES.textNode(context.library().currentChangeToken().encoded());
            case Protocol.FETCH_PERSISTENT_CHANGES:
                try {
                    ArrayNode list = NODES.arrayNode();
                    for (PersistentChange change : context.library().fetchPersistentChanges(new ChangeToken(Values.text(params, "token")))) {
                        list.add(Values.change(change));
                    }
                    return list;
                } catch (PhotosException e) {
                    throw photos(e);
                }
            case Protocol.JOB_LIMIT:
                return NODES.numberNode(context.library().jobLimit());
            case Protocol.FETCH_JOBS: {
                // Each job read here, now, into a record (the system moves on after this call); the
                // records are streamed when the reply is written, with no tree in between.
                List<Values.Job> jobs = new ArrayList<>();
                for (UploadJob job : context.library().fetchJobs(Values.enumValue(JobAction.class, params, "action"))) {
                    UploadJob plain = WatchedHeaders.unwatched(OsLevelJob.unrestricted(job));
                    jobs.add(new Values.Job(plain.localIdentifier(), plain.state(), plain.type(), plain.resource(),
                            plain.destination(), plain.responseHeaderFields(), plain.error()));
                }
                return Connection.streamed(out -> {
                    out.writeStartArray();
                    for (Values.Job job : jobs) {
                        ValueStreams.job(out, job, job.responseHeaderFields());
                    }
                    out.writeEndArray();
                });
            }
            case Protocol.ASSET_RESOURCE: {
                UploadJob job = new Values.Job(Values.text(params, "job"), null, null, Optional.empty(), null,
                        Optional.empty(), Optional.empty());
                Optional<AssetResource> resource = context.library().assetResource(job);
                return resource.<JsonNode>map(Values::resource).orElse(NODES.nullNode());
            }
            case Protocol.REQUEST_DATA:
                try {
                    ObjectNode data = NODES.objectNode();
                    data.put("data", Values.base64(context.library().requestData(Values.readResource(params.get("resource")))));
                    return data;
                } catch (PhotosException e) {
                    throw photos(e);
                }
            case Protocol.PERFORM_CHANGES:
                return performChanges(context, params);
            case Protocol.CHANGES_OUTSIDE_BLOCK:
                context.refuseOutsideBlock(Values.text(params, "api"));
                return NODES.nullNode();
            case Protocol.API_UNAVAILABLE: {
                String api = Values.text(params, "api");
                String since = CallContext.availableSince(api);
                if (since == null || context.osAtLeast(since)) {
                    throw new IllegalArgumentException("api " + api + " is available at iOS " + context.osVersion()
                            + "; api.unavailable names a member the OS level lacks");
                }
                throw context.refuseUnavailable(api, since);
            }
            case Protocol.HEADER_LOOKUPS:
                for (JsonNode lookup : Values.list(params, "lookups")) {
                    if (!lookup.isArray() || lookup.size() != 2) {
                        throw new IllegalArgumentException("lookups must be [job, name] pairs");
                    }
                    context.headerLookup(lookup.get(0).asText(), lookup.get(1).asText());
                }
                if (params.has("reads")) {
                    for (JsonNode job : Values.list(params, "reads")) {
                        context.headerLookup(job.asText(), WatchedHeaders.WHOLE); // the whole map read: a copy, an iteration
                    }
                }
                return NODES.nullNode();
            case Protocol.STORAGE_READ:
                return context.storage().read(Values.text(params, "name")).<JsonNode>map(bytes -> {
                    ObjectNode data = NODES.objectNode();
                    data.put("data", Values.base64(bytes));
                    return data;
                }).orElse(NODES.nullNode());
            case Protocol.STORAGE_WRITE:
                context.storage().write(Values.text(params, "name"), Values.bytes(params, "data"));
                return NODES.nullNode();
            case Protocol.STORAGE_APPEND:
                context.storage().append(Values.text(params, "name"), Values.bytes(params, "data"));
                return NODES.nullNode();
            case Protocol.STORAGE_DELETE:
                return NODES.booleanNode(context.storage().delete(Values.text(params, "name")));
            case Protocol.STORAGE_LIST:
                return Values.texts(context.storage().list(Values.text(params, "prefix")));
            case Protocol.HTTP_SEND:
                try {
                    ExtensionHttp.Response response = context.http().send(Values.readRequest(params.get("request")),
                            Values.bytes(params, "body"));
                    return Values.response(response);
                } catch (ExtensionHttp.TransportException e) {
                    ObjectNode data = NODES.objectNode();
                    data.set("error", Values.error(e.error()));
                    throw new RpcError(Protocol.ERROR_TRANSPORT, e.getMessage(), data);
                }
            case Protocol.LOG: {
                if (params.has("count")) {
                    // lines past the run's log budget, counted in the worker (CallContext.LOG_LINES_PER_RUN)
                    context.countLogLines(Values.number(params, "count"));
                    return counted(context);
                }
                String level = Values.text(params, "level");
                String message = Values.text(params, "message");
                switch (level) {
                    case "info" -> context.log().info(message);
                    case "warn" -> context.log().warn(message);
                    case "error" -> context.log().error(message);
                    default -> throw new IllegalArgumentException("level must be info, warn or error");
                }
                return counted(context);
            }
            default:
                throw new RpcError(Protocol.ERROR_METHOD_NOT_FOUND, "no method " + method);
        }
    }

    /**
     * The answer to {@code log}: null, or {@code {"counted":true}} once the run's log lines passed
     * {@link CallContext#LOG_LINES_PER_RUN}: the client may then send counts ({@code count}) instead of lines.
     */
    private static JsonNode counted(CallContext context) {
        if (!context.logLinesCounted()) {
            return NODES.nullNode();
        }
        ObjectNode counted = NODES.objectNode();
        counted.put("counted", true);
        return counted;
    }

    private static JsonNode performChanges(CallContext context, JsonNode params) throws RpcError {
        if (params.path("nested").asBoolean(false)) {
            context.nestedBlock();
            return NODES.nullNode();
        }
        List<RecordedChange> changes = new ArrayList<>();
        for (JsonNode op : Values.list(params, "changes")) {
            String kind = Values.text(op, "op");
            switch (kind) {
                case "create" -> changes.add(new RecordedChange(RecordedChange.Kind.CREATE, null,
                        present(op, "resource") ? Values.readResource(op.get("resource")) : null,
                        present(op, "destination") ? Values.readRequest(op.get("destination")) : null,
                        Values.text(op, "placeholder")));
                case "createDownload" -> changes.add(new RecordedChange(RecordedChange.Kind.CREATE_DOWNLOAD, null,
                        present(op, "resource") ? Values.readResource(op.get("resource")) : null, null,
                        Values.text(op, "placeholder")));
                case "acknowledge" -> changes.add(new RecordedChange(RecordedChange.Kind.ACKNOWLEDGE,
                        Values.optionalText(op, "job").orElse(null), null, null, null));
                case "retry" -> changes.add(new RecordedChange(RecordedChange.Kind.RETRY, Values.optionalText(op, "job").orElse(null),
                        null, present(op, "destination") ? Values.readRequest(op.get("destination")) : null, null));
                case "cancel" -> changes.add(new RecordedChange(RecordedChange.Kind.CANCEL,
                        Values.optionalText(op, "job").orElse(null), null, null, null));
                default -> throw new IllegalArgumentException("op must be create, createDownload, acknowledge, retry or cancel, not " + kind);
            }
        }
        try {
            return Values.outcome(context.submitChanges(changes, Values.optionalText(params, "threw").orElse(null)));
        } catch (PhotosException e) {
            throw photos(e);
        }
    }

    private static boolean present(JsonNode node, String member) {
        return node.has(member) && !node.get(member).isNull();
    }

    private static RpcError photos(PhotosException e) {
        ObjectNode data = NODES.objectNode();
        data.put("photosError", e.code().name());
        data.put("rawValue", e.code().rawValue());
        // The reason as the system gave it, without PhotosException's "PHPhotosErrorDomain N (NAME): "
        // prefix, so the exception rebuilt on the other side has the very same message.
        String message = e.getMessage();
        int prefixEnd = message.indexOf("): ");
        data.put("reason", prefixEnd < 0 ? message : message.substring(prefixEnd + 3));
        return new RpcError(Protocol.ERROR_PHOTOS, message, data);
    }
}
