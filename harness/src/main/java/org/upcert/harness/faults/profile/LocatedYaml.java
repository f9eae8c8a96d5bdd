package org.upcert.harness.faults.profile;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into a Jackson tree while the token stream is walked, so every node keeps
 * the line and column it came from: a map from JSON Pointer ({@code /faults/2/kind}) to the
 * location of the value, and another to the location of the key that introduced it. Duplicate
 * keys, which YAML forbids but parsers tolerate, are reported here (the first value is kept).
 *
 * <p>The maps are used for look-ups only, never iterated, so their order cannot leak anywhere.
 */
public final class LocatedYaml {
    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final String file;
    private final JsonNode root;
    private final Map<String, Location> values;
    private final Map<String, Location> keys;

    private LocatedYaml(String file, JsonNode root, Map<String, Location> values, Map<String, Location> keys) {
        this.file = file;
        this.root = root;
        this.values = values;
        this.keys = keys;
    }

    /**
     * Reads one YAML document. Syntax errors, duplicate keys, an empty file or a second document
     * are problems with their location.
     *
     * @param file how problems name the source
     */
    public static LocatedYaml read(String file, String text) throws ProfileException {
        Reader reader = new Reader(file);
        JsonNode root = reader.readDocument(text);
        if (!reader.problems.isEmpty()) {
            List<ProfileProblem> sorted = new ArrayList<>(reader.problems);
            sorted.sort(ProfileProblem.SOURCE_ORDER);
            throw new ProfileException(sorted);
        }
        return new LocatedYaml(file, root, reader.values, reader.keys);
    }

    public String file() {
        return file;
    }

    public JsonNode root() {
        return root;
    }

    /** Where the value at {@code pointer} starts; falls back to the nearest enclosing node. */
    public Location location(String pointer) {
        String p = pointer;
        while (true) {
            Location location = values.get(p);
            if (location != null) {
                return location;
            }
            if (p.isEmpty()) {
                return new Location(file, 1, 1);
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** Where the key of the member at {@code pointer} is written (for "unknown key"); else the value's location. */
    public Location keyLocation(String pointer) {
        Location location = keys.get(pointer);
        return location != null ? location : location(pointer);
    }

    /** {@code base + "/" + token}, escaped as RFC 6901 says. */
    public static String child(String base, String token) {
        return base + "/" + token.replace("~", "~0").replace("/", "~1");
    }

    public static String child(String base, int index) {
        return base + "/" + index;
    }

    private static final class Reader {
        private final String file;
        private final Map<String, Location> values = new TreeMap<>();
        private final Map<String, Location> keys = new TreeMap<>();
        private final List<ProfileProblem> problems = new ArrayList<>();
        private JsonParser parser;
        private String[] lines;

        Reader(String file) {
            this.file = file;
        }

        JsonNode readDocument(String text) {
            lines = text.split("\r?\n", -1);
            try (JsonParser p = YAML.createParser(text)) {
                parser = p;
                JsonToken first = p.nextToken();
                if (first == null) {
                    problems.add(new ProfileProblem(new Location(file, 1, 1),
                            "found an empty document, expected a profile (a mapping with description, workload, faults, ...)"));
                    return NODES.nullNode();
                }
                JsonNode root = readValue("");
                JsonToken extra = p.nextToken();
                if (extra != null) {
                    problems.add(new ProfileProblem(here(),
                            "found a second YAML document, expected one profile per file"));
                }
                return root;
            } catch (JsonProcessingException e) {
                problems.add(syntaxProblem(e));
                return NODES.nullNode();
            } catch (IOException e) {
                problems.add(new ProfileProblem(new Location(file, 1, 1), "cannot read: " + e.getMessage()));
                return NODES.nullNode();
            }
        }

        private JsonNode readValue(String pointer) throws IOException {
            JsonToken token = parser.currentToken();
            values.put(pointer, here());
            switch (token) {
                case START_OBJECT: {
                    ObjectNode object = NODES.objectNode();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String name = parser.currentName();
                        Location keyAt = here();
                        String childPointer = child(pointer, name);
                        parser.nextToken();
                        if (object.has(name)) {
                            Location first = keys.get(childPointer);
                            problems.add(new ProfileProblem(keyAt, "found key '" + name + "' a second time, expected each key once"
                                    + (first != null ? " (first at line " + first.line() + ", column " + first.column() + ")" : "")));
                            skipDuplicate();
                            continue;
                        }
                        keys.put(childPointer, keyAt);
                        object.set(name, readValue(childPointer));
                    }
                    return object;
                }
                case START_ARRAY: {
                    ArrayNode array = NODES.arrayNode();
                    int index = 0;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        array.add(readValue(child(pointer, index++)));
                    }
                    return array;
                }
                case VALUE_STRING:
                    if (((YAMLParser) parser).isCurrentAlias()) {
                        problems.add(new ProfileProblem(here(), "found an alias (*" + parser.getText()
                                + "), expected a value written out: profiles do not use YAML anchors and aliases"));
                        return NODES.nullNode();
                    }
                    if (parser.getText().isEmpty() && !quotedAt(here())) {
                        return NODES.nullNode(); // an empty plain value is null in YAML
                    }
                    return NODES.textNode(parser.getText());
                case VALUE_NUMBER_INT:
                    switch (parser.getNumberType()) {
                        case INT:
                            return NODES.numberNode(parser.getIntValue());
                        case LONG:
                            return NODES.numberNode(parser.getLongValue());
                        default:
                            return NODES.numberNode(parser.getBigIntegerValue());
                    }
                case VALUE_NUMBER_FLOAT:
                    return NODES.numberNode(parser.getDoubleValue());
                case VALUE_TRUE:
                    return NODES.booleanNode(true);
                case VALUE_FALSE:
                    return NODES.booleanNode(false);
                case VALUE_NULL:
                    return NODES.nullNode();
                default:
                    // !!binary and other embedded objects: keep the text so the schema reports its type.
                    return NODES.textNode(String.valueOf(parser.getText()));
            }
        }

        /** Walks over a duplicate key's value so locations of the first one stay intact. */
        private void skipDuplicate() throws IOException {
            parser.skipChildren();
        }

        /** Whether the source has a quote at {@code at} (an explicitly empty string, not an empty value). */
        private boolean quotedAt(Location at) {
            if (at.line() > lines.length) {
                return false;
            }
            String line = lines[at.line() - 1];
            int index = at.column() - 1;
            return index < line.length() && (line.charAt(index) == '\'' || line.charAt(index) == '"');
        }

        private Location here() {
            JsonLocation location = parser.currentTokenLocation();
            return new Location(file, Math.max(1, location.getLineNr()), Math.max(1, location.getColumnNr()));
        }

        private ProfileProblem syntaxProblem(JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            int line = at != null && at.getLineNr() > 0 ? at.getLineNr() : 1;
            int column = at != null && at.getColumnNr() > 0 ? at.getColumnNr() : 1;
            String what = e.getOriginalMessage();
            Throwable cause = e.getCause();
            if (cause instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
                String problem = marked.getProblem() != null ? marked.getProblem() : "";
                String context = marked.getContext() != null ? marked.getContext() : "";
                org.yaml.snakeyaml.error.Mark contextMark = marked.getContextMark();
                what = problem;
                if (!context.isEmpty()) {
                    what += " (" + context + (contextMark != null
                            ? " that starts at line " + (contextMark.getLine() + 1) + ", column " + (contextMark.getColumn() + 1)
                            : "") + ")";
                }
                if (marked.getProblemMark() != null) {
                    line = marked.getProblemMark().getLine() + 1;
                    column = marked.getProblemMark().getColumn() + 1;
                }
            }
            if (what == null || what.isBlank()) {
                what = "unreadable YAML";
            }
            what = what.replace('\n', ' ').strip();
            return new ProfileProblem(new Location(file, line, column), "YAML syntax error: " + what);
        }
    }
}
