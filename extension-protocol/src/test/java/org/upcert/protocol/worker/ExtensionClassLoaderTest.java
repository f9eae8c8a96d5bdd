package org.upcert.protocol.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relaunch defines the extension's classes afresh (nothing of the previous launch survives), from
 * class bytes read once per JVM; classes are defined as URLClassLoader defines them.
 */
class ExtensionClassLoaderTest {

    /** Extension code with static state: what a relaunch must not keep. */
    public static final class Launched {
        private static int calls;

        public static int call() {
            return ++calls;
        }
    }

    private static final String NAME = Launched.class.getName();

    @TempDir
    Path dir;

    @Test
    @DisplayName("each launch defines fresh classes (static state starts again) from bytes read once, with the jar as code source")
    void freshClassesFromKeptBytes() throws Exception {
        Path jar = jar(dir.resolve("extension.jar"), false, "kept");
        URL url = jar.toUri().toURL();
        Class<?> first;
        try (ExtensionClassLoader one = new ExtensionClassLoader(url)) {
            first = one.loadClass(NAME);
            assertEquals(1, first.getMethod("call").invoke(null));
            assertEquals(2, first.getMethod("call").invoke(null));
        }
        try (ExtensionClassLoader two = new ExtensionClassLoader(url)) {
            Class<?> second = two.loadClass(NAME);
            assertNotSame(first, second, "a relaunch defines its own class");
            assertNotSame(Launched.class, second, "loaded from the jar, not from the class path");
            assertEquals(1, second.getMethod("call").invoke(null), "nothing of the previous launch's static state survives");
            assertEquals(url, second.getProtectionDomain().getCodeSource().getLocation());
            assertEquals("kept", second.getPackage().getImplementationTitle(), "the package comes from the jar's manifest");
        }
        ExtensionClassLoader.ClassBytes kept = ExtensionClassLoader.ClassBytes.of(url).orElseThrow();
        assertSame(kept, ExtensionClassLoader.ClassBytes.of(url).orElseThrow(), "one reading of the jar per JVM");
        assertSame(kept.classBytes(NAME), kept.classBytes(NAME), "each class read once");
        assertEquals(null, kept.classBytes("org.upcert.NoSuchClass"));
    }

    @Test
    @DisplayName("a rebuilt jar (another size or modification time) is read afresh")
    void rebuiltJarReadAgain() throws Exception {
        Path jar = jar(dir.resolve("extension.jar"), false, "first");
        URL url = jar.toUri().toURL();
        ExtensionClassLoader.ClassBytes before = ExtensionClassLoader.ClassBytes.of(url).orElseThrow();
        jar(jar, false, "the second build");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 5_000));
        ExtensionClassLoader.ClassBytes after = ExtensionClassLoader.ClassBytes.of(url).orElseThrow();
        assertNotSame(before, after);
        try (ExtensionClassLoader loader = new ExtensionClassLoader(url)) {
            assertEquals("the second build", loader.loadClass(NAME).getPackage().getImplementationTitle());
        }
    }

    @Test
    @DisplayName("a signed jar is left to URLClassLoader (its classes carry signers), and still loads")
    void signedJarNotKept() throws Exception {
        Path jar = jar(dir.resolve("signed.jar"), true, "signed");
        URL url = jar.toUri().toURL();
        assertEquals(Optional.empty(), ExtensionClassLoader.ClassBytes.of(url));
        try (ExtensionClassLoader loader = new ExtensionClassLoader(url)) {
            assertTrue(loader.loadClass(NAME).getClassLoader() == loader);
        }
    }

    private static Path jar(Path file, boolean signed, String title) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_TITLE, title);
        String resource = NAME.replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest);
                InputStream code = ExtensionClassLoaderTest.class.getClassLoader().getResourceAsStream(resource)) {
            jar.putNextEntry(new JarEntry(resource));
            jar.write(code.readAllBytes());
            jar.closeEntry();
            if (signed) {
                jar.putNextEntry(new JarEntry("META-INF/SIGNER.SF"));
                jar.write("Signature-Version: 1.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return file;
    }
}
