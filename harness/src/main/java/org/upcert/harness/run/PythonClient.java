package org.upcert.harness.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The Python client library ({@code clients/python/upcert_extension.py}, standard library only),
 * bundled in upcert's jar and written once per JVM to a temporary folder that commands find on
 * their {@code PYTHONPATH}; the folder is removed when the JVM exits.
 */
final class PythonClient {
    private static final String RESOURCE = "upcert/python/upcert_extension.py";
    private static Path folder;

    private PythonClient() {
    }

    /** The folder holding {@code upcert_extension.py}, or null if this build does not bundle it. */
    static synchronized Path folder() {
        if (folder != null) {
            return folder;
        }
        try (InputStream in = PythonClient.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return null;
            }
            Path made = Files.createTempDirectory("upcert-python-");
            Path module = made.resolve("upcert_extension.py");
            Files.copy(in, module, StandardCopyOption.REPLACE_EXISTING);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                module.toFile().delete();
                made.toFile().delete();
            }, "upcert-python-client-cleanup"));
            folder = made;
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the Python client", e);
        }
    }
}
