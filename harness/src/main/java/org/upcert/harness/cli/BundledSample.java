package org.upcert.harness.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The sample extension's jar as bundled in the upcert jar ({@code /upcert/sample-extension.jar}).
 * It is extracted to a temporary file and then loaded like any other extension jar, in its own
 * class loader, so the default run exercises exactly the path an author's jar takes.
 *
 * <p>Extracted once per JVM, into a temporary folder that is deleted when the JVM exits, on
 * every exit path that runs shutdown hooks (a normal end, {@code System.exit}, Ctrl-C, SIGTERM):
 * {@link java.io.File#deleteOnExit} deletes in the reverse order of registration, so the folder
 * is registered first and goes last, once the jar is gone. It runs after the application's
 * shutdown hooks, so an interrupted command's runs never lose the jar while they stop.
 */
public final class BundledSample {
    public static final String RESOURCE = "/upcert/sample-extension.jar";
    private static Path extracted;

    private BundledSample() {
    }

    /** The extracted jar, or empty when this build has no bundled sample. */
    public static synchronized Optional<Path> extract() {
        if (extracted != null && Files.isRegularFile(extracted)) {
            return Optional.of(extracted);
        }
        try (InputStream in = BundledSample.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            Path dir = Files.createTempDirectory("upcert-");
            dir.toFile().deleteOnExit(); // first registered, last deleted
            Path jar = dir.resolve("sample-extension.jar");
            jar.toFile().deleteOnExit();
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
            extracted = jar;
            return Optional.of(jar);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the bundled sample extension", e);
        }
    }
}
