package org.upcert.conformance.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.faults.profile.LocatedYaml;
import org.upcert.harness.faults.profile.ProfileProblem;
import org.upcert.harness.faults.profile.SchemaValidator;
import org.upcert.protocol.Protocol;

/**
 * Real messages against the protocol's JSON Schemas ({@code upcert/protocol/*.json},
 * docs/protocol.md): the Python reference extension is certified on one profile rich in events
 * (kills, termination notices, an expired change token, failed uploads) with the client's
 * protocol log on ({@code UPCERT_PROTOCOL_LOG}), and every line either side wrote is checked: the
 * envelope against {@code values.json#/$defs/message}, the params of every request and the
 * result or error of every answer against the schema of its method. Both sides' messages are
 * checked, the harness's and the Python client's.
 *
 * <p>The validator is the harness's own for profiles ({@link SchemaValidator}): the protocol's
 * schemas keep to the keywords it implements (tested in extension-protocol), and a cross-file
 * {@code $ref} into {@code values.json} is made local by copying its definitions in.
 */
class ProtocolMessagesMatchSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VALUES_REF = "urn:upcert:protocol:" + Protocol.VERSION + ":values#";

    @Test
    @DisplayName("every message of a Python extension's run matches its method's schema, both ways")
    void messagesMatchSchemas(@TempDir Path dir) throws Exception {
        String python = Python.require();
        Path log = dir.resolve("protocol");
        String command = "env UPCERT_PROTOCOL_LOG='" + log + "' "
                + Python.command(python, Python.EXAMPLES.resolve("reference_extension.py"));
        Python.Outcome outcome = Python.certify("--extension-cmd", command, "--profiles", "everything", "--seeds", "1",
                "--rules", "JOB-01", "--quiet", "--out", dir.resolve("out").toString());
        assertTrue(outcome.code() == 0 || outcome.code() == 1, "certify ran: " + outcome.err());

        JsonNode values = resource("values.json");
        SchemaValidator envelope = validator(JSON.createObjectNode().put("$ref", "#/$defs/message"), values);
        TreeMap<String, SchemaValidator> methods = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        int messages = 0;
        List<Path> files;
        // a folder per launch (launch-…/protocol-<pid>.jsonl): no launch sees another's
        try (Stream<Path> paths = Files.walk(log)) {
            files = paths.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(files.size() > 1, "one log per process, and the run relaunched processes: " + files);
        for (Path file : files) {
            // Per process: the method of each request, by who sent it and its id (ids are per side,
            // never reused within a process).
            List<String> lines = Files.readAllLines(file);
            TreeMap<String, String> requests = new TreeMap<>();
            for (String text : lines) {
                JsonNode entry = JSON.readTree(text);
                if (entry.path("message").has("method")) {
                    requests.put(entry.path("dir").asText() + " " + entry.path("message").path("id").asText(),
                            entry.path("message").path("method").asText());
                }
            }
            int line = 0;
            for (String text : lines) {
                line++;
                messages++;
                JsonNode entry = JSON.readTree(text);
                String direction = entry.path("dir").asText();
                JsonNode message = entry.path("message");
                String where = file.getFileName() + ":" + line + " (" + direction + ")";
                check(envelope, message, where + " envelope", problems);
                String id = message.path("id").asText();
                if (message.has("method")) {
                    String method = message.path("method").asText();
                    seen.add(method);
                    ObjectNode exchange = JSON.createObjectNode().put("method", method);
                    exchange.set("params", message.path("params"));
                    check(methods.computeIfAbsent(method, m -> validator(resource(m + ".json"), values)), exchange,
                            where + " " + method + " params", problems);
                } else {
                    String method = requests.get((direction.equals("sent") ? "received " : "sent ") + id);
                    if (method == null) {
                        problems.add(where + ": an answer to no request: " + abbreviate(message));
                        continue;
                    }
                    ObjectNode answer = JSON.createObjectNode().put("method", method);
                    if (message.has("error")) {
                        answer.set("error", message.path("error"));
                        seen.add(method + " error " + message.path("error").path("code").asInt());
                    } else {
                        answer.set("result", message.path("result"));
                    }
                    check(answerValidator(methods, method, values), answer, where + " " + method + " answer", problems);
                }
            }
        }
        assertEquals(List.of(), problems.size() > 20 ? problems.subList(0, 20) : problems, problems.size() + " problems");
        assertTrue(messages > 1000, "a run's worth of messages: " + messages);
        for (String method : List.of(Protocol.HELLO, Protocol.LAUNCH, Protocol.PROCESS_JOBS, Protocol.WILL_TERMINATE,
                Protocol.AUTHORIZATION_STATUS, Protocol.IS_ENABLED, Protocol.FETCH_ASSETS, Protocol.CURRENT_CHANGE_TOKEN,
                Protocol.FETCH_PERSISTENT_CHANGES, Protocol.JOB_LIMIT, Protocol.FETCH_JOBS, Protocol.PERFORM_CHANGES,
                Protocol.HEADER_LOOKUPS, Protocol.STORAGE_READ, Protocol.STORAGE_WRITE, Protocol.STORAGE_APPEND,
                Protocol.STORAGE_LIST, Protocol.HTTP_SEND, Protocol.LOG, "processJobs error 4")) {
            assertTrue(seen.contains(method), "the run exercised " + method + "; seen: " + seen);
        }
    }

    @Test
    @DisplayName("the schemas reject what is wrong: an unknown action, a job without an id, a bad change op, a missing call")
    void schemasReject() throws Exception {
        JsonNode values = resource("values.json");
        SchemaValidator fetchJobs = validator(resource(Protocol.FETCH_JOBS + ".json"), values);
        SchemaValidator performChanges = validator(resource(Protocol.PERFORM_CHANGES + ".json"), values);
        List<String> problems = new ArrayList<>();
        check(fetchJobs, JSON.readTree("{\"method\":\"library.fetchJobs\",\"params\":{\"call\":1,\"action\":\"ACKNOWLEDGE\"},"
                + "\"result\":[{\"id\":\"J000001\",\"state\":\"FAILED\",\"type\":\"UPLOAD\","
                + "\"destination\":{\"url\":\"http://h/x\",\"method\":\"PUT\",\"headers\":{}}}]}"), "valid", problems);
        assertEquals(List.of(), problems, "a valid exchange passes");
        for (String wrong : List.of(
                "{\"method\":\"library.fetchJobs\",\"params\":{\"call\":1,\"action\":\"EVERYTHING\"}}",
                "{\"method\":\"library.fetchJobs\",\"params\":{\"action\":\"RETRY\"}}",
                "{\"method\":\"library.fetchJobs\",\"params\":{\"call\":1,\"action\":\"RETRY\"},\"result\":[{\"state\":\"FAILED\","
                        + "\"type\":\"UPLOAD\",\"destination\":{\"url\":\"http://h/x\",\"method\":\"PUT\"}}]}")) {
            List<String> found = new ArrayList<>();
            check(fetchJobs, JSON.readTree(wrong), "wrong", found);
            assertTrue(!found.isEmpty(), "rejected: " + wrong);
        }
        List<String> found = new ArrayList<>();
        check(performChanges, JSON.readTree("{\"method\":\"library.performChanges\",\"params\":{\"call\":1,\"changes\":"
                + "[{\"op\":\"create\",\"resource\":null,\"destination\":null,\"placeholder\":\"7\"}]}}"), "wrong", found);
        assertTrue(!found.isEmpty(), "a placeholder that is not J%06d is rejected");
    }

    /** The schema of a method's answer: its exchange schema without the params requirement. */
    private static SchemaValidator answerValidator(Map<String, SchemaValidator> methods, String method, JsonNode values) {
        return methods.computeIfAbsent(method + " answer", key -> {
            ObjectNode schema = resource(method + ".json").deepCopy();
            schema.remove("required");
            ((ObjectNode) schema.path("properties")).remove("params");
            return validator(schema, values);
        });
    }

    private static void check(SchemaValidator validator, JsonNode value, String where, List<String> problems) {
        try {
            String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
            for (ProfileProblem problem : validator.validate(LocatedYaml.read(where, text))) {
                problems.add(problem.toString() + " in " + abbreviate(value));
            }
        } catch (Exception e) {
            problems.add(where + ": " + e);
        }
    }

    private static String abbreviate(JsonNode value) {
        String text = value.toString();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    /** A validator for {@code schema} whose references into values.json are made local. */
    private static SchemaValidator validator(JsonNode schema, JsonNode values) {
        ObjectNode copy = (ObjectNode) localize(schema.deepCopy());
        ObjectNode defs = copy.has("$defs") ? (ObjectNode) copy.get("$defs") : copy.putObject("$defs");
        values.path("$defs").fields().forEachRemaining(e -> defs.set(e.getKey(), localize(e.getValue().deepCopy())));
        return new SchemaValidator(copy);
    }

    private static JsonNode localize(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                if (member.getKey().equals("$ref") && member.getValue().asText().startsWith(VALUES_REF)) {
                    member.setValue(TextNode.valueOf("#" + member.getValue().asText().substring(VALUES_REF.length())));
                } else {
                    localize(member.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(ProtocolMessagesMatchSchemasTest::localize);
        }
        return node;
    }

    private static JsonNode resource(String name) {
        try (InputStream in = ProtocolMessagesMatchSchemasTest.class.getClassLoader().getResourceAsStream("upcert/protocol/" + name)) {
            assertNotNull(in, "no schema upcert/protocol/" + name);
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
