package org.upcert.harness.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.harness.testing.BadJars;

/** A jar that cannot be hosted is named with one line per problem, before any run and without running its code. */
class ExtensionJarCheckTest {
    static final String INITIALISED = "upcert.test.ExtensionJarCheckTest.initialised";

    /** A fine extension whose static initialiser leaves a mark: the check must never run it. */
    public static class Fine implements UploadExtension {
        static {
            System.setProperty(INITIALISED, "yes");
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return ProcessingResult.COMPLETED;
        }

        @Override
        public void willTerminate() {
        }
    }

    public abstract static class Abstract implements UploadExtension {
    }

    static class PackagePrivate extends Fine {
    }

    static Path jar(Path dir, String name, String serviceEntry, Class<?>... classes) throws IOException {
        return BadJars.jar(dir, name, serviceEntry, classes);
    }

    private static String only(ExtensionJarCheck check) {
        assertFalse(check.ok(), "the jar must be refused");
        assertEquals(1, check.problems().size(), check.problems().toString());
        String problem = check.problems().get(0);
        assertFalse(problem.contains("\n"), "one line: " + problem);
        assertTrue(check.provider().isEmpty());
        return problem;
    }

    @Test
    @DisplayName("a fine jar names its one provider, and its static initialiser has not run")
    void fine(@TempDir Path dir) throws IOException {
        System.clearProperty(INITIALISED);
        Path jar = jar(dir, "fine.jar", "# the extension\n" + Fine.class.getName() + "  # ours\n\n", Fine.class);
        ExtensionJarCheck check = ExtensionJarCheck.of(jar);
        assertTrue(check.ok(), check.problems().toString());
        assertEquals(Fine.class.getName(), check.provider().orElseThrow());
        assertNull(System.getProperty(INITIALISED), "no code of the jar ran in the harness");
    }

    @Test
    @DisplayName("a zip that is not called a jar is fine when it has the service entry")
    void zipIsFine(@TempDir Path dir) throws IOException {
        Path zip = jar(dir, "extension.zip", Fine.class.getName() + "\n", Fine.class);
        assertTrue(ExtensionJarCheck.of(zip).ok());
    }

    @Test
    @DisplayName("a text file, a missing file and a directory are not jars")
    void notAJar(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("extension.jar"), "this is not a jar\n");
        assertTrue(only(ExtensionJarCheck.of(text)).startsWith("not a jar"));
        assertEquals("not found", only(ExtensionJarCheck.of(dir.resolve("missing.jar"))));
        assertTrue(only(ExtensionJarCheck.of(dir)).contains("directory"));
        Path binary = Files.write(dir.resolve("random.jar"), new byte[] {0x1f, (byte) 0x8b, 0, 1, 2, 3, (byte) 0xff});
        assertTrue(only(ExtensionJarCheck.of(binary)).startsWith("not a jar"));
    }

    @Test
    @DisplayName("no service entry, or one that names no class, or not a class name")
    void serviceEntry(@TempDir Path dir) throws IOException {
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "none.jar", null, Fine.class)))
                .startsWith("no META-INF/services/org.upcert.api.UploadExtension entry"));
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "empty.jar", "# nothing yet\n\n", Fine.class))).contains("names no class"));
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "bad.jar", "com.example.My Extension\n", Fine.class)))
                .contains("line 1: 'com.example.My Extension' is not a class name"));
    }

    @Test
    @DisplayName("a class named in the service entry that is not in the jar")
    void missingClass(@TempDir Path dir) throws IOException {
        String problem = only(ExtensionJarCheck.of(jar(dir, "missing-class.jar", "com.example.Gone\n", Fine.class)));
        assertEquals("com.example.Gone, named in META-INF/services/org.upcert.api.UploadExtension, is not in the jar"
                + " (no com/example/Gone.class)", problem);
    }

    @Test
    @DisplayName("two providers: a jar declares exactly one")
    void twoProviders(@TempDir Path dir) throws IOException {
        Path jar = jar(dir, "two.jar", Fine.class.getName() + "\n" + BadJars.NeedsArgument.class.getName() + "\n" + Fine.class.getName() + "\n",
                Fine.class, BadJars.NeedsArgument.class);
        String problem = only(ExtensionJarCheck.of(jar));
        assertTrue(problem.contains("names 2 classes") && problem.contains("exactly one"), problem);
    }

    @Test
    @DisplayName("no public no-argument constructor, not an UploadExtension, abstract, not public")
    void unusableClasses(@TempDir Path dir) throws IOException {
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "a.jar", BadJars.NeedsArgument.class.getName(), BadJars.NeedsArgument.class)))
                .contains("has no public no-argument constructor"));
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "b.jar", BadJars.NotAnExtension.class.getName(), BadJars.NotAnExtension.class)))
                .endsWith("does not implement org.upcert.api.UploadExtension"));
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "c.jar", Abstract.class.getName(), Abstract.class))).contains("is abstract"));
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "d.jar", PackagePrivate.class.getName(), PackagePrivate.class, Fine.class)))
                .contains("is not public"));
        assertTrue(only(ExtensionJarCheck.of(jar(dir, "e.jar", UploadExtension.class.getName())))
                .contains("is not in the jar"));
    }

    @Test
    @DisplayName("a class whose superclass is missing from the jar cannot be loaded, and says so")
    void missingSuperclass(@TempDir Path dir) throws IOException {
        String problem = only(ExtensionJarCheck.of(jar(dir, "f.jar", PackagePrivate.class.getName(), PackagePrivate.class)));
        assertTrue(problem.contains("cannot be loaded") && problem.contains("Fine"), problem);
    }

    @Test
    @DisplayName("ExtensionSource.jar refuses a bad jar with the check's one line, and its constructor runs nothing")
    void extensionSourceUsesTheCheck(@TempDir Path dir) throws IOException {
        Path jar = jar(dir, "none.jar", null, Fine.class);
        ExtensionSource.ExtensionLoadException e = assertThrows(ExtensionSource.ExtensionLoadException.class,
                () -> ExtensionSource.jar(jar));
        assertEquals("extension jar " + jar.toAbsolutePath() + ": no META-INF/services/org.upcert.api.UploadExtension entry;"
                + " list your UploadExtension class there (one line, its binary name)", e.getMessage());

        System.clearProperty(INITIALISED);
        ExtensionSource fine = ExtensionSource.jar(jar(dir, "fine.jar", Fine.class.getName() + "\n", Fine.class));
        assertEquals(Fine.class.getName() + " from fine.jar", fine.describe());
        assertNull(System.getProperty(INITIALISED), "making the source ran no code of the jar");
        assertEquals(List.of(), ExtensionJarCheck.of(dir.resolve("fine.jar")).problems());
    }
}
