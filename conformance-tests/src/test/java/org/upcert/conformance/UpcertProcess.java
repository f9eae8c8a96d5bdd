package org.upcert.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.upcert.conformance.cli.Main;

/**
 * The real {@code upcert} command line in a child JVM: its {@code main}, this build's class path,
 * and a temporary folder ({@code java.io.tmpdir}) of its own, so what it leaves there can be seen.
 * For what only a real process has: signals, shutdown hooks, the JVM's exit.
 */
final class UpcertProcess implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final Path tmp;

    private UpcertProcess(Process process, Path stdout, Path stderr, Path tmp) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.tmp = tmp;
    }

    /** Starts {@code upcert args…} in {@code work} (its working folder; output and temp folder go there too). */
    static UpcertProcess start(Path work, String... args) throws IOException {
        Files.createDirectories(work);
        Path tmp = Files.createTempDirectory(work, "tmp-");
        Path out = Files.createTempFile(work, "stdout-", ".txt");
        Path err = Files.createTempFile(work, "stderr-", ".txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("CI", "true"); // no progress line
        return new UpcertProcess(builder.start(), out, err, tmp);
    }

    /** Runs {@code upcert args…} to its end (at most {@code bound}) and returns its exit code. */
    static UpcertProcess run(Path work, Duration bound, String... args) throws IOException, InterruptedException {
        UpcertProcess upcert = start(work, args);
        upcert.waitFor(bound);
        return upcert;
    }

    /** Waits for the exit, at most {@code bound}; a process still running then is killed and the wait fails. */
    int waitFor(Duration bound) throws InterruptedException {
        if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("upcert did not exit within " + bound + "\nstdout:\n" + out() + "\nstderr:\n" + err());
        }
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Ctrl-C: SIGINT to the JVM (Java cannot send it itself). */
    void interrupt() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -INT " + process.pid() + " failed");
        }
    }

    String out() {
        return read(stdout);
    }

    String err() {
        return read(stderr);
    }

    /** Its temporary folder: what is still in it after the exit was left behind. */
    Path tmp() {
        return tmp;
    }

    /** What it left in its temporary folder, as names relative to it. */
    List<String> leftInTmp() throws IOException {
        try (var files = Files.walk(tmp)) {
            return files.filter(p -> !p.equals(tmp)).map(p -> tmp.relativize(p).toString()).sorted().toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
