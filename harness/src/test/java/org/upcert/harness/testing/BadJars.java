package org.upcert.harness.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;

/** Extension jars that cannot be hosted, one per kind of mistake, and a fragment of the reason each must be given. */
public enum BadJars {
    TEXT_FILE("not a jar"),
    NO_SERVICE_ENTRY("no META-INF/services/org.upcert.api.UploadExtension entry"),
    MISSING_CLASS("com.example.Gone, named in META-INF/services/org.upcert.api.UploadExtension, is not in the jar"),
    TWO_PROVIDERS("names 2 classes"),
    NO_NO_ARGUMENT_CONSTRUCTOR("has no public no-argument constructor"),
    NOT_AN_EXTENSION("does not implement org.upcert.api.UploadExtension");

    private static final String SERVICE_ENTRY = "META-INF/services/" + UploadExtension.class.getName();
    private final String reason;

    BadJars(String reason) {
        this.reason = reason;
    }

    /** A fragment of the one-line reason upcert must give. */
    public String reason() {
        return reason;
    }

    /** Writes the jar into {@code dir}. */
    public Path write(Path dir) throws IOException {
        String name = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ".jar";
        return switch (this) {
            case TEXT_FILE -> Files.writeString(dir.resolve(name), "I am a README, not a jar.\n");
            case NO_SERVICE_ENTRY -> jar(dir, name, null, NaiveExtension.class);
            case MISSING_CLASS -> jar(dir, name, "com.example.Gone\n", NaiveExtension.class);
            case TWO_PROVIDERS -> jar(dir, name, NaiveExtension.class.getName() + "\n" + NeedsArgument.class.getName() + "\n",
                    NaiveExtension.class, NeedsArgument.class);
            case NO_NO_ARGUMENT_CONSTRUCTOR -> jar(dir, name, NeedsArgument.class.getName() + "\n", NeedsArgument.class);
            case NOT_AN_EXTENSION -> jar(dir, name, NotAnExtension.class.getName() + "\n", NotAnExtension.class);
        };
    }

    /** A jar holding {@code serviceEntry} (null: none) and the class files of {@code classes}. */
    public static Path jar(Path dir, String name, String serviceEntry, Class<?>... classes) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            if (serviceEntry != null) {
                out.putNextEntry(new JarEntry(SERVICE_ENTRY));
                out.write(serviceEntry.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            for (Class<?> type : classes) {
                String path = type.getName().replace('.', '/') + ".class";
                try (InputStream in = type.getClassLoader().getResourceAsStream(path)) {
                    out.putNextEntry(new JarEntry(path));
                    out.write(in.readAllBytes());
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    /** An extension the system cannot make: its only constructor takes an argument. */
    public static final class NeedsArgument implements UploadExtension {
        public NeedsArgument(String configuration) {
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return ProcessingResult.COMPLETED;
        }

        @Override
        public void willTerminate() {
        }
    }

    /** A class a service entry names by mistake. */
    public static final class NotAnExtension {
    }
}
