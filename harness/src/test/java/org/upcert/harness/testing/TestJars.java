package org.upcert.harness.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.upcert.api.UploadExtension;

/** Builds extension jars from test classes, as an author's build would package them. */
public final class TestJars {
    private TestJars() {
    }

    /** A jar with {@code provider} (and {@code others}) and its ServiceLoader declaration. */
    @SafeVarargs
    public static Path jarOf(Path dir, Class<? extends UploadExtension> provider, Class<?>... others) throws IOException {
        Path jar = dir.resolve(provider.getSimpleName() + ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("META-INF/services/" + UploadExtension.class.getName()));
            out.write((provider.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            addClass(out, provider);
            for (Class<?> other : others) {
                addClass(out, other);
            }
        }
        return jar;
    }

    private static void addClass(JarOutputStream out, Class<?> type) throws IOException {
        String name = type.getName().replace('.', '/') + ".class";
        try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
            out.putNextEntry(new JarEntry(name));
            out.write(in.readAllBytes());
            out.closeEntry();
        }
    }
}
