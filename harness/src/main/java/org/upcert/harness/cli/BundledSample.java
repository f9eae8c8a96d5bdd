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
 */
public final class BundledSample {
    public static final String RESOURCE = "/upcert/sample-extension.jar";

    private BundledSample() {
    }

    /** The extracted jar, or empty when this build has no bundled sample. */
    public static Optional<Path> extract() {
        try (InputStream in = BundledSample.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            Path dir = Files.createTempDirectory("upcert-");
            Path jar = dir.resolve("sample-extension.jar");
            jar.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(jar);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the bundled sample extension", e);
        }
    }
}
