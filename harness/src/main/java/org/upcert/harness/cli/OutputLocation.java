package org.upcert.harness.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a command writes ({@code --out}), checked before anything runs: a folder that is a file,
 * or that cannot be created or written, is bad input (exit 2, one line), not a stack trace at
 * the end of a long run.
 *
 * <p>The check asks the operating system ({@code access(2)} through {@link Files#isWritable}), so
 * it agrees with what the write will meet: a read-only file system is refused, while root, who
 * may write into a folder without write permission, is not.
 */
public final class OutputLocation {
    private OutputLocation() {
    }

    /** Why {@code folder} cannot be, or become, a folder to write into; empty when it can. */
    public static Optional<String> folderProblem(Path folder) {
        Path target = folder.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                return Optional.of(folder + " is a file, not a folder");
            }
            return Files.isWritable(target) ? Optional.empty() : Optional.of(folder + " is a folder that cannot be written");
        }
        Path existing = target.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Optional.of(folder + " cannot be created: no part of its path exists");
        }
        if (!Files.isDirectory(existing)) {
            return Optional.of(folder + " cannot be created: " + existing + " is a file, not a folder");
        }
        if (!Files.isWritable(existing)) {
            return Optional.of(folder + " cannot be created: " + existing + " cannot be written");
        }
        return Optional.empty();
    }

    /** Why {@code file} cannot be written (created or replaced); empty when it can. */
    public static Optional<String> fileProblem(Path file) {
        Path target = file.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            return Optional.of(file + " is a folder, not a file");
        }
        if (Files.exists(target) && !Files.isWritable(target)) {
            return Optional.of(file + " cannot be written");
        }
        Path parent = target.getParent();
        return parent == null ? Optional.empty() : folderProblem(parent).map(problem -> file + ": " + problem);
    }
}
