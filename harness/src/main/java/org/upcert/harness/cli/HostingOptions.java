package org.upcert.harness.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.upcert.harness.host.CommandLine;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.run.Hosting;
import picocli.CommandLine.Option;

/** Where an extension's code runs: the options {@code run}, {@code certify} and {@code shrink} share. */
public final class HostingOptions {
    @Option(names = "--isolation", paramLabel = "MODE",
            description = "Where the extension's code runs: worker (a JVM process of its own; the default for a jar), "
                    + "in-process (the harness's JVM: fastest, not isolated), container (as --sandbox container).")
    String isolation;

    @Option(names = "--sandbox", paramLabel = "KIND",
            description = "container: run the worker in a container built locally (read-only root, no network, "
                    + "memory and process limits; needs a Docker engine).")
    String sandbox;

    @Option(names = "--extension-cmd", paramLabel = "COMMAND",
            description = "An extension in any language: a command that speaks the extension protocol "
                    + "(docs/protocol.md), e.g. \"python3 my_extension.py\"; one process per simulated process.")
    String command;

    @Option(names = "--upgrade-to", paramLabel = "ARTIFACT",
            description = "The app's next build, which an app.upgrade fault swaps in (docs/profiles.md): a jar with --extension, "
                    + "a command with --extension-cmd; it runs in the same isolation, with the first build's app group and jobs. "
                    + "Default: the same artifact, relaunched fresh (an update without a code change).")
    String upgradeTo;

    @Option(names = "--scope", paramLabel = "FILE",
            description = "A scope file (docs/scope.md) declaring what the extension uploads (resource types, a size above "
                    + "which the host app takes over) and its deployment target (profiles below it run at it). "
                    + "Default: the jar's own META-INF/upcert/scope.yaml, else everything on every iOS level.")
    Path scope;

    @Option(names = "--hang-after", paramLabel = "DURATION",
            description = "Real time a call of the extension may go without any API call before it is declared hung and its "
                    + "process killed (RES-04), e.g. 3s. Default: 10s. The only real-time bound of a run: it never decides a "
                    + "verdict of an extension that makes progress, only when a hung one is given up.")
    String hangAfter;

    /** {@code --hang-after} in milliseconds; 0 when not given. Throws {@link IllegalArgumentException} for a bad duration. */
    public long hangAfterMs() {
        return hangAfter == null ? 0 : hangAfterMillis(hangAfter);
    }

    /**
     * Reads a hang bound ({@code --hang-after}): a duration from 100 ms to 10 min, e.g. {@code 3s}.
     *
     * @throws IllegalArgumentException saying what it takes
     */
    public static long hangAfterMillis(String text) {
        java.util.OptionalLong millis = org.upcert.harness.faults.profile.Durations.parse(text.trim());
        if (millis.isEmpty() || millis.getAsLong() < 100 || millis.getAsLong() > 600_000) {
            throw new IllegalArgumentException("--hang-after takes a duration from 100ms to 10m, e.g. 3s; not '" + text + "'");
        }
        return millis.getAsLong();
    }

    /** The scope file given with {@code --scope}, if any. */
    public Optional<Path> scopeFile() {
        return Optional.ofNullable(scope);
    }

    /**
     * The scope {@code --scope} declares, if given; a malformed file throws
     * {@link IllegalArgumentException} with every problem as {@code file:line:column: found …, expected …}.
     */
    public Optional<org.upcert.harness.scope.DeclaredScope> declaredScope() {
        if (scope == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(org.upcert.harness.scope.ScopeFile.read(scope));
        } catch (org.upcert.harness.faults.profile.ProfileException e) {
            throw new IllegalArgumentException(e.getMessage() + "\nthe declared scope is not valid (docs/scope.md); nothing was run");
        }
    }

    /** Applies {@code --scope} to {@code source} (see {@link #declaredScope()}). */
    public ExtensionSource withScope(ExtensionSource source) {
        declaredScope().ifPresent(source::withDeclaredScope);
        return source;
    }

    /** The isolation asked for ({@code auto} when none); throws {@link IllegalArgumentException} for a bad combination. */
    public String isolation() {
        if (sandbox != null && !sandbox.equals("container")) {
            throw new IllegalArgumentException("--sandbox takes 'container', not '" + sandbox + "'");
        }
        if (sandbox != null && isolation != null && !isolation.equals(Hosting.CONTAINER)) {
            throw new IllegalArgumentException("--sandbox container and --isolation " + isolation + " contradict each other");
        }
        String chosen = sandbox != null ? Hosting.CONTAINER : isolation == null ? Hosting.AUTO : isolation;
        if (!Hosting.NAMES.contains(chosen)) {
            throw new IllegalArgumentException("--isolation takes worker, in-process or container, not '" + chosen + "'");
        }
        if (command != null && !chosen.equals(Hosting.AUTO)) {
            throw new IllegalArgumentException("--extension-cmd runs the command in processes of its own; it takes no --isolation or --sandbox");
        }
        return chosen;
    }

    /** The command extension, if one was given. */
    public Optional<ExtensionSource> commandSource() {
        if (command == null) {
            return Optional.empty();
        }
        return Optional.of(ExtensionSource.command(CommandLine.split(command), Path.of("").toAbsolutePath()));
    }

    /** {@code --upgrade-to} as given, if any. */
    public Optional<String> upgradeTo() {
        return Optional.ofNullable(upgradeTo);
    }

    /**
     * The app's next build ({@code --upgrade-to}): a command when the extension is a command, else
     * a jar; empty without the option. Throws {@link IllegalArgumentException} for a jar that does
     * not exist, {@link ExtensionSource.ExtensionLoadException} for one that is not an extension.
     */
    public Optional<ExtensionSource> upgradeSource() {
        if (upgradeTo == null) {
            return Optional.empty();
        }
        if (command != null) {
            return Optional.of(ExtensionSource.command(CommandLine.split(upgradeTo), Path.of("").toAbsolutePath()));
        }
        Path jar = Path.of(upgradeTo);
        if (!java.nio.file.Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--upgrade-to: no such jar " + jar.toAbsolutePath()
                    + " (with --extension-cmd, --upgrade-to takes a command)");
        }
        return Optional.of(ExtensionSource.jar(jar));
    }

    /** The command line as given, if any. */
    public Optional<String> commandLine() {
        return Optional.ofNullable(command);
    }
}
