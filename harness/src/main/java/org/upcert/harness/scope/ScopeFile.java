package org.upcert.harness.scope;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.upcert.api.AssetResource.ResourceType;
import org.upcert.harness.faults.profile.LocatedYaml;
import org.upcert.harness.faults.profile.Location;
import org.upcert.harness.faults.profile.ProfileException;
import org.upcert.harness.faults.profile.ProfileProblem;

/**
 * Reads a scope declaration: a small YAML mapping, read with locations like a profile, every
 * problem reported as {@code file:line:column: found …, expected …} (and the file rejected as a
 * whole). The format (docs/scope.md):
 *
 * <pre>
 * # what this extension uploads; a resource outside it is the host app's business
 * resourceTypes: [PHOTO, VIDEO, PAIRED_VIDEO]   # PHAssetResourceType cases; default: all four
 * hostAppAbove: 100 MB                          # larger files are left to the host app; default: none
 * deploymentTarget: "26.4"                      # the lowest iOS the extension runs on; default: 26.1
 * </pre>
 *
 * Resource types are the {@link ResourceType} names ({@code PHOTO}, {@code VIDEO},
 * {@code PAIRED_VIDEO}, {@code ALTERNATE_PHOTO}), in any case. Sizes are a number of bytes or a
 * number with a unit: {@code B}, {@code KB}, {@code MB}, {@code GB} (powers of 1000) or
 * {@code KiB}, {@code MiB}, {@code GiB} (powers of 1024).
 */
public final class ScopeFile {
    static final List<String> KEYS = List.of("resourceTypes", "hostAppAbove", "deploymentTarget");

    private ScopeFile() {
    }

    /** Reads a scope file given on the command line ({@code --scope FILE}); problems name the file as given. */
    public static DeclaredScope read(Path file) throws ProfileException {
        String shown = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw ProfileException.of(Location.whole(shown), "no such file, expected a scope file (docs/scope.md)");
        } catch (IOException e) {
            throw ProfileException.of(Location.whole(shown), "cannot read the file: " + e.getMessage());
        }
        return parse(shown, decode(shown, bytes));
    }

    /**
     * The scope an extension jar declares in {@value DeclaredScope#JAR_ENTRY}, or
     * {@link DeclaredScope#everything()} when it has none. Problems name {@code jar!/entry}.
     */
    public static DeclaredScope ofJar(Path jar) throws ProfileException {
        String shown = jar + "!/" + DeclaredScope.JAR_ENTRY;
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry entry = file.getEntry(DeclaredScope.JAR_ENTRY);
            if (entry == null) {
                return DeclaredScope.everything();
            }
            try (InputStream in = file.getInputStream(entry)) {
                return parse(shown, decode(shown, in.readAllBytes()));
            }
        } catch (IOException e) {
            throw ProfileException.of(Location.whole(shown), "cannot read the jar: " + e.getMessage());
        }
    }

    private static String decode(String shown, byte[] bytes) throws ProfileException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ProfileException.of(Location.whole(shown), "found bytes that are not UTF-8, expected a UTF-8 text file");
        }
    }

    /**
     * Reads a declaration from text.
     *
     * @param source how problems name the source
     */
    public static DeclaredScope parse(String source, String text) throws ProfileException {
        if (text.isBlank()) {
            throw ProfileException.of(new Location(source, 1, 1),
                    "found an empty file, expected a mapping with resourceTypes, hostAppAbove and/or deploymentTarget (docs/scope.md)");
        }
        LocatedYaml doc = LocatedYaml.read(source, text);
        JsonNode root = doc.root();
        List<ProfileProblem> problems = new ArrayList<>();
        if (!root.isObject()) {
            throw ProfileException.of(doc.location(""), "found " + kind(root)
                    + ", expected a mapping with resourceTypes, hostAppAbove and/or deploymentTarget (docs/scope.md)");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                String hint = KEYS.stream().filter(k -> k.equalsIgnoreCase(name)).findFirst()
                        .map(k -> "; did you mean '" + k + "'?").orElse("");
                problems.add(new ProfileProblem(doc.keyLocation(LocatedYaml.child("", name)),
                        "found unknown key '" + name + "', expected one of " + KEYS + hint));
            }
        }
        EnumSet<ResourceType> types = EnumSet.allOf(ResourceType.class);
        JsonNode typesNode = root.get("resourceTypes");
        if (typesNode != null) {
            types = EnumSet.noneOf(ResourceType.class);
            if (!typesNode.isArray() || typesNode.isEmpty()) {
                problems.add(new ProfileProblem(doc.location("/resourceTypes"), "found " + kind(typesNode)
                        + ", expected a non-empty list of resource types " + typeNames()));
            } else {
                for (int i = 0; i < typesNode.size(); i++) {
                    JsonNode item = typesNode.get(i);
                    Optional<ResourceType> type = item.isTextual() ? typeNamed(item.asText()) : Optional.empty();
                    if (type.isEmpty()) {
                        problems.add(new ProfileProblem(doc.location(LocatedYaml.child("/resourceTypes", i)),
                                "found " + kind(item) + ", expected a resource type " + typeNames()));
                    } else if (!types.add(type.get())) {
                        problems.add(new ProfileProblem(doc.location(LocatedYaml.child("/resourceTypes", i)),
                                "found " + type.get() + " a second time, expected each resource type once"));
                    }
                }
            }
        }
        OptionalLong above = OptionalLong.empty();
        JsonNode aboveNode = root.get("hostAppAbove");
        if (aboveNode != null) {
            OptionalLong bytes = aboveNode.isIntegralNumber() ? OptionalLong.of(aboveNode.asLong())
                    : aboveNode.isTextual() ? Sizes.parse(aboveNode.asText()) : OptionalLong.empty();
            if (bytes.isEmpty() || bytes.getAsLong() <= 0) {
                problems.add(new ProfileProblem(doc.location("/hostAppAbove"), "found " + kind(aboveNode)
                        + ", expected a positive size such as 100 MB, 60 MiB or 104857600 (bytes)"));
            } else {
                above = bytes;
            }
        }
        String target = null;
        JsonNode targetNode = root.get("deploymentTarget");
        if (targetNode != null) {
            String version = targetNode.isTextual() || targetNode.isNumber() ? targetNode.asText().strip() : null;
            if (version == null || DeclaredScope.modelledLevel(version) == null) {
                problems.add(new ProfileProblem(doc.location("/deploymentTarget"), "found " + kind(targetNode)
                        + ", expected an iOS version from 26.1 on, such as \"26.4\" or \"27\" (the lowest iOS the extension runs on)"));
            } else {
                target = version;
            }
        }
        if (!problems.isEmpty()) {
            problems.sort(ProfileProblem.SOURCE_ORDER);
            throw new ProfileException(problems);
        }
        return new DeclaredScope(true, types, above, target);
    }

    private static Optional<ResourceType> typeNamed(String name) {
        String normal = name.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ResourceType type : ResourceType.values()) {
            if (type.name().equals(normal)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    private static String typeNames() {
        List<String> names = new ArrayList<>();
        for (ResourceType type : ResourceType.values()) {
            names.add(type.name());
        }
        return "(" + String.join(", ", names) + ")";
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isNull()) {
            return "nothing";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return node.isEmpty() ? "an empty list" : "a list";
        }
        return "'" + node.asText() + "'";
    }
}
