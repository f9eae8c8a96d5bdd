package org.upcert.harness.host.remote;

import java.io.IOException;
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

    @Override
    public String isolation() {
        return "command";
    }

    @Override
    public LaunchedProcess launch(LaunchRequest request) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(workingDirectory.toFile());
        builder.environment().putAll(request.environment());
        if (pythonClient != null) {
            String existing = builder.environment().get("PYTHONPATH");
            builder.environment().put("PYTHONPATH", pythonClient + (existing == null || existing.isEmpty() ? ""
                    : java.io.File.pathSeparator + existing));
        }
        builder.environment().put("PYTHONUNBUFFERED", "1");
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return LocalProcess.start(builder, Launchers.canSetsid());
    }
}
