package org.upcert.harness.faults.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Validates a profile tree against {@code upcert/profiles/profile.schema.json} (in the {@code
 * fault-profiles} jar).
 *
 * <p>Why not a JSON Schema library: a general validator (networknt's, say) would pull in SLF4J,
 * which prints a "no providers" warning into the CLI's output unless a binding is added too, and
 * its messages ("$.faults[0]: must be valid to one and only one schema") would have to be
 * rewritten anyway into upcert's "file:line:column: found X, expected Y" with a did-you-mean. A
 * profile's schema needs only a small, fixed set of keywords; this class implements exactly
 * those, with the 2020-12 meaning, and refuses a schema that uses any other keyword (so the
 * shipped schema cannot silently ask for a check that nobody performs). Editors can still
 * validate profiles with any 2020-12 validator: the schema is standard.
 *
 * <p>Supported: {@code $ref} (to {@code #/$defs/NAME}), {@code type}, {@code enum}, {@code const},
 * {@code minimum}, {@code maximum}, {@code minLength}, {@code minItems}, {@code pattern}, {@code
 * properties}, {@code required}, {@code additionalProperties} ({@code false} or a schema), {@code
 * items}, {@code oneOf}, {@code anyOf}, {@code allOf}, {@code if}/{@code then}/{@code else}.
 * Annotations ({@code title}, {@code description}, {@code default}, {@code $schema}, {@code $id},
 * {@code $comment}, {@code examples}) are read for messages only: {@code title} phrases what a
 * value was expected to be.
 */
public final class SchemaValidator {
    /** The classpath resource of the profile schema. */
    public static final String PROFILE_SCHEMA = "upcert/profiles/profile.schema.json";

    private static final Set<String> ASSERTIONS = Set.of("$ref", "type", "enum", "const", "minimum", "maximum",
            "minLength", "minItems", "pattern", "properties", "required", "additionalProperties", "items", "oneOf",
            "anyOf", "allOf", "if", "then", "else");
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "$schema", "$id",
            "$comment", "examples", "$defs");

    private final JsonNode schema;
    private final Map<String, Pattern> patterns = new java.util.concurrent.ConcurrentHashMap<>(); // shared across threads

    public SchemaValidator(JsonNode schema) {
        this.schema = schema;
        checkKeywords(schema, "#");
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

    /** Every problem of {@code document} against the schema, in source order. */
    public List<ProfileProblem> validate(LocatedYaml document) {
        List<ProfileProblem> problems = new ArrayList<>();
        validate(schema, document.root(), "", document, problems);
        problems.sort(ProfileProblem.SOURCE_ORDER);
        return problems;
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

    private void validate(JsonNode s, JsonNode value, String pointer, LocatedYaml doc, List<ProfileProblem> out) {
        if (s.isBoolean()) {
            if (!s.booleanValue()) {
                out.add(problem(doc, pointer, "found " + describe(value) + ", expected nothing here"));
            }
            return;
        }
        if (s.has("$ref")) {
            int before = out.size();
            validate(resolve(s.get("$ref").asText()), value, pointer, doc, out);
            if (out.size() > before) {
                return;
            }
        }
        if (s.has("type") && !typeMatches(s.get("type"), value)) {
            out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)));
            return;
        }
        if (s.has("const") && !sameValue(s.get("const"), value)) {
            out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + literal(s.get("const"))));
            return;
        }
        if (s.has("enum")) {
            boolean found = false;
            List<String> words = new ArrayList<>();
            for (JsonNode option : s.get("enum")) {
                found |= sameValue(option, value);
                words.add(option.asText());
            }
            if (!found) {
                String hint = value.isTextual() ? DidYouMean.hint(value.textValue(), words) : "";
                String title = s.has("title") ? s.get("title").asText() : "";
                boolean titleLists = words.stream().allMatch(title::contains);
                out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)
                        + (s.has("title") && !titleLists ? " (" + String.join(", ", words) + ")" : "") + hint));
                return;
            }
        }
        if (value.isNumber()) {
            checkNumber(s, value, pointer, doc, out);
        }
        if (value.isTextual()) {
            checkText(s, value, pointer, doc, out);
        }
        if (value.isObject()) {
            checkObject(s, value, pointer, doc, out);
        }
        if (value.isArray()) {
            checkArray(s, value, pointer, doc, out);
        }
        if (s.has("oneOf")) {
            checkAlternatives(s, s.get("oneOf"), value, pointer, doc, out);
        }
        if (s.has("anyOf")) {
            checkAlternatives(s, s.get("anyOf"), value, pointer, doc, out);
        }
        if (s.has("allOf")) {
            for (JsonNode part : s.get("allOf")) {
                validate(part, value, pointer, doc, out);
            }
        }
        if (s.has("if")) {
            List<ProfileProblem> scratch = new ArrayList<>();
            validate(s.get("if"), value, pointer, doc, scratch);
            JsonNode branch = scratch.isEmpty() ? s.get("then") : s.get("else");
            if (branch != null) {
                validate(branch, value, pointer, doc, out);
            }
        }
    }

    private void checkNumber(JsonNode s, JsonNode value, String pointer, LocatedYaml doc, List<ProfileProblem> out) {
        if (value.isDouble() && !Double.isFinite(value.doubleValue())) {
            out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)));
            return;
        }
        BigDecimal number = value.decimalValue();
        boolean tooSmall = s.has("minimum") && number.compareTo(s.get("minimum").decimalValue()) < 0;
        boolean tooLarge = s.has("maximum") && number.compareTo(s.get("maximum").decimalValue()) > 0;
        if (tooSmall || tooLarge) {
            out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)));
        }
    }

    private void checkText(JsonNode s, JsonNode value, String pointer, LocatedYaml doc, List<ProfileProblem> out) {
        String text = value.textValue();
        if (s.has("minLength") && text.codePointCount(0, text.length()) < s.get("minLength").intValue()) {
            out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)
                    + " of at least " + s.get("minLength").intValue() + " character(s)"));
        }
        if (s.has("pattern")) {
            Pattern pattern = patterns.computeIfAbsent(s.get("pattern").asText(), Pattern::compile);
            if (!pattern.matcher(text).find()) {
                out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)
                        + (s.has("title") ? "" : " matching " + s.get("pattern").asText())));
            }
        }
    }

    private void checkObject(JsonNode s, JsonNode value, String pointer, LocatedYaml doc, List<ProfileProblem> out) {
        JsonNode properties = s.get("properties");
        if (s.has("required")) {
            for (JsonNode name : s.get("required")) {
                if (!value.has(name.asText())) {
                    JsonNode property = properties != null ? properties.get(name.asText()) : null;
                    String what = property != null && hasTitle(property) ? " (" + expected(property) + ")" : "";
                    out.add(problem(doc, pointer, "missing key '" + name.asText() + "'" + what + " in "
                            + (s.has("title") ? s.get("title").asText() : "this mapping")
                            + ", expected it to be given"));
                }
            }
        }
        JsonNode additional = s.get("additionalProperties");
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String childPointer = LocatedYaml.child(pointer, member.getKey());
            JsonNode property = properties != null ? properties.get(member.getKey()) : null;
            if (property != null) {
                validate(property, member.getValue(), childPointer, doc, out);
            } else if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
                List<String> allowed = new ArrayList<>();
                if (properties != null) {
                    properties.fieldNames().forEachRemaining(allowed::add);
                }
                out.add(new ProfileProblem(doc.keyLocation(childPointer), "unknown key '" + member.getKey() + "' in "
                        + (s.has("title") ? s.get("title").asText() : "this mapping")
                        + ", expected one of: " + String.join(", ", allowed) + DidYouMean.hint(member.getKey(), allowed)));
            } else if (additional != null && additional.isObject()) {
                validate(additional, member.getValue(), childPointer, doc, out);
            }
        }
    }

    private void checkArray(JsonNode s, JsonNode value, String pointer, LocatedYaml doc, List<ProfileProblem> out) {
        if (s.has("minItems") && value.size() < s.get("minItems").intValue()) {
            out.add(problem(doc, pointer, "found an empty list, expected " + expected(s)
                    + " with at least " + s.get("minItems").intValue() + " item(s)"));
        }
        if (s.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                validate(s.get("items"), value.get(i), LocatedYaml.child(pointer, i), doc, out);
            }
        }
    }

    /**
     * oneOf / anyOf. The alternatives of upcert's schema are told apart by type (a number or a
     * {min, max} mapping, a string or an integer), so when none matches, the problems of the one
     * alternative of the value's own type are the useful ones; with no such alternative (or
     * several), the union's title says what was expected.
     */
    private void checkAlternatives(JsonNode s, JsonNode alternatives, JsonNode value, String pointer, LocatedYaml doc,
            List<ProfileProblem> out) {
        List<List<ProfileProblem>> results = new ArrayList<>();
        for (JsonNode alternative : alternatives) {
            List<ProfileProblem> scratch = new ArrayList<>();
            validate(alternative, value, pointer, doc, scratch);
            if (scratch.isEmpty()) {
                return;
            }
            results.add(scratch);
        }
        List<Integer> sameType = new ArrayList<>();
        for (int i = 0; i < alternatives.size(); i++) {
            JsonNode type = declaredType(alternatives.get(i));
            if (type != null && typeMatches(type, value)) {
                sameType.add(i);
            }
        }
        if (sameType.size() == 1 && isContainer(declaredType(alternatives.get(sameType.get(0))))) {
            // A mapping or list of the right shape: its own, deeper problems say the most.
            out.addAll(results.get(sameType.get(0)));
        } else if (sameType.size() == 1 && !hasTitle(s)) {
            out.addAll(results.get(sameType.get(0)));
        } else {
            out.add(problem(doc, pointer, "found " + describe(value) + ", expected " + expected(s)));
        }
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

    private static boolean sameValue(JsonNode expected, JsonNode value) {
        if (expected.isNumber() && value.isNumber()) {
            return expected.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        return expected.equals(value);
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

    /** Fails fast on a schema that uses a keyword this validator does not implement. */
    private static void checkKeywords(JsonNode s, String path) {
        if (!s.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String key = member.getKey();
            JsonNode sub = member.getValue();
            if (!ASSERTIONS.contains(key) && !ANNOTATIONS.contains(key)) {
                throw new IllegalStateException("the profile schema uses '" + key + "' at " + path
                        + ", which SchemaValidator does not implement");
            }
            switch (key) {
                case "properties", "$defs" -> sub.fields().forEachRemaining(e -> checkKeywords(e.getValue(), path + "/" + key + "/" + e.getKey()));
                case "items", "additionalProperties", "if", "then", "else" -> checkKeywords(sub, path + "/" + key);
                case "oneOf", "anyOf", "allOf" -> {
                    for (int i = 0; i < sub.size(); i++) {
                        checkKeywords(sub.get(i), path + "/" + key + "/" + i);
                    }
                }
                default -> {
                }
            }
        }
    }
}
