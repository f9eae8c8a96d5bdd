package org.upcert.conformance.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** How the commands that judge an extension name it: a jar, or a class on the class path. */
final class ExtensionOptions {
    @Option(names = "--extension", paramLabel = "JAR", description = "The extension jar (default: the bundled sample).")
    Path jar;

    @Option(names = "--extension-class", paramLabel = "NAME",
            description = "Or: an UploadExtension class on the class path (java -cp upcert.jar:your-classes …).")
    String type;

    /** Adds the suite's configuration parameters for the extension ({@code upcert.extension[.class]}). */
    void into(Map<String, String> parameters) {
        if (jar != null) {
            parameters.put("upcert.extension", jar.toString());
        }
        if (type != null) {
            parameters.put("upcert.extension.class", type);
        }
    }
}
