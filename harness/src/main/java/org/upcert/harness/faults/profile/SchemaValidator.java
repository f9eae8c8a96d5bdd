package org.upcert.harness.faults.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Validates a profile tree against {@code upcert/profiles/profile.schema.json} (in the {@code
 * fault-profiles} jar), and says what is wrong the way upcert says it: {@code file:line:column:
 * found X, expected Y}, with a did-you-mean.
 *
 * <p>Validation is networknt's json-schema-validator (JSON Schema 2020-12, every keyword); this
 * class only <em>phrases</em> its errors. Each error names the keyword that failed, where in the
 * document (a JSON Pointer, located through {@link LocatedYaml}) and where in the schema; the
 * message is built from the schema around that keyword: its {@code title} says what a value was
 * expected to be, else its type, bounds or allowed words. For {@code oneOf}/{@code anyOf}, whose
 * alternatives in upcert's schemas differ by type (a number or a {min, max} mapping, a text or a
 * whole number), the errors of the one alternative of the value's own type say the most; with no
 * such alternative, the union's title does. A keyword this class has no phrasing for is still
 * reported, as "found X, expected" the schema's title or type.
 */
public final class SchemaValidator {
    /** The classpath resource of the profile schema. */
    public static final String PROFILE_SCHEMA = "upcert/profiles/profile.schema.json";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final JsonNode schema;
    /** Thread-safe once built (networknt's documented contract): certify validates profiles from several threads. */
    private final Schema compiled;

    public SchemaValidator(JsonNode schema) {
        this.schema = schema;
        this.compiled = REGISTRY.getSchema(schema);
    }

    /** The validator for the profile schema shipped in {@code fault-profiles}. */
    public static SchemaValidator profileSchema() {
        return Holder.PROFILE;
    }

    private static final class Holder {
        static final SchemaValidator PROFILE = new SchemaValidator(loadSchema());

        private static JsonNode loadSchema() {
            try (InputStream in = SchemaValidator.class.getClassLoader().getResourceAsStream(PROFILE_SCHEMA)) {
                if (in == null) {
                    throw new IllegalStateException(PROFILE_SCHEMA + " is not on the classpath (the fault-profiles jar)");
                }
                return new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public JsonNode schema() {
        return schema;
    }

    /** Every problem of {@code document} against the schema, in source order, each once. */
    public List<ProfileProblem> validate(LocatedYaml document) {
        List<Error> errors = compiled.validate(document.root());
        List<ProfileProblem> problems = new ArrayList<>();
        phrase(errors, 0, errors.size(), document, problems);
        List<ProfileProblem> once = new ArrayList<>(new java.util.LinkedHashSet<>(problems));
        once.sort(ProfileProblem.SOURCE_ORDER);
        return once;
    }

    /**
     * Phrases errors {@code [from, to)}. A {@code oneOf}/{@code anyOf} error is followed by the
     * errors of its alternatives (their evaluation paths lie under its own): those are phrased
     * together, by {@link #alternatives}.
     */
    private void phrase(List<Error> errors, int from, int to, LocatedYaml doc, List<ProfileProblem> out) {
        int i = from;
        while (i < to) {
            Error error = errors.get(i);
            int end = i + 1;
            String keyword = error.getKeyword();
            if ("oneOf".equals(keyword) || "anyOf".equals(keyword)) {
                String under = error.getEvaluationPath().toString() + "/";
                while (end < to && errors.get(end).getEvaluationPath().toString().startsWith(under)) {
                    end++;
                }
                alternatives(error, errors, i + 1, end, doc, out);
            } else {
                out.add(one(error, doc));
            }
            i = end;
        }
    }

    /** A failed union: the problems of the alternative of the value's own type, or the union's title. */
    private void alternatives(Error union, List<Error> errors, int from, int to, LocatedYaml doc, List<ProfileProblem> out) {
        JsonNode s = schemaAround(union);
        JsonNode options = s.path(union.getKeyword());
        JsonNode value = union.getInstanceNode();
        String pointer = pointer(union);
        List<Integer> sameType = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            JsonNode type = declaredType(options.get(i));
            if (type != null && typeMatches(type, value)) {
                sameType.add(i);
            }
        }
        if (sameType.size() == 1 && (isContainer(declaredType(options.get(sameType.get(0)))) || !hasTitle(s))) {
            // A mapping or list of the right shape (or a union with no title): the alternative's own, deeper problems say the most.
            String prefix = union.getEvaluationPath().toString() + "/" + sameType.get(0) + "/";
            int start = -1;
            int end = -1;
            for (int i = from; i < to; i++) {
                if (errors.get(i).getEvaluationPath().toString().startsWith(prefix)) {
                    start = start < 0 ? i : start;
                    end = i + 1;
                }
            }
            if (start >= 0) {
                phrase(errors, start, end, doc, out);
                return;
            }
        }
        out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)));
    }

    /** One error, phrased from the schema around its keyword. */
    private ProfileProblem one(Error error, LocatedYaml doc) {
        JsonNode s = schemaAround(error);
        JsonNode value = error.getInstanceNode();
        String pointer = pointer(error);
        String keyword = error.getKeyword() == null ? "" : error.getKeyword();
        switch (keyword) {
            case "enum": {
                List<String> words = new ArrayList<>();
                s.path("enum").forEach(option -> words.add(option.asText()));
                String hint = value != null && value.isTextual() ? DidYouMean.hint(value.textValue(), words) : "";
                String title = s.has("title") ? s.get("title").asText() : "";
                boolean titleLists = words.stream().allMatch(title::contains);
                return problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)
                        + (s.has("title") && !titleLists ? " (" + String.join(", ", words) + ")" : "") + hint);
            }
            case "const":
                return problem(doc, pointer, "found " + describe(value) + ", expected " + literal(s.get("const")));
            case "minLength":
                return problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)
                        + " of at least " + s.get("minLength").intValue() + " character(s)");
            case "pattern":
                return problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)
                        + (s.has("title") ? "" : " matching " + s.get("pattern").asText()));
            case "minItems":
                return problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)
                        + " with at least " + s.get("minItems").intValue() + " item(s)");
            case "required": {
                String name = error.getProperty();
                JsonNode property = s.path("properties").get(name);
                String what = property != null && hasTitle(property) ? " (" + expected(property) + ")" : "";
                return problem(doc, pointer, "missing key '" + name + "'" + what + " in "
                        + (s.has("title") ? s.get("title").asText() : "this mapping") + ", expected it to be given");
            }
            case "additionalProperties": {
                String name = error.getProperty();
                List<String> allowed = new ArrayList<>();
                s.path("properties").fieldNames().forEachRemaining(allowed::add);
                return new ProfileProblem(doc.keyLocation(LocatedYaml.child(pointer, name)), "unknown key '" + name + "' in "
                        + (s.has("title") ? s.get("title").asText() : "this mapping")
                        + ", expected one of: " + String.join(", ", allowed) + DidYouMean.hint(name, allowed));
            }
            case "false":
                return problem(doc, pointer, "found " + describe(value) + ", expected nothing here");
            default:
                // type, minimum, maximum, and any keyword without a phrasing of its own
                return problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s));
        }
    }

    /** The document pointer of the value an error is about (RFC 6901, as {@link LocatedYaml} keys its locations). */
    private static String pointer(Error error) {
        NodePath path = error.getInstanceLocation();
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            pointer.append(element instanceof Integer index ? LocatedYaml.child("", index) : LocatedYaml.child("", String.valueOf(element)));
        }
        return pointer.toString();
    }

    /** The schema object that holds the failed keyword: its location without the keyword, inside this schema. */
    private JsonNode schemaAround(Error error) {
        String location = error.getSchemaLocation().toString();
        int hash = location.indexOf('#');
        String fragment = hash < 0 ? "" : location.substring(hash + 1);
        if (error.getKeyword() != null && fragment.endsWith("/" + error.getKeyword())) {
            fragment = fragment.substring(0, fragment.length() - error.getKeyword().length() - 1);
        }
        JsonNode node = schema.at(fragment);
        return node.isMissingNode() ? schema : node;
    }

    /** The schema a {@code $ref} names ({@code #/$defs/NAME} or any JSON Pointer into this schema). */
    JsonNode resolve(String ref) {
        if (!ref.startsWith("#")) {
            throw new IllegalStateException("only local $refs are supported: " + ref);
        }
        JsonNode target = schema.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new IllegalStateException("dangling $ref " + ref);
        }
        return target;
    }

    private JsonNode declaredType(JsonNode alternative) {
        if (alternative.has("type")) {
            return alternative.get("type");
        }
        if (alternative.has("$ref")) {
            return declaredType(resolve(alternative.get("$ref").asText()));
        }
        if (alternative.has("enum")) {
            TreeSet<String> types = new TreeSet<>();
            for (JsonNode option : alternative.get("enum")) {
                types.add(option.isTextual() ? "string" : option.isIntegralNumber() ? "integer" : option.isNumber() ? "number" : "other");
            }
            com.fasterxml.jackson.databind.node.ArrayNode array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            types.forEach(array::add);
            return array;
        }
        return null;
    }

    private static boolean isContainer(JsonNode type) {
        if (type.isArray()) {
            for (JsonNode one : type) {
                if (isContainer(one)) {
                    return true;
                }
            }
            return false;
        }
        return type.asText().equals("object") || type.asText().equals("array");
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode one : type) {
                if (typeMatches(one, value)) {
                    return true;
                }
            }
            return false;
        }
        switch (type.asText()) {
            case "object":
                return value.isObject();
            case "array":
                return value.isArray();
            case "string":
                return value.isTextual();
            case "integer":
                return value.isIntegralNumber();
            case "number":
                return value.isNumber();
            case "boolean":
                return value.isBoolean();
            case "null":
                return value.isNull();
            default:
                throw new IllegalStateException("unknown JSON Schema type " + type);
        }
    }


    /** What a schema expects, in words: its title, or the title behind its $ref, or its type. */
    String expected(JsonNode s) {
        if (s.has("title")) {
            return s.get("title").asText();
        }
        if (s.has("$ref")) {
            return expected(resolve(s.get("$ref").asText()));
        }
        if (s.has("const")) {
            return literal(s.get("const"));
        }
        if (s.has("enum")) {
            List<String> words = new ArrayList<>();
            s.get("enum").forEach(option -> words.add(literal(option)));
            return "one of " + String.join(", ", words);
        }
        if (s.has("type")) {
            JsonNode type = s.get("type");
            if (type.isArray()) {
                List<String> words = new ArrayList<>();
                type.forEach(t -> words.add(typeWord(t.asText())));
                return String.join(" or ", words);
            }
            String word = typeWord(type.asText());
            if (s.has("minimum") && s.has("maximum")) {
                return word + " from " + s.get("minimum").asText() + " to " + s.get("maximum").asText();
            }
            if (s.has("minimum")) {
                return word + " >= " + s.get("minimum").asText();
            }
            return word;
        }
        return "a valid value";
    }

    private boolean hasTitle(JsonNode s) {
        return s.has("title") || (s.has("$ref") && hasTitle(resolve(s.get("$ref").asText())));
    }

    private static String typeWord(String type) {
        switch (type) {
            case "object":
                return "a mapping";
            case "array":
                return "a list";
            case "string":
                return "a text";
            case "integer":
                return "a whole number";
            case "number":
                return "a number";
            case "boolean":
                return "true or false";
            default:
                return type;
        }
    }

    private static String literal(JsonNode value) {
        return value.isTextual() ? "'" + value.textValue() + "'" : value.toString();
    }

    /** The value as the message's "found" part: its type and, for scalars, itself. */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isNull()) {
            return "an empty value";
        }
        if (value.isObject()) {
            return value.isEmpty() ? "an empty mapping" : "a mapping";
        }
        if (value.isArray()) {
            return value.isEmpty() ? "an empty list" : "a list";
        }
        if (value.isTextual()) {
            String text = value.textValue();
            if (text.length() > 60) {
                text = text.substring(0, 57) + "...";
            }
            return "text '" + text.replace("\n", "\\n") + "'";
        }
        if (value.isBoolean()) {
            return value.booleanValue() ? "true" : "false";
        }
        if (value.isIntegralNumber()) {
            return "the whole number " + value.asText();
        }
        if (value.isNumber()) {
            double d = value.doubleValue();
            return "the number " + (Double.isFinite(d) ? value.asText() : d > 0 ? ".inf" : d < 0 ? "-.inf" : ".nan");
        }
        return value.toString();
    }

    private static ProfileProblem problem(LocatedYaml doc, String pointer, String message) {
        return new ProfileProblem(doc.location(pointer), message);
    }
}
