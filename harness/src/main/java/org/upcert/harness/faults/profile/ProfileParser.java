package org.upcert.harness.faults.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.TreeSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.upcert.harness.plan.PayloadMode;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.plan.Workload;

/**
 * Reads a profile: YAML with locations ({@link LocatedYaml}), then the JSON Schema ({@link
 * SchemaValidator}), then the checks a schema cannot express (the mix adds up to 100, a window
 * ends after it starts and inside the fault phase, rule ids exist, schedules make sense, ranges
 * have min ≤ max, …). Every problem of every stage is collected; a profile with any is rejected
 * as a whole with a {@link ProfileException}.
 */
public final class ProfileParser {
    /** Faults of the plan per profile entry at most: every loop is bounded. */
    public static final int MAX_OCCURRENCES = 10_000;
    /** Process faults name activations up to this one (the first 400 activations of a run). */
    public static final int MAX_ACTIVATION = 400;
    /** Defaults of {@code phases}. */
    public static final long DEFAULT_FAULT_PHASE_MS = 2 * 3_600_000L;
    public static final long DEFAULT_NEW_PHOTO_EVERY_MS = 1_800_000L;
    public static final int DEFAULT_NEW_PHOTOS = 12;
    public static final String DEFAULT_OS = "26.4";

    private ProfileParser() {
    }

    /** Reads the profile file at {@code file}; problems name the file as given. */
    public static Profile parseFile(Path file) throws ProfileException {
        return parseBytes(file, readFile(file));
    }

    /** The bytes of the profile file at {@code file}, read once; problems name the file as given. */
    public static byte[] readFile(Path file) throws ProfileException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw ProfileException.of(Location.whole(file.toString()), "no such file");
        } catch (IOException e) {
            throw ProfileException.of(Location.whole(file.toString()), "cannot read the file: " + e.getMessage());
        }
    }

    /** Reads a profile from the bytes {@link #readFile} read from {@code file} (named as given in problems). */
    public static Profile parseBytes(Path file, byte[] bytes) throws ProfileException {
        String shown = file.toString();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ProfileException.of(Location.whole(shown), "found bytes that are not UTF-8, expected a UTF-8 text file");
        }
        return parse(shown, nameOf(file), text);
    }

    /** The profile name a file gives: its file name without {@code .yaml} / {@code .yml}. */
    public static String nameOf(Path file) {
        String name = file.getFileName().toString();
        return name.replaceFirst("\\.ya?ml$", "");
    }

    /**
     * Reads a profile from text.
     *
     * @param source how problems name the source (a path, or {@code catalogue:NAME})
     * @param name the profile's name in plans and traces
     */
    public static Profile parse(String source, String name, String text) throws ProfileException {
        LocatedYaml doc = LocatedYaml.read(source, text);
        List<ProfileProblem> problems = new ArrayList<>(SchemaValidator.profileSchema().validate(doc));
        Interpreter interpreter = new Interpreter(doc);
        Profile profile = interpreter.profile(name, source);
        problems.addAll(interpreter.problems);
        if (!problems.isEmpty() || profile == null) {
            throw new ProfileException(distinct(problems));
        }
        return profile;
    }

    private static List<ProfileProblem> distinct(List<ProfileProblem> problems) {
        TreeSet<ProfileProblem> sorted = new TreeSet<>(ProfileProblem.SOURCE_ORDER);
        sorted.addAll(problems);
        return List.copyOf(sorted);
    }

    /**
     * Turns the tree into a {@link Profile} while checking what the schema cannot. Tolerant of
     * anything the schema already reported: a value of the wrong type is skipped, not trusted.
     */
    private static final class Interpreter {
        private final LocatedYaml doc;
        private final List<ProfileProblem> problems = new ArrayList<>();
        private final Set<String> reported = new TreeSet<>();

        Interpreter(LocatedYaml doc) {
            this.doc = doc;
        }

        Profile profile(String name, String source) {
            JsonNode root = doc.root();
            if (!root.isObject()) {
                return null; // the schema said so
            }
            String description = root.path("description").isTextual() ? root.get("description").textValue().strip() : "";
            String imitates = root.path("imitates").isTextual() ? root.get("imitates").textValue().strip() : "";
            List<String> rules = rules(root.path("rules"));
            Workload workload = workload(root.path("workload"));
            String os = os(root.path("workload").path("os"));
            List<String> overrides = new ArrayList<>();
            SystemPolicy policy = policy(root.path("system"), overrides, os);
            Phases phases = phases(root.path("phases"), policy);
            long faultPhase = phases != null ? phases.faultPhaseMs() : DEFAULT_FAULT_PHASE_MS;
            List<FaultSpec> faults = new ArrayList<>();
            JsonNode list = root.path("faults");
            if (list.isArray()) {
                for (int i = 0; i < list.size(); i++) {
                    FaultSpec fault = fault(i, list.get(i), "/faults/" + i, faultPhase);
                    if (fault != null) {
                        faults.add(fault);
                    }
                }
            }
            List<PlannedFault> pinned = pinnedPlan(root.path("plan"), list, faultPhase);
            if (!problems.isEmpty() || workload == null || policy == null || phases == null || os == null) {
                return null;
            }
            // An unknown OS level is reported by the semantic checks that follow; keep the default meanwhile.
            Workload onOs = Workload.OS_LEVELS.contains(os) ? workload.withOs(os) : workload;
            Long seed = root.path("seed").isIntegralNumber() && root.get("seed").canConvertToLong() ? root.get("seed").longValue() : null;
            return new Profile(name, source, description, imitates, rules, onOs, os, policy, overrides, phases,
                    faults, pinned, seed);
        }

        // --- rules -----------------------------------------------------------------------------

        private List<String> rules(JsonNode node) {
            List<String> rules = new ArrayList<>();
            if (!node.isArray()) {
                return rules;
            }
            for (int i = 0; i < node.size(); i++) {
                JsonNode id = node.get(i);
                if (!id.isTextual()) {
                    continue;
                }
                String pointer = "/rules/" + i;
                if (!RuleIds.known(id.textValue())) {
                    if (id.textValue().matches("^[A-Z][A-Z0-9]{2}-[0-9]{2}[a-z]?$")) {
                        problem(pointer, "found rule id '" + id.textValue() + "', which design/RULES.md does not define, "
                                + "expected one of the catalogue's ids" + DidYouMean.hint(id.textValue(), RuleIds.ALL));
                    }
                } else if (rules.contains(id.textValue())) {
                    problem(pointer, "found rule id '" + id.textValue() + "' a second time, expected each id once");
                } else {
                    rules.add(id.textValue());
                }
            }
            return rules;
        }

        // --- workload --------------------------------------------------------------------------

        private Workload workload(JsonNode node) {
            if (!node.isObject() || !node.path("assets").canConvertToInt() || !node.path("assets").isIntegralNumber()) {
                return null;
            }
            int assets = node.get("assets").intValue();
            int jobLimit = node.path("jobLimit").isIntegralNumber() && node.get("jobLimit").canConvertToInt()
                    ? node.get("jobLimit").intValue() : 100;
            if (assets < 0 || jobLimit < 1 || (node.has("jobLimit") && !node.get("jobLimit").isIntegralNumber())) {
                return null; // the schema said what is wrong
            }
            JsonNode mix = node.path("mix");
            if (mix.isMissingNode()) {
                return valid(() -> Workload.typical(assets).withJobLimit(jobLimit), "/workload");
            }
            if (!mix.isObject()) {
                return null;
            }
            int[] shares = new int[4];
            String[] names = {"photo", "livePhoto", "video", "raw"};
            StringBuilder sum = new StringBuilder();
            int total = 0;
            for (int i = 0; i < names.length; i++) {
                JsonNode share = mix.path(names[i]);
                if (share.isMissingNode()) {
                    continue;
                }
                if (!share.isIntegralNumber() || share.intValue() < 0 || share.intValue() > 100) {
                    return null;
                }
                shares[i] = share.intValue();
                total += shares[i];
                sum.append(sum.length() == 0 ? "" : " + ").append(names[i]).append(' ').append(shares[i]);
            }
            if (total != 100) {
                problem("/workload/mix", "found shares adding up to " + total + (sum.length() > 0 ? " (" + sum + ")" : "")
                        + ", expected shares adding up to 100");
                return null;
            }
            return valid(() -> new Workload(assets, shares[0], shares[1], shares[2], shares[3], jobLimit), "/workload");
        }

        private String os(JsonNode node) {
            if (node.isMissingNode()) {
                return DEFAULT_OS;
            }
            if (node.isTextual()) {
                return node.textValue();
            }
            if (node.isNumber()) {
                return node.decimalValue().stripTrailingZeros().toPlainString();
            }
            return null;
        }

        // --- system ----------------------------------------------------------------------------

        /** The policy: the defaults of the OS level (its measured quirks on) with the profile's {@code system} overrides. */
        private SystemPolicy policy(JsonNode node, List<String> overrides, String os) {
            SystemPolicy defaults = SystemPolicy.defaultsFor(Workload.OS_LEVELS.contains(os) ? os : DEFAULT_OS);
            if (node.isMissingNode()) {
                return defaults;
            }
            if (!node.isObject()) {
                return null;
            }
            RecordComponent[] components = SystemPolicy.class.getRecordComponents();
            Object[] values = new Object[components.length];
            try {
                for (int i = 0; i < components.length; i++) {
                    values[i] = components[i].getAccessor().invoke(defaults);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            boolean ok = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                String key = member.getKey();
                String pointer = LocatedYaml.child("/system", key);
                int index = componentIndex(components, key);
                if (index < 0) {
                    ok = false; // unknown key: the schema reported it
                    continue;
                }
                Class<?> type = components[index].getType();
                JsonNode value = member.getValue();
                Object converted;
                if (components[index].getName().endsWith("Ms")) {
                    OptionalLong millis = duration(value, pointer);
                    converted = millis.isPresent() ? millis.getAsLong() : null;
                } else if (type == int.class) {
                    converted = value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : null;
                } else if (type == long.class) {
                    converted = value.isIntegralNumber() && value.canConvertToLong() ? value.longValue() : null;
                } else if (type == boolean.class) {
                    converted = value.isBoolean() ? value.booleanValue() : null;
                } else if (type == PayloadMode.class) {
                    converted = value.isTextual() && (value.textValue().equals("compact") || value.textValue().equals("full"))
                            ? PayloadMode.valueOf(value.textValue().toUpperCase(java.util.Locale.ROOT)) : null;
                } else {
                    throw new IllegalStateException("SystemPolicy." + components[index].getName() + " has a type profiles cannot set");
                }
                if (converted == null) {
                    ok = false;
                    continue;
                }
                values[index] = converted;
                overrides.add(key + "=" + (value.isTextual() ? value.textValue() : value.toString()));
            }
            if (!ok) {
                return null;
            }
            int runtime = componentIndex(components, "runtimeLimit");
            if ((long) values[runtime] <= 0) {
                problem("/system/runtimeLimit", "found a runtime limit of 0, expected a duration above 0");
                return null;
            }
            int maxSimulated = componentIndex(components, "maxSimulated");
            if ((long) values[maxSimulated] <= 0) {
                problem("/system/maxSimulated", "found 0, expected a duration above 0");
                return null;
            }
            int min = componentIndex(components, "killBackoffMin");
            int max = componentIndex(components, "killBackoffMax");
            if ((long) values[max] < (long) values[min]) {
                String at = node.has("killBackoffMax") ? "/system/killBackoffMax" : "/system/killBackoffMin";
                problem(at, "found a kill backoff from " + Durations.format((long) values[min]) + " to "
                        + Durations.format((long) values[max]) + ", expected killBackoffMax >= killBackoffMin");
                return null;
            }
            try {
                Constructor<SystemPolicy> canonical = SystemPolicy.class.getDeclaredConstructor(
                        java.util.Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
                return canonical.newInstance(values);
            } catch (InvocationTargetException e) {
                problem("/system", "found a system the simulator rejects (" + e.getCause().getMessage()
                        + "), expected a consistent set of overrides");
                return null;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The SystemPolicy component a profile key names: {@code runtimeLimit} → {@code runtimeLimitMs}. */
        private static int componentIndex(RecordComponent[] components, String key) {
            for (int i = 0; i < components.length; i++) {
                String name = components[i].getName();
                if (name.equals(key + "Ms") || (name.equals(key) && !name.endsWith("Ms"))) {
                    return i;
                }
            }
            return -1;
        }

        // --- a pinned plan ----------------------------------------------------------------------

        /**
         * {@code plan: {faults: [...]}}: concrete plan records (as a trace header or {@code upcert
         * shrink} writes them), used verbatim. Exclusive with {@code faults}: a plan is already
         * expanded, entries would be expanded again.
         */
        private List<PlannedFault> pinnedPlan(JsonNode plan, JsonNode entries, long faultPhase) {
            if (plan.isMissingNode()) {
                return null;
            }
            if (!entries.isMissingNode()) {
                problemAtKey("/plan", "found both 'faults' and 'plan', expected one: 'plan' is an already expanded list of faults");
                return null;
            }
            JsonNode list = plan.path("faults");
            if (!list.isArray()) {
                return null; // the schema said so
            }
            List<PlannedFault> pinned = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                try {
                    PlannedFault fault = PlanJson.fault(list.get(i));
                    if (fault instanceof PlannedFault.Timed t && t.from() >= faultPhase) {
                        problem("/plan/faults/" + i, "found a fault starting at " + t.from() + " ms, expected it inside the fault phase (before "
                                + faultPhase + " ms)");
                    }
                    pinned.add(fault);
                } catch (PlanJson.PlanFormatException e) {
                    problem("/plan/faults/" + i, e.getMessage());
                } catch (IllegalArgumentException e) {
                    problem("/plan/faults/" + i, "found an impossible fault: " + e.getMessage());
                }
            }
            return pinned;
        }

        // --- phases ----------------------------------------------------------------------------

        private Phases phases(JsonNode node, SystemPolicy policy) {
            if (!node.isMissingNode() && !node.isObject()) {
                return null;
            }
            long faultPhase = DEFAULT_FAULT_PHASE_MS;
            if (node.has("faultPhase")) {
                OptionalLong d = duration(node.get("faultPhase"), "/phases/faultPhase");
                if (d.isEmpty()) {
                    return null;
                }
                faultPhase = d.getAsLong();
            }
            boolean recovery = !node.has("recovery") || node.get("recovery").asBoolean(true);
            if (node.has("recovery") && !node.get("recovery").isBoolean()) {
                return null;
            }
            long every = recovery ? DEFAULT_NEW_PHOTO_EVERY_MS : 0;
            int photos = recovery ? DEFAULT_NEW_PHOTOS : 0;
            if (node.has("newPhotoEvery")) {
                OptionalLong d = duration(node.get("newPhotoEvery"), "/phases/newPhotoEvery");
                if (d.isEmpty()) {
                    return null;
                }
                every = d.getAsLong();
            }
            if (node.has("newPhotos")) {
                if (!node.get("newPhotos").isIntegralNumber() || !node.get("newPhotos").canConvertToInt()
                        || node.get("newPhotos").intValue() < 0) {
                    return null;
                }
                photos = node.get("newPhotos").intValue();
            }
            if (!recovery && (node.has("newPhotoEvery") || node.has("newPhotos"))) {
                problem(node.has("newPhotoEvery") ? "/phases/newPhotoEvery" : "/phases/newPhotos",
                        "found recovery activity with 'recovery: false', expected new photos only when the recovery phase runs");
                return null;
            }
            if (policy != null && faultPhase >= policy.maxSimulatedMs()) {
                problem(node.has("faultPhase") ? "/phases/faultPhase" : "/system/maxSimulated",
                        "found a fault phase of " + Durations.format(faultPhase) + " in a run stopped after "
                                + Durations.format(policy.maxSimulatedMs()) + " (system.maxSimulated), expected the fault phase to end first");
                return null;
            }
            return new Phases(faultPhase, recovery, every, photos);
        }

        // --- faults ----------------------------------------------------------------------------

        private FaultSpec fault(int index, JsonNode node, String pointer, long faultPhase) {
            if (!node.isObject() || !node.path("kind").isTextual()) {
                return null;
            }
            FaultKind kind = FaultKind.of(node.get("kind").textValue()).orElse(null);
            if (kind == null) {
                return null; // the schema said which kinds exist
            }
            double activation = probability(node.path("activation"));
            double probability = probability(node.path("probability"));
            Schedule schedule = kind.shape() == FaultKind.Shape.PINNED
                    ? activations(node.path("activations"), pointer + "/activations")
                    : timed(kind, node, pointer, faultPhase);
            boolean parametersOk = parameters(kind, node, pointer);
            if (Double.isNaN(activation) || Double.isNaN(probability) || schedule == null || !parametersOk) {
                return null;
            }
            ObjectNode parameters = JsonNodeFactory.instance.objectNode();
            for (String name : kind.parameters()) {
                if (node.has(name)) {
                    parameters.set(name, node.get(name));
                }
            }
            return new FaultSpec(index, kind, doc.location(pointer), activation, probability, schedule, parameters);
        }

        private static double probability(JsonNode node) {
            if (node.isMissingNode()) {
                return 1.0;
            }
            if (!node.isNumber() || !(node.doubleValue() >= 0 && node.doubleValue() <= 1)) {
                return Double.NaN;
            }
            return node.doubleValue();
        }

        private Schedule activations(JsonNode node, String pointer) {
            if (node.isArray()) {
                TreeSet<Integer> seen = new TreeSet<>();
                boolean ok = true;
                for (int i = 0; i < node.size(); i++) {
                    JsonNode a = node.get(i);
                    if (!a.isIntegralNumber() || a.longValue() < 1 || a.longValue() > MAX_ACTIVATION) {
                        ok = false;
                        continue;
                    }
                    if (!seen.add(a.intValue())) {
                        problem(pointer + "/" + i, "found activation " + a.intValue() + " a second time, expected each activation once");
                        ok = false;
                    }
                }
                return ok && !seen.isEmpty() ? new Schedule.Activations(new ArrayList<>(seen)) : null;
            }
            if (!node.isObject() || !node.path("every").isIntegralNumber() || node.get("every").longValue() < 1) {
                return null;
            }
            long every = node.get("every").longValue();
            long from = node.has("from") ? node.get("from").longValue() : 1;
            long until = node.has("until") ? node.get("until").longValue() : MAX_ACTIVATION;
            if ((node.has("from") && !node.get("from").isIntegralNumber()) || (node.has("until") && !node.get("until").isIntegralNumber())
                    || from < 1 || until < 1 || from > MAX_ACTIVATION || until > MAX_ACTIVATION) {
                return null;
            }
            if (until < from) {
                problem(pointer + (node.has("until") ? "/until" : "/from"), "found activations from " + from + " until " + until
                        + ", expected until >= from");
                return null;
            }
            List<Integer> list = new ArrayList<>();
            for (long a = from; a <= until; a += every) {
                list.add((int) a);
            }
            return new Schedule.Activations(list);
        }

        private Schedule timed(FaultKind kind, JsonNode node, String pointer, long faultPhase) {
            boolean at = node.has("at");
            boolean every = node.has("every");
            boolean during = node.has("during");
            boolean jitter = node.has("jitter");
            boolean duration = node.has("duration");
            boolean window = kind.shape() == FaultKind.Shape.WINDOW;
            String phase = "the fault phase (" + Durations.format(faultPhase) + ", phases.faultPhase)";
            boolean ok = true;
            if (at && every) {
                problem(pointer + "/every", "found both 'at' and 'every', expected one of them");
                ok = false;
            }
            if (at && during) {
                problem(pointer + "/during", "found 'during' with 'at', expected 'during' alone or with 'every'");
                ok = false;
            }
            if (jitter && !every) {
                problem(pointer + "/jitter", "found 'jitter' without 'every', expected it only with 'every'");
                ok = false;
            }
            if (!at && !every && !during) {
                problem(pointer, "missing a schedule in a " + kind.kind() + " fault, expected "
                        + (window ? "'at', 'every' or 'during'" : "'at' or 'every'"));
                return null;
            }
            if (!window && during && !every && !at) {
                problem(pointer + "/during", "found 'during' alone for " + kind.kind() + ", which happens at a moment, "
                        + "expected 'at', or 'every' (which 'during' may bound)");
                return null;
            }
            if (window && (at || every) && !duration) {
                problemAtKey(pointer + (at ? "/at" : "/every"), "missing 'duration' in a " + kind.kind() + " fault with '"
                        + (at ? "at" : "every") + "', expected how long each occurrence lasts");
                ok = false;
            }
            if (window && duration && during && !at && !every) {
                problem(pointer + "/duration", "found 'duration' with 'during' alone (the window is the occurrence), "
                        + "expected 'duration' only with 'at' or 'every'");
                ok = false;
            }
            long windowFrom = 0;
            long windowUntil = faultPhase;
            if (during) {
                JsonNode w = node.get("during");
                if (!w.isObject()) {
                    return null;
                }
                OptionalLong from = w.has("from") ? duration(w.get("from"), pointer + "/during/from") : OptionalLong.empty();
                OptionalLong until = w.has("until") ? duration(w.get("until"), pointer + "/during/until") : OptionalLong.empty();
                if (from.isEmpty() || until.isEmpty()) {
                    return null;
                }
                windowFrom = from.getAsLong();
                windowUntil = until.getAsLong();
                if (windowUntil <= windowFrom) {
                    problem(pointer + "/during/until", "found a window ending at " + Durations.format(windowUntil)
                            + (windowUntil == windowFrom ? ", when it starts" : ", before it starts at " + Durations.format(windowFrom))
                            + ", expected 'until' after 'from'");
                    return null;
                }
                if (windowUntil > faultPhase) {
                    problem(pointer + "/during/until", "found a window ending at " + Durations.format(windowUntil)
                            + ", after the end of " + phase + ", expected it to end within the fault phase");
                    return null;
                }
            }
            long length = 0;
            if (duration) {
                OptionalLong d = duration(node.get("duration"), pointer + "/duration");
                if (d.isEmpty()) {
                    return null;
                }
                length = d.getAsLong();
                if (length == 0) {
                    problem(pointer + "/duration", "found a duration of 0, expected a duration above 0");
                    ok = false;
                }
            }
            if (!ok) {
                return null;
            }
            if (at) {
                OptionalLong t = duration(node.get("at"), pointer + "/at");
                if (t.isEmpty()) {
                    return null;
                }
                if (t.getAsLong() >= faultPhase) {
                    problem(pointer + "/at", "found a time of " + Durations.format(t.getAsLong()) + ", at or after the end of "
                            + phase + ", expected a time within the fault phase");
                    return null;
                }
                return new Schedule.At(t.getAsLong(), window ? length : 0);
            }
            if (every) {
                OptionalLong period = duration(node.get("every"), pointer + "/every");
                OptionalLong spread = jitter ? duration(node.get("jitter"), pointer + "/jitter") : OptionalLong.of(0);
                if (period.isEmpty() || spread.isEmpty()) {
                    return null;
                }
                long p = period.getAsLong();
                long j = spread.getAsLong();
                if (p == 0) {
                    problem(pointer + "/every", "found a period of 0, expected a period above 0");
                    return null;
                }
                if (j >= p) {
                    problem(pointer + "/jitter", "found a jitter of " + Durations.format(j) + ", not shorter than the period ("
                            + Durations.format(p) + "), expected jitter < every");
                    return null;
                }
                if (window && length + j > p) {
                    problem(pointer + "/duration", "found occurrences that could overlap (duration " + Durations.format(length)
                            + (j > 0 ? " + jitter " + Durations.format(j) : "") + " > every " + Durations.format(p)
                            + "), expected duration" + (j > 0 ? " + jitter" : "") + " <= every");
                    return null;
                }
                if (!during && faultPhase == 0) {
                    problem(pointer + "/every", "found 'every' in a profile without a fault phase, expected phases.faultPhase above 0");
                    return null;
                }
                long count = (windowUntil - windowFrom + p - 1) / p;
                if (count > MAX_OCCURRENCES) {
                    problem(pointer + "/every", "found a schedule of " + count + " occurrences, expected at most "
                            + MAX_OCCURRENCES + " (a longer period or a shorter window)");
                    return null;
                }
                return new Schedule.Every(p, j, window ? length : 0, windowFrom, windowUntil);
            }
            return new Schedule.During(windowFrom, windowUntil);
        }

        /** Parameter checks beyond the schema: {min, max} in order, whole seconds, delays above 0. */
        private boolean parameters(FaultKind kind, JsonNode node, String pointer) {
            boolean ok = true;
            for (String name : kind.parameters()) {
                JsonNode value = node.get(name);
                if (value == null) {
                    continue;
                }
                String at = LocatedYaml.child(pointer, name);
                if (value.isObject() && value.path("min").isIntegralNumber() && value.path("max").isIntegralNumber()
                        && value.get("max").longValue() < value.get("min").longValue()) {
                    problem(at + "/max", "found max " + value.get("max").asText() + " below min " + value.get("min").asText()
                            + ", expected max >= min");
                    ok = false;
                }
            }
            if (kind == FaultKind.CLOUD_ERROR && node.has("retryAfter")) {
                OptionalLong d = duration(node.get("retryAfter"), pointer + "/retryAfter");
                if (d.isPresent() && d.getAsLong() % 1_000 != 0) {
                    problem(pointer + "/retryAfter", "found a Retry-After of " + Durations.format(d.getAsLong())
                            + ", expected whole seconds (the header carries seconds)");
                    ok = false;
                }
                ok &= d.isPresent();
            }
            if (kind == FaultKind.CLOUD_SLOW && node.has("delay")) {
                OptionalLong d = duration(node.get("delay"), pointer + "/delay");
                if (d.isPresent() && d.getAsLong() == 0) {
                    problem(pointer + "/delay", "found a delay of 0, expected a delay above 0");
                    ok = false;
                }
                ok &= d.isPresent();
            }
            if (kind == FaultKind.NETWORK_DEGRADED && node.has("latency")) {
                ok &= duration(node.get("latency"), pointer + "/latency").isPresent();
            }
            return ok;
        }

        // --- helpers ---------------------------------------------------------------------------

        /**
         * A duration value: whole milliseconds, or a string the schema's pattern accepts. A
         * pattern-valid string that is still not a duration (a fraction of a millisecond, more
         * than ten years) is reported here; other wrong values were reported by the schema.
         */
        private OptionalLong duration(JsonNode node, String pointer) {
            if (node.isIntegralNumber()) {
                if (node.canConvertToLong() && node.longValue() >= 0 && node.longValue() <= Durations.MAX_MILLIS) {
                    return OptionalLong.of(node.longValue());
                }
                if (node.canConvertToLong() && node.longValue() < 0) {
                    return OptionalLong.empty();
                }
                problem(pointer, "found " + node.asText() + " ms, expected a duration of at most 10 years");
                return OptionalLong.empty();
            }
            if (!node.isTextual() || !Durations.PATTERN.matcher(node.textValue()).matches()) {
                return OptionalLong.empty();
            }
            OptionalLong millis = Durations.parse(node.textValue());
            if (millis.isEmpty()) {
                problem(pointer, "found '" + node.textValue() + "', expected a duration in whole milliseconds of at most 10 years");
            }
            return millis;
        }

        private <T> T valid(java.util.function.Supplier<T> make, String pointer) {
            try {
                return make.get();
            } catch (IllegalArgumentException e) {
                problem(pointer, "found " + e.getMessage() + ", expected a valid " + pointer.substring(1));
                return null;
            }
        }

        private void problem(String pointer, String message) {
            if (reported.add(pointer + "\u0000" + message)) {
                problems.add(new ProfileProblem(doc.location(pointer), message));
            }
        }

        private void problemAtKey(String pointer, String message) {
            if (reported.add(pointer + "\u0000" + message)) {
                problems.add(new ProfileProblem(doc.keyLocation(pointer), message));
            }
        }
    }
}
