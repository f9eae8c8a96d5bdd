package org.upcert.conformance.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packs test extensions into jars the way an author ships one: the classes, the
 * {@code META-INF/services} entry naming the extension, and any extra resources (a declared
 * scope, a file the extension reads). The corpora of test extensions (hostile, author styles)
 * are jarred here so that they run out of process like an author's jar.
 */
public final class ExtensionJars {
    private ExtensionJars() {
    }

    /**
     * A jar named after {@code type} in {@code dir}, holding every class file of {@code type}'s
     * package whose name starts with {@code classPrefix} (the corpus class and its nested
     * extensions), the service entry for {@code type}, and {@code resources} (entry → text).
     */
    public static Path pack(Class<?> type, String classPrefix, Path dir, Map<String, String> resources) throws IOException {
        Path classes = Path.of(type.getProtectionDomain().getCodeSource().getLocation().getPath());
        String prefix = type.getPackageName().replace('.', '/') + "/";
        Path jar = dir.resolve(type.getSimpleName() + ".jar");
        SortedMap<String, String> extra = new TreeMap<>(resources);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.list(classes.resolve(prefix))) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(classPrefix)) {
                    out.putNextEntry(new JarEntry(prefix + name));
                    out.write(Files.readAllBytes(file));
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/org.upcert.api.UploadExtension"));
            out.write((type.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            for (Map.Entry<String, String> entry : extra.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }
}
