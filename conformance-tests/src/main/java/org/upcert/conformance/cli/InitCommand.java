package org.upcert.conformance.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.upcert.harness.HarnessVersion;
import org.upcert.harness.cli.ExitCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code upcert init DIR}: a new extension project that builds and certifies itself with
 * {@code mvn verify} (the upcert Maven plugin): a pom, an extension whose every API call is a
 * commented stub, its service entry, a README and a GitHub Actions workflow.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        header = "Creates a new extension project that builds and certifies itself with mvn verify.",
        description = {"Create a new extension project in DIR (new or empty): a pom with the upcert Maven plugin and the extension API,",
                "an extension with every API call stubbed and commented, a README and a GitHub Actions workflow.",
                "`mvn verify` in DIR then builds the jar and certifies it (the stub is NOT_CERTIFIED, and says why).",
                "Exit 0 written, 2 DIR is not empty or cannot be written (nothing is written then)."})
public final class InitCommand implements Callable<Integer> {
    private static final String TEMPLATES = "/org/upcert/conformance/init/";

    @Parameters(index = "0", paramLabel = "DIR", description = "The project folder to create (it must not exist or be empty).")
    Path directory;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = "com.example",
            description = "The project's Maven groupId (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--artifact-id", paramLabel = "ID",
            description = "The project's Maven artifactId (default: DIR's name in lower case).")
    String artifactId;

    @Option(names = "--package", paramLabel = "NAME",
            description = "The extension's Java package (default: the groupId followed by .upload).")
    String packageName;

    @Option(names = "--class", paramLabel = "NAME", defaultValue = "PhotoUploadExtension",
            description = "The extension's class name (default: ${DEFAULT-VALUE}).")
    String className;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String artifact = artifactId != null ? artifactId : artifactIdOf(directory);
        String pkg = packageName != null ? packageName : groupId + ".upload";
        List<String> problems = new ArrayList<>();
        if (!groupId.matches("[A-Za-z0-9_.-]+")) {
            problems.add("--group-id '" + groupId + "' is not a Maven groupId (letters, digits, . _ -)");
        }
        if (!artifact.matches("[A-Za-z0-9_.-]+")) {
            problems.add("the artifactId '" + artifact + "' is not one (letters, digits, . _ -); give --artifact-id");
        }
        if (!pkg.matches("[a-zA-Z_][a-zA-Z0-9_]*(\\.[a-zA-Z_][a-zA-Z0-9_]*)*")) {
            problems.add("--package '" + pkg + "' is not a Java package name");
        }
        if (!className.matches("[A-Z][A-Za-z0-9_]*") || className.equals("UploadExtension")) {
            problems.add("--class '" + className + "' must be a Java class name starting with a capital, other than UploadExtension");
        }
        String occupied = occupied(directory);
        if (occupied != null) {
            problems.add(occupied);
        }
        if (!problems.isEmpty()) {
            problems.forEach(problem -> err.println("upcert init: " + problem));
            err.println("upcert init: nothing was written");
            return ExitCode.USAGE.code();
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("@groupId@", groupId);
        values.put("@artifactId@", artifact);
        values.put("@packageName@", pkg);
        values.put("@packagePath@", pkg.replace('.', '/'));
        values.put("@className@", className);
        values.put("@upcertVersion@", HarnessVersion.get());
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pom.xml", "pom.xml.template");
        files.put("README.md", "README.md.template");
        files.put(".gitignore", "gitignore.template");
        files.put(".github/workflows/upcert.yml", "ci.yml.template");
        files.put("src/main/java/" + pkg.replace('.', '/') + "/" + className + ".java", "Extension.java.template");
        files.put("src/main/resources/META-INF/services/org.upcert.api.UploadExtension", "services.template");
        try {
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path target = directory.resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.writeString(target, fill(template(file.getValue()), values), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            err.println("upcert init: cannot write " + directory + ": " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        out.println("upcert init — " + directory + " (" + groupId + ":" + artifact + ", upcert " + HarnessVersion.get() + ")");
        files.keySet().forEach(name -> out.println("  " + name));
        out.println();
        out.println("next: cd " + directory + " && mvn verify");
        out.println("  builds the jar and certifies it with the upcert Maven plugin (bundle in target/upcert/);");
        out.println("  the stub is NOT_CERTIFIED, and the build says which rules fail and why.");
        out.println("  upcert's artifacts must be in your Maven repository: ./mvnw install in upcert, or your team's");
        out.println("  repository manager (docs/author-build.md).");
        return ExitCode.OK.code();
    }

    /** The pom {@code init} writes for {@code groupId:artifactId} (docs/author-build.md shows it; a test keeps them equal). */
    public static String pom(String groupId, String artifactId) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("@groupId@", groupId);
        values.put("@artifactId@", artifactId);
        values.put("@upcertVersion@", HarnessVersion.get());
        return fill(template("pom.xml.template"), values);
    }

    /** Why {@code dir} cannot take a new project, or null if it can (it does not exist, or is an empty folder). */
    static String occupied(Path dir) {
        if (!Files.exists(dir)) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            return dir + " is a file, not a folder";
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> names = entries.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
            return names.isEmpty() ? null : dir + " is not empty (" + String.join(", ", names) + (names.size() == 3 ? ", …" : "")
                    + "): init writes only into a new or empty folder";
        } catch (IOException e) {
            return "cannot read " + dir + ": " + e.getMessage();
        }
    }

    static String artifactIdOf(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        String id = name == null ? "" : name.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "-")
                .replaceAll("^-+|-+$", "");
        return id.isEmpty() ? "upload-extension" : id;
    }

    private static String template(String name) throws IOException {
        try (InputStream in = InitCommand.class.getResourceAsStream(TEMPLATES + name)) {
            if (in == null) {
                throw new IOException("this build lacks the template " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String fill(String template, Map<String, String> values) {
        String text = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace(value.getKey(), value.getValue());
        }
        return text;
    }
}
