package org.upcert.protocol.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/**
 * Every launch gets a new instance of the jar's one provider from its own class loader, found by
 * {@link java.util.ServiceLoader} at the jar's first launch and by name after it; failures read as
 * {@code ServiceLoader}'s.
 */
class ExtensionProviderTest {

    /** A provider whose constructor throws while the system property {@value #REFUSE} is set. */
    public static final class Counting implements UploadExtension {
        static final String REFUSE = "upcert.test.refuse-construction";
        private static int made;

        public Counting() {
            if (System.getProperty(REFUSE) != null) {
                throw new IllegalStateException("refused on purpose");
            }
            made++;
        }

        public static int made() {
            return made;
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return ProcessingResult.COMPLETED;
        }

        @Override
        public void willTerminate() {
        }
    }

    /** Not public: ServiceLoader cannot make one. */
    static final class Hidden implements UploadExtension {
        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return ProcessingResult.COMPLETED;
        }

        @Override
        public void willTerminate() {
        }
    }

    @TempDir
    Path dir;

    @Test
    @DisplayName("each launch: a new instance of the jar's provider, defined by the launch's own loader; found by ServiceLoader once")
    void newInstancePerLaunch() throws Exception {
        URL url = jar(dir.resolve("one.jar"), Counting.class.getName() + "\n", Counting.class).toUri().toURL();
        Class<?> first;
        try (ExtensionClassLoader one = new ExtensionClassLoader(url)) {
            assertNull(one.knownProvider(), "nothing known before the first launch");
            List<Class<? extends UploadExtension>> types = ExtensionProvider.types(one);
            assertEquals(1, types.size());
            first = types.get(0);
            assertSame(one, first.getClassLoader());
            UploadExtension made = ExtensionProvider.newInstance(types.get(0));
            assertSame(first, made.getClass());
            assertEquals(1, first.getMethod("made").invoke(null));
            assertEquals(Counting.class.getName(), one.knownProvider(), "kept for the later launches");
        }
        try (ExtensionClassLoader two = new ExtensionClassLoader(url)) {
            assertEquals(Counting.class.getName(), two.knownProvider(), "known from the first launch");
            List<Class<? extends UploadExtension>> types = ExtensionProvider.types(two);
            assertEquals(1, types.size());
            assertSame(two, types.get(0).getClassLoader(), "the later launch's own class");
            assertNotSame(first, types.get(0));
            ExtensionProvider.newInstance(types.get(0));
            assertEquals(1, types.get(0).getMethod("made").invoke(null), "fresh static state");
        }
    }

    @Test
    @DisplayName("a constructor that throws on a later launch fails as ServiceLoader's would: the constructor's exception as cause")
    void constructorFailureOnALaterLaunch() throws Exception {
        URL url = jar(dir.resolve("refusing.jar"), Counting.class.getName() + "\n", Counting.class).toUri().toURL();
        try (ExtensionClassLoader one = new ExtensionClassLoader(url)) {
            ExtensionProvider.newInstance(ExtensionProvider.types(one).get(0));
        }
        System.setProperty(Counting.REFUSE, "yes");
        try (ExtensionClassLoader two = new ExtensionClassLoader(url)) {
            Class<? extends UploadExtension> type = ExtensionProvider.types(two).get(0);
            ServiceConfigurationError e = assertThrows(ServiceConfigurationError.class, () -> ExtensionProvider.newInstance(type));
            assertTrue(e.getCause() instanceof IllegalStateException && e.getCause().getMessage().equals("refused on purpose"),
                    "the constructor's own exception: " + e.getCause());
            assertTrue(e.getMessage().contains("could not be instantiated"), e.getMessage());
        } finally {
            System.clearProperty(Counting.REFUSE);
        }
    }

    @Test
    @DisplayName("a services file naming no provider, or two, is reported by count at every launch and never kept")
    void notExactlyOneIsNeverKept() throws Exception {
        URL none = jar(dir.resolve("none.jar"), "# nothing here\n", Counting.class).toUri().toURL();
        URL two = jar(dir.resolve("two.jar"), Counting.class.getName() + "\n" + Counting.class.getName() + "X\n", Counting.class)
                .toUri().toURL();
        for (int launch = 0; launch < 2; launch++) {
            try (ExtensionClassLoader loader = new ExtensionClassLoader(none)) {
                assertEquals(0, ExtensionProvider.types(loader).size());
                assertNull(loader.knownProvider());
            }
            try (ExtensionClassLoader loader = new ExtensionClassLoader(two)) {
                assertThrows(ServiceConfigurationError.class, () -> ExtensionProvider.types(loader),
                        "ServiceLoader's own error for a class the jar lacks");
                assertNull(loader.knownProvider());
            }
        }
    }

    @Test
    @DisplayName("a provider class that is not public cannot be made, as with ServiceLoader")
    void hiddenProviderFails() throws Exception {
        URL url = jar(dir.resolve("hidden.jar"), Hidden.class.getName() + "\n", Hidden.class).toUri().toURL();
        try (ExtensionClassLoader loader = new ExtensionClassLoader(url)) {
            assertThrows(ServiceConfigurationError.class, () -> {
                List<Class<? extends UploadExtension>> types = ExtensionProvider.types(loader);
                ExtensionProvider.newInstance(types.get(0));
            });
        }
    }

    private static Path jar(Path file, String services, Class<?> provider) throws IOException {
        String resource = provider.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out);
                InputStream code = ExtensionProviderTest.class.getClassLoader().getResourceAsStream(resource)) {
            jar.putNextEntry(new JarEntry(resource));
            jar.write(code.readAllBytes());
            jar.closeEntry();
            jar.putNextEntry(new JarEntry("META-INF/services/" + UploadExtension.class.getName()));
            jar.write(services.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return file;
    }
}
