package org.upcert.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
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

/**
 * The JSON Schemas of the protocol ({@code upcert/protocol/*.json}, docs/protocol.md): one per
 * method of {@link Protocol}, each a draft 2020-12 schema of one exchange whose {@code params},
 * {@code result} and {@code error} properties are the method's messages, plus {@code values.json}
 * with the shared definitions. Whether real messages match them is tested where messages are
 * made (conformance-tests, {@code ProtocolMessagesMatchSchemasTest}).
 */
class ProtocolSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FOLDER = "upcert/protocol/";
    private static final String ID_PREFIX = "urn:upcert:protocol:" + Protocol.VERSION + ":";
    private static final String VALUES_REF = ID_PREFIX + "values#";
    /**
     * The keywords the schemas may use, all standard 2020-12: those the harness's SchemaValidator
     * (networknt's validator behind it) phrases in upcert's words; another keyword would still be
     * validated, with a plainer message.
     */
    private static final java.util.Set<String> KEYWORDS = java.util.Set.of("$schema", "$id", "$defs", "$ref", "$comment",
            "title", "description", "default", "examples", "type", "enum", "const", "minimum", "maximum", "minLength",
            "minItems", "pattern", "properties", "required", "additionalProperties", "items", "oneOf", "anyOf", "allOf",
            "if", "then", "else");

    /** Every method name {@link Protocol} declares (its String constants other than environment variables). */
    static List<String> methods() throws IllegalAccessException {
        List<String> methods = new ArrayList<>();
        for (Field field : Protocol.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class && !field.getName().startsWith("ENV_")) {
                methods.add((String) field.get(null));
            }
        }
        return methods;
    }

    static TreeMap<String, JsonNode> schemaFiles() throws IOException, URISyntaxException {
        URL folder = ProtocolSchemasTest.class.getClassLoader().getResource(FOLDER + "values.json");
        assertNotNull(folder, FOLDER + "values.json is on the class path");
        TreeMap<String, JsonNode> files = new TreeMap<>();
        try (Stream<Path> paths = Files.list(Path.of(folder.toURI()).getParent())) {
            for (Path path : paths.filter(p -> p.toString().endsWith(".json")).toList()) {
                files.put(path.getFileName().toString(), JSON.readTree(path.toFile()));
            }
        }
        return files;
    }

    @Test
    @DisplayName("every method of Protocol has a schema file: a 2020-12 schema of its exchange with params, result and error")
    void everyMethodHasASchema() throws Exception {
        TreeMap<String, JsonNode> files = schemaFiles();
        List<String> methods = methods();
        assertTrue(methods.size() >= 24, "the methods of protocol 1: " + methods);
        for (String method : methods) {
            JsonNode schema = files.get(method + ".json");
            assertNotNull(schema, "no schema file " + FOLDER + method + ".json");
            assertEquals("https://json-schema.org/draft/2020-12/schema", schema.path("$schema").asText(), method);
            assertEquals(ID_PREFIX + method, schema.path("$id").asText(), method);
            assertEquals(method, schema.path("title").asText(), method);
            assertFalse(schema.path("description").asText().isBlank(), method + " says what it does");
            assertEquals(method, schema.path("properties").path("method").path("const").asText(), method);
            for (String part : List.of("params", "result", "error")) {
                assertTrue(schema.path("properties").path(part).isObject(), method + " has a " + part + " schema");
            }
            String direction = schema.path("description").asText();
            assertTrue(direction.startsWith("extension → harness.") || direction.startsWith("harness → extension."),
                    method + " names its direction first: " + direction);
        }
    }

    @Test
    @DisplayName("every schema file is values.json or a method Protocol declares")
    void noStrayFiles() throws Exception {
        TreeSet<String> expected = new TreeSet<>();
        methods().forEach(method -> expected.add(method + ".json"));
        expected.add("values.json");
        assertEquals(expected, new TreeSet<>(schemaFiles().keySet()));
    }

    @Test
    @DisplayName("every $ref resolves, and only keywords a small validator implements are used")
    void refsResolve() throws Exception {
        TreeMap<String, JsonNode> files = schemaFiles();
        JsonNode values = files.get("values.json");
        assertEquals(ID_PREFIX + "values", values.path("$id").asText());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> file : files.entrySet()) {
            walk(file.getKey(), "#", file.getValue(), file.getValue(), values, problems);
        }
        assertEquals(List.of(), problems);
    }

    @Test
    @DisplayName("the protocol's numbers are the documented ones")
    void numbers() {
        assertEquals(1, Protocol.VERSION);
        assertEquals(64 * 1024 * 1024, Protocol.MAX_MESSAGE_BYTES);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), List.of(Protocol.ERROR_PHOTOS, Protocol.ERROR_TRANSPORT, Protocol.ERROR_REFUSED,
                Protocol.ERROR_KILLED, Protocol.ERROR_THREW, Protocol.ERROR_CRASHED, Protocol.ERROR_DENIED, Protocol.ERROR_UNAVAILABLE));
    }

    private static void walk(String file, String pointer, JsonNode node, JsonNode root, JsonNode values, List<String> problems) {
        if (!node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String key = member.getKey();
            JsonNode sub = member.getValue();
            String here = pointer + "/" + key;
            if (!KEYWORDS.contains(key)) {
                problems.add(file + " " + here + ": keyword " + key + " is not one the harness's validator implements");
            }
            switch (key) {
                case "$ref" -> {
                    String ref = sub.asText();
                    JsonNode target = ref.startsWith(VALUES_REF) ? values.at(ref.substring(VALUES_REF.length()))
                            : ref.startsWith("#") ? root.at(ref.substring(1)) : null;
                    if (target == null || target.isMissingNode()) {
                        problems.add(file + " " + here + ": $ref " + ref + " resolves to nothing");
                    }
                }
                case "properties", "$defs" -> sub.fields().forEachRemaining(e -> walk(file, here + "/" + e.getKey(), e.getValue(),
                        root, values, problems));
                case "items", "additionalProperties", "if", "then", "else" -> walk(file, here, sub, root, values, problems);
                case "oneOf", "anyOf", "allOf" -> {
                    for (int i = 0; i < sub.size(); i++) {
                        walk(file, here + "/" + i, sub.get(i), root, values, problems);
                    }
                }
                default -> {
                }
            }
        }
    }
}
