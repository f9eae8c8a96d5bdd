package org.upcert.conformance.authors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.upcert.harness.scope.DeclaredScope;

/** Packs one of the {@link AuthorExtensions} into a jar of its own, as an author's build would. */
final class AuthorJars {
    private AuthorJars() {
    }

    /**
     * A jar holding {@code type} (with the other classes of {@link AuthorExtensions}), its service
     * entry and, if {@code scope} is not null, {@value DeclaredScope#JAR_ENTRY} with that text.
     */
    static Path jar(Class<?> type, Path dir, String scope) throws IOException {
        Path classes = Path.of(type.getProtectionDomain().getCodeSource().getLocation().getPath());
        String prefix = type.getPackageName().replace('.', '/') + "/";
        Path jar = dir.resolve(type.getSimpleName() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.list(classes.resolve(prefix))) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("AuthorExtensions")) {
                    out.putNextEntry(new JarEntry(prefix + name));
                    out.write(Files.readAllBytes(file));
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/org.upcert.api.UploadExtension"));
            out.write((type.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            if (scope != null) {
                out.putNextEntry(new JarEntry(DeclaredScope.JAR_ENTRY));
                out.write(scope.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }
}
