package org.upcert.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.upcert.api.API;

/** A JSON-RPC error, as received or to be sent: a code ({@link Protocol}), a text and data. */
@API(status = API.Status.INTERNAL, since = "0.2")
public final class RpcError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final transient JsonNode data;

    public RpcError(int code, String message, JsonNode data) {
        super(message);
        this.code = code;
        this.data = data == null ? JsonNodeFactory.instance.objectNode() : data;
    }

    public RpcError(int code, String message) {
        this(code, message, null);
    }

    public int code() {
        return code;
    }

    public JsonNode data() {
        return data;
    }

    /** A new error whose data has one text member. */
    public static RpcError of(int code, String message, String dataKey, String dataValue) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put(dataKey, dataValue);
        return new RpcError(code, message, data);
    }

    @Override
    public String toString() {
        return "error " + code + ": " + getMessage();
    }
}
