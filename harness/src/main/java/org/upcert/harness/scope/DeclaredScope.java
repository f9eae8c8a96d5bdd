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
 * @param declared whether the extension declared a scope at all ({@link #everything()} otherwise)
 * @param resourceTypes the resource types the extension uploads
 * @param hostAppAbove files larger than this many bytes are the host app's; empty: no limit
 */
public record DeclaredScope(boolean declared, Set<ResourceType> resourceTypes, OptionalLong hostAppAbove) {
    /** Where an extension jar declares its scope. */
    public static final String JAR_ENTRY = "META-INF/upcert/scope.yaml";

    private static final DeclaredScope EVERYTHING = new DeclaredScope(false, EnumSet.allOf(ResourceType.class), OptionalLong.empty());

    public DeclaredScope {
        resourceTypes = Collections.unmodifiableSet(resourceTypes.isEmpty() ? EnumSet.noneOf(ResourceType.class)
                : EnumSet.copyOf(resourceTypes));
        if (hostAppAbove.isPresent() && hostAppAbove.getAsLong() < 0) {
            throw new IllegalArgumentException("hostAppAbove < 0");
        }
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
        String types = names.isEmpty() ? "no resource type" : String.join(", ", names);
        return types + (hostAppAbove.isPresent() ? "; files over " + Sizes.format(hostAppAbove.getAsLong()) + " to the host app" : "");
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
        return new DeclaredScope(true, types, above == null || above.isNull() ? OptionalLong.empty() : OptionalLong.of(above.asLong()));
    }
}
