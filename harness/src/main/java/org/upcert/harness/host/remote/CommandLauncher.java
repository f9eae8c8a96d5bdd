package org.upcert.harness.host.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts an extension written in any language: the user's command, run from the user's working
 * directory, one OS process per simulated process, as a session leader where {@code setsid}
 * exists so a kill reaches everything it started. {@code PYTHONPATH} is extended with the bundled
 * Python client ({@code clients/python}), so {@code import upcert_extension} works without an install.
 */
public final class CommandLauncher implements ProcessLauncher {
    /**
     * The Python client's protocol log folder ({@code clients/python}): set in upcert's environment,
     * the command may write there too.
     */
    static final String PROTOCOL_LOG = "UPCERT_PROTOCOL_LOG";

    /**
     * The protocol-log folder's total size beyond which a launch gets no writable folder there: each
     * launch may add {@link Launchers#LOG_LAUNCH_BYTES}, on a disk, so a certification's would grow without bound.
     */
    static final long LOG_TOTAL_BYTES = 1L << 30;
    private static final java.util.concurrent.atomic.AtomicLong LAUNCHES = new java.util.concurrent.atomic.AtomicLong();

    private final List<String> command;
    private final Path workingDirectory;
    private final Path pythonClient;

    /**
     * @param command the program and its arguments
     * @param workingDirectory where it runs (relative paths in the command are relative to it)
     * @param pythonClient a folder to put first on {@code PYTHONPATH}, or null
     */
    public CommandLauncher(List<String> command, Path workingDirectory, Path pythonClient) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty extension command");
        }
        this.command = List.copyOf(command);
        this.workingDirectory = workingDirectory;
        this.pythonClient = pythonClient;
    }

    /** {@code UPCERT_PROTOCOL_LOG} set by a leading {@code env NAME=VALUE …} of the command, as the docs show it. */
    static java.util.Optional<String> protocolLog(List<String> command) {
        if (command.isEmpty() || !(command.get(0).equals("env") || command.get(0).endsWith("/env"))) {
            return java.util.Optional.empty();
        }
        for (String word : command.subList(1, command.size())) {
            if (!word.contains("=")) {
                break;
            }
            if (word.startsWith(PROTOCOL_LOG + "=")) {
                return java.util.Optional.of(word.substring(PROTOCOL_LOG.length() + 1));
            }
        }
        return java.util.Optional.empty();
    }

    /** The bytes of the regular files under {@code folder} (what cannot be read counts nothing). */
    static long sizeOf(Path folder) {
        try (java.util.stream.Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    @Override
    public String isolation() {
        return "command";
    }

    @Override
    public LaunchedProcess launch(LaunchRequest request) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(workingDirectory.toFile());
        Launchers.keepInheritedOnly(builder.environment());
        builder.environment().putAll(request.environment());
        if (pythonClient != null) {
            String existing = builder.environment().get("PYTHONPATH");
            builder.environment().put("PYTHONPATH", pythonClient + (existing == null || existing.isEmpty() ? ""
                    : java.io.File.pathSeparator + existing));
        }
        builder.environment().put("PYTHONUNBUFFERED", "1");
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        // Its temporary files go to its scratch folder (deleted afterwards), as a device gives an
        // extension a temporary folder of its own; elsewhere it can write nothing where the kernel
        // allows a read-only view (docs/isolation.md).
        String scratch = request.scratch().toAbsolutePath().toString();
        for (String name : List.of("TMPDIR", "TMP", "TEMP")) {
            builder.environment().put(name, scratch);
        }
        List<Path> writable = new ArrayList<>();
        Launchers.LogFolder log = null;
        String protocolLog = protocolLog(command).orElse(builder.environment().get(PROTOCOL_LOG));
        if (protocolLog != null && !protocolLog.isBlank()) {
            Path folder = workingDirectory.resolve(protocolLog);
            Files.createDirectories(folder);
            if (!Launchers.readOnlyFileSystem()) {
                writable.add(folder); // no namespace: the command can write any file of its user anyway
            } else if (sizeOf(folder) <= LOG_TOTAL_BYTES) {
                // A folder of the launch's own, shown at the path the command was given: no launch reads
                // what another wrote there (memory across a kill, or another run's), and the namespace's
                // init bounds what this one writes (Launchers.LOG_LAUNCH_BYTES).
                Path held = Files.createDirectories(folder.resolve("launch-" + ProcessHandle.current().pid() + "-"
                        + LAUNCHES.incrementAndGet()));
                log = new Launchers.LogFolder(folder, held);
            }
            // past LOG_TOTAL_BYTES the folder stays read-only: the Python client says it cannot write its log
        }
        return LocalProcess.start(builder, Launchers.canSetsid(), request.scratch(), writable, log);
    }
}
