package org.upcert.harness.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.upcert.api.UploadExtension;

/**
 * An extension in any language, started as a command that speaks the extension protocol. It can
 * only run out of process. Its SHA-256, for reproducibility records, covers the command line and
 * the contents of every argument that names a file (the script, a jar, a binary).
 */
public final class CommandSource extends ExtensionSource {
    private final List<String> command;
    private final Path workingDirectory;

    CommandSource(List<String> command, Path workingDirectory) {
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new ExtensionLoadException("the extension command is empty", null);
        }
        this.command = List.copyOf(command);
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
    }

    public List<String> command() {
        return command;
    }

    public Path workingDirectory() {
        return workingDirectory;
    }

    @Override
    public UploadExtension newInstance() {
        throw new UnsupportedOperationException("a command extension runs only out of process");
    }

    @Override
    public ClassLoader classLoader() {
        return null;
    }

    @Override
    public String describe() {
        return "command: " + String.join(" ", command);
    }

    @Override
    public String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String argument : command) {
                digest.update(argument.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update((byte) 0);
                Path file = workingDirectory.resolve(argument);
                if (Files.isRegularFile(file)) {
                    digest.update(Files.readAllBytes(file));
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException | IOException | java.nio.file.InvalidPathException e) {
            return "unknown";
        }
    }
}
