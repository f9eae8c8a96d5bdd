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

    @picocli.CommandLine.Mixin
    org.upcert.harness.cli.HostingOptions hosting = new org.upcert.harness.cli.HostingOptions();

    @Option(names = "--assume", paramLabel = "NAME", split = ",",
            description = {"Assume what PhotoKit does not document; the certificate states it.",
                    "http-status: failed jobs show the extension the HTTP status (UploadError.httpStatus()).",
                    "Default: none (the extension sees the sanitized error code and the lowercased response headers)."})
    java.util.List<String> assume = new java.util.ArrayList<>();

    /**
     * Adds the suite's configuration parameters for the extension ({@code upcert.extension[.class|.cmd]},
     * {@code upcert.isolation}); throws {@link IllegalArgumentException} for contradicting options.
     */
    void into(Map<String, String> parameters) {
        parameters.put("upcert.isolation", hosting.isolation());
        if (hosting.hangAfterMs() > 0) {
            parameters.put("upcert.hang-after", hosting.hangAfterMs() + "ms");
        }
        if (!assume.isEmpty()) {
            parameters.put("upcert.assume", String.join(",", assume));
        }
        hosting.commandLine().ifPresent(line -> parameters.put("upcert.extension.cmd", line));
        hosting.scopeFile().ifPresent(file -> parameters.put("upcert.scope", file.toString()));
        hosting.upgradeTo().ifPresent(next -> parameters.put("upcert.upgrade-to", next));
        if (jar != null) {
            parameters.put("upcert.extension", jar.toString());
        }
        if (type != null) {
            parameters.put("upcert.extension.class", type);
        }
    }
}
