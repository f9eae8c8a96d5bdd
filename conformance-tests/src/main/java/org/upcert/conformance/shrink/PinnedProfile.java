package org.upcert.conformance.shrink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.plan.Workload;

/**
 * Writes a {@link RunPlan} as a fault profile whose faults are pinned ({@code plan:}) and whose seed
 * is named ({@code seed:}): the profile expands into exactly this plan for that seed, and {@code
 * certify} runs it with that seed only, so the file replays the case on its own.
 */
public final class PinnedProfile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private PinnedProfile() {
    }

    /**
     * The profile text.
     *
     * @param plan the plan to pin
     * @param description what the case is ("ACK-01 fails: …")
     * @param comment lines written at the top as YAML comments (how it was made, how to run it)
     */
    public static String yaml(RunPlan plan, String description, java.util.List<String> comment) {
        ObjectNode root = YAML.createObjectNode();
        root.put("description", description);
        root.put("imitates", "a shrunk failing case of profile " + plan.profile() + ", seed " + plan.seed());
        root.put("seed", plan.seed()); // the library and every random stream derive from it: certify runs the file with this seed
        Workload w = plan.workload();
        ObjectNode workload = root.putObject("workload");
        workload.put("assets", w.assets());
        ObjectNode mix = workload.putObject("mix");
        mix.put("photo", w.photoPercent());
        mix.put("livePhoto", w.livePhotoPercent());
        mix.put("video", w.videoPercent());
        mix.put("raw", w.rawPercent());
        workload.put("jobLimit", w.jobLimit());
        workload.put("os", w.os());
        ObjectNode system = system(plan.policy());
        if (!system.isEmpty()) {
            root.set("system", system);
        }
        ObjectNode phases = root.putObject("phases");
        phases.put("faultPhase", plan.phases().faultPhaseMs());
        phases.put("recovery", plan.phases().recovery());
        phases.put("newPhotoEvery", plan.phases().newAssetEveryMs());
        phases.put("newPhotos", plan.phases().recoveryNewAssets());
        ArrayNode faults = root.putObject("plan").putArray("faults");
        for (Map<String, Object> fault : PlanJson.faults(plan.faults())) {
            faults.add(YAML.valueToTree(fault));
        }
        StringBuilder text = new StringBuilder();
        for (String line : comment) {
            text.append("# ").append(line).append('\n');
        }
        try {
            return text.append(YAML.writeValueAsString(root)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The policy fields that differ from the defaults, under their profile names (durations in ms). */
    static ObjectNode system(SystemPolicy policy) {
        ObjectNode system = YAML.createObjectNode();
        SystemPolicy defaults = SystemPolicy.defaults();
        for (RecordComponent component : SystemPolicy.class.getRecordComponents()) {
            Object value;
            Object standard;
            try {
                value = component.getAccessor().invoke(policy);
                standard = component.getAccessor().invoke(defaults);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (Objects.equals(value, standard)) {
                continue;
            }
            String name = component.getName().endsWith("Ms")
                    ? component.getName().substring(0, component.getName().length() - 2) : component.getName();
            if (value instanceof Boolean b) {
                system.put(name, b);
            } else if (value instanceof Number n) {
                system.put(name, n.longValue());
            } else {
                system.put(name, value.toString().toLowerCase(Locale.ROOT));
            }
        }
        return system;
    }
}
