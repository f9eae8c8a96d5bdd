package org.upcert.harness.scope;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.upcert.api.AssetResource;
import org.upcert.api.AssetResource.ResourceType;

/**
 * What an extension uploads, as it declares it (the way an Info.plist declares
 * {@code BackgroundUploadURLBase}): the resource types it uploads, and a file size above which
 * the host app uploads the file instead (Nextcloud's extension leaves files over 100 MB to the
 * app). A resource outside the scope is neither required of the extension nor allowed to it.
 * Without a declaration every resource is in scope.
 *
 * <p>The same file names the extension's <em>deployment target</em>, the lowest iOS it runs on
 * (the app's {@code MinimumOSVersion}): a device below it never runs the extension, so upcert
 * runs every profile of a lower level at the target instead ({@link
 * org.upcert.harness.plan.RunPlan#raisedTo}) rather than failing an extension for using, say, a
 * 26.4 API on a 26.1 device it never meets.
 *
 * @param declared whether the extension declared a scope at all ({@link #everything()} otherwise)
 * @param resourceTypes the resource types the extension uploads
 * @param hostAppAbove files larger than this many bytes are the host app's; empty: no limit
 * @param deploymentTarget the deployment target as declared ({@code "26.4"}, {@code "26.6"}, {@code "27"}),
 *     or null: every modelled level
 */
public record DeclaredScope(boolean declared, Set<ResourceType> resourceTypes, OptionalLong hostAppAbove,
        String deploymentTarget) {
    /** Where an extension jar declares its scope. */
    public static final String JAR_ENTRY = "META-INF/upcert/scope.yaml";

    private static final DeclaredScope EVERYTHING = new DeclaredScope(false, EnumSet.allOf(ResourceType.class), OptionalLong.empty());

    /** A declaration without a deployment target. */
    public DeclaredScope(boolean declared, Set<ResourceType> resourceTypes, OptionalLong hostAppAbove) {
        this(declared, resourceTypes, hostAppAbove, null);
    }

    public DeclaredScope {
        resourceTypes = Collections.unmodifiableSet(resourceTypes.isEmpty() ? EnumSet.noneOf(ResourceType.class)
                : EnumSet.copyOf(resourceTypes));
        if (hostAppAbove.isPresent() && hostAppAbove.getAsLong() < 0) {
            throw new IllegalArgumentException("hostAppAbove < 0");
        }
        if (deploymentTarget != null && modelledLevel(deploymentTarget) == null) {
            throw new IllegalArgumentException("deploymentTarget " + deploymentTarget + " is not an iOS version from 26.1");
        }
    }

    /**
     * The modelled OS level ({@link org.upcert.harness.plan.Workload#OS_LEVELS}) the deployment
     * target behaves as: the highest modelled level not above it (26.6 behaves as 26.5, 27.1 as
     * 27), or null when none is declared.
     */
    public String deploymentLevel() {
        return deploymentTarget == null ? null : modelledLevel(deploymentTarget);
    }

    /**
     * The highest modelled OS level at or below iOS {@code version} ({@code MAJOR} or
     * {@code MAJOR.MINOR}), or null when {@code version} is not a version or lies below 26.1 (the
     * feature does not exist there).
     */
    public static String modelledLevel(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,3})(?:\\.(\\d{1,3}))?(?:\\.\\d{1,3})?").matcher(version.strip());
        if (!m.matches()) {
            return null;
        }
        int wanted = Integer.parseInt(m.group(1)) * 1000 + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
        String best = null;
        for (String level : org.upcert.harness.plan.Workload.OS_LEVELS) {
            String[] parts = level.split("\\.");
            int value = Integer.parseInt(parts[0]) * 1000 + (parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
            if (value <= wanted) {
                best = level;
            }
        }
        return best;
    }

    /** No declaration: every resource of the library is in scope. */
    public static DeclaredScope everything() {
        return EVERYTHING;
    }

    /** Whether the extension is expected to upload {@code resource} (and allowed to). */
    public boolean covers(AssetResource resource) {
        return resourceTypes.contains(resource.type())
                && (hostAppAbove.isEmpty() || resource.fileSize() <= hostAppAbove.getAsLong());
    }

    /** Why {@code resource} is out of scope, or null when it is in scope. */
    public String whyOutOf(AssetResource resource) {
        if (!resourceTypes.contains(resource.type())) {
            return "its type " + resource.type() + " is not among the declared resource types";
        }
        if (hostAppAbove.isPresent() && resource.fileSize() > hostAppAbove.getAsLong()) {
            return "its " + Sizes.format(resource.fileSize()) + " are over the declared hostAppAbove "
                    + Sizes.format(hostAppAbove.getAsLong());
        }
        return null;
    }

    /** One line for reports: {@code "PHOTO, VIDEO; files over 100 MB to the host app"}, or {@code "everything (no scope declared)"}. */
    public String describe() {
        if (!declared) {
            return "everything (no scope declared)";
        }
        List<String> names = new ArrayList<>();
        for (ResourceType type : resourceTypes) {
            names.add(type.name());
        }
        String types = names.isEmpty() ? "no resource type"
                : deploymentTarget != null && resourceTypes.size() == ResourceType.values().length && hostAppAbove.isEmpty()
                ? "everything" : String.join(", ", names);
        return types + (hostAppAbove.isPresent() ? "; files over " + Sizes.format(hostAppAbove.getAsLong()) + " to the host app" : "")
                + (deploymentTarget == null ? "" : "; " + describeTarget());
    }

    /**
     * The deployment target for reports: {@code "deployment target iOS 26.4"}, {@code "deployment
     * target iOS 26.6 (behaves as 26.5)"}; "" when none is declared.
     */
    public String describeTarget() {
        if (deploymentTarget == null) {
            return "";
        }
        String level = deploymentLevel();
        return "deployment target iOS " + deploymentTarget + (level.equals(deploymentTarget) ? "" : " (behaves as " + level + ")");
    }

    /** The trace header's {@code scope} object (docs/trace.md). */
    public Map<String, Object> toHeader() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("declared", declared);
        List<String> names = new ArrayList<>();
        for (ResourceType type : resourceTypes) {
            names.add(type.name());
        }
        header.put("resourceTypes", names);
        if (hostAppAbove.isPresent()) {
            header.put("hostAppAbove", hostAppAbove.getAsLong());
        }
        if (deploymentTarget != null) {
            header.put("deploymentTarget", deploymentTarget);
        }
        return header;
    }

    /** Reads the trace header's {@code scope} object; a header without one (older traces) means everything. */
    public static DeclaredScope fromHeader(JsonNode scope) {
        if (scope == null || scope.isMissingNode() || scope.isNull() || !scope.path("declared").asBoolean(false)) {
            return EVERYTHING;
        }
        EnumSet<ResourceType> types = EnumSet.noneOf(ResourceType.class);
        for (JsonNode name : scope.path("resourceTypes")) {
            types.add(ResourceType.valueOf(name.asText().toUpperCase(Locale.ROOT)));
        }
        JsonNode above = scope.get("hostAppAbove");
        JsonNode target = scope.get("deploymentTarget");
        return new DeclaredScope(true, types, above == null || above.isNull() ? OptionalLong.empty() : OptionalLong.of(above.asLong()),
                target == null || target.isNull() ? null : target.asText());
    }
}
