package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.conformance.cli.ShrinkCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * The harness's own edges for certify and shrink: a jar that cannot be hosted, or an --out that
 * cannot be written, is exit 2 with one line saying why, before any run (a bad jar used to be
 * exit 3 after every run of the plan had failed to load it).
 */
class CommandInputEdgesTest {

    private record Outcome(int code, String out, String err) {
        void assertRefused(String fragment) {
            assertEquals(2, code, "exit 2 (bad input); stderr: " + err + "\nstdout: " + out);
            assertTrue(err.contains(fragment), "the reason is given: " + err);
            assertEquals(1, err.strip().lines().count(), "one line, no stack trace: " + err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
            assertFalse(out.contains("runs "), "nothing was run: " + out);
        }
    }

    private static Outcome upcert(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand(), new ShrinkCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Outcome(cli.execute(args), out.toString(), err.toString());
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

    enum BadJar {
        TEXT_FILE("not a jar"),
        NO_SERVICE_ENTRY("no META-INF/services/org.upcert.api.UploadExtension entry"),
        MISSING_CLASS("com.example.Gone, named in META-INF/services/org.upcert.api.UploadExtension, is not in the jar"),
        TWO_PROVIDERS("names 2 classes"),
        NO_NO_ARGUMENT_CONSTRUCTOR("has no public no-argument constructor"),
        NOT_AN_EXTENSION("does not implement org.upcert.api.UploadExtension");

        final String reason;

        BadJar(String reason) {
            this.reason = reason;
        }

        Path write(Path dir) throws IOException {
            Path jar = dir.resolve(name().toLowerCase(java.util.Locale.ROOT) + ".jar");
            if (this == TEXT_FILE) {
                return Files.writeString(jar, "I am a README, not a jar.\n");
            }
            String entry = switch (this) {
                case NO_SERVICE_ENTRY -> null;
                case MISSING_CLASS -> "com.example.Gone\n";
                case TWO_PROVIDERS -> NeedsArgument.class.getName() + "\n" + NotAnExtension.class.getName() + "\n";
                case NOT_AN_EXTENSION -> NotAnExtension.class.getName() + "\n";
                default -> NeedsArgument.class.getName() + "\n";
            };
            try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
                if (entry != null) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + UploadExtension.class.getName()));
                    out.write(entry.getBytes(StandardCharsets.UTF_8));
                    out.closeEntry();
                }
                for (Class<?> type : List.of(NeedsArgument.class, NotAnExtension.class)) {
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
    }

    @ParameterizedTest(name = "certify --extension {0}")
    @EnumSource(BadJar.class)
    @DisplayName("certify refuses a jar that cannot be hosted before any run: exit 2, not 3 after the whole plan")
    void certifyRefusesBadJars(BadJar kind, @TempDir Path dir) throws IOException {
        Path out = dir.resolve("certify");
        Outcome certify = upcert("certify", "--extension", kind.write(dir).toString(), "--out", out.toString());
        certify.assertRefused(kind.reason);
        assertTrue(certify.err().startsWith("upcert certify: extension jar "), certify.err());
        assertTrue(Files.notExists(out), "no report: nothing was certified");
    }

    @ParameterizedTest(name = "shrink --extension {0}")
    @EnumSource(BadJar.class)
    @DisplayName("shrink refuses a jar that cannot be hosted before any run")
    void shrinkRefusesBadJars(BadJar kind, @TempDir Path dir) throws IOException {
        upcert("shrink", "--extension", kind.write(dir).toString(), "--profile", "baseline", "--seed", "1", "--rule", "ACK-01",
                "--out", dir.resolve("shrink").toString()).assertRefused(kind.reason);
    }

    @Test
    @DisplayName("isolation options that cannot work together are bad input, before any run")
    void isolationCombinations(@TempDir Path dir) {
        upcert("certify", "--isolation", "sideways", "--out", dir.toString()).assertRefused("isolation");
        upcert("certify", "--sandbox", "vm", "--out", dir.toString()).assertRefused("--sandbox takes 'container'");
        upcert("certify", "--isolation", "in-process", "--sandbox", "container", "--out", dir.toString())
                .assertRefused("contradict");
        upcert("certify", "--extension-cmd", "python3 x.py", "--isolation", "worker", "--out", dir.toString())
                .assertRefused("--extension-cmd");
        upcert("certify", "--extension-cmd", "python3 'x.py", "--out", dir.toString()).assertRefused("unterminated");
        upcert("certify", "--extension-class", org.upcert.sample.SampleUploadExtension.class.getName(), "--isolation", "worker",
                "--out", dir.toString()).assertRefused("class on the class path");
    }

    @Test
    @DisplayName("--hang-after takes a duration from 100ms to 10m; anything else is bad input before any run")
    void hangAfter(@TempDir Path dir) {
        upcert("certify", "--hang-after", "soon", "--out", dir.toString()).assertRefused("--hang-after takes a duration");
        upcert("certify", "--hang-after", "5ms", "--out", dir.toString()).assertRefused("--hang-after takes a duration");
        upcert("run", "--hang-after", "1h", "--assets", "5").assertRefused("--hang-after takes a duration");
    }

    @Test
    @DisplayName("--extension-class naming a class without a public no-argument constructor is bad input too")
    void extensionClassWithoutConstructor(@TempDir Path dir) {
        upcert("certify", "--extension-class", NeedsArgument.class.getName(), "--out", dir.toString())
                .assertRefused("has no public no-argument constructor");
    }

    @Test
    @DisplayName("certify and shrink: --out that is a file, under a file, or a folder that cannot be written is exit 2")
    void unwritableOut(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        List<Path> bad = new ArrayList<>(List.of(file, file.resolve("sub"), unwritableFolder(dir).resolve("reports")));
        for (Path out : bad) {
            upcert("certify", "--profiles", "baseline", "--seed", "1", "--out", out.toString()).assertRefused("--out " + out);
            upcert("shrink", "--profile", "baseline", "--seed", "1", "--rule", "ACK-01", "--out", out.toString())
                    .assertRefused("--out " + out);
        }
        assertEquals("x", Files.readString(file), "the file was left alone");
    }

    /**
     * A folder the tests cannot write into: read-only permissions, or (as root, whom permission
     * bits do not stop, detected by a probe write) a path under a regular file.
     */
    static Path unwritableFolder(Path dir) throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Files.delete(Files.createFile(readOnly.resolve("probe")));
        } catch (IOException expected) {
            return readOnly; // permissions hold: not root
        }
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.writeString(dir.resolve("regular-file"), "root writes anywhere; not under a file").resolve("out");
    }
}
