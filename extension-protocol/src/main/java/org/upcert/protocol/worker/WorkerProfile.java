package org.upcert.protocol.worker;

import java.io.IOException;
import java.nio.file.Path;
import jdk.jfr.Recording;

/**
 * A flight recording of the worker, for finding where its time goes ({@code UPCERT_WORKER_PROFILE=file.jfr}).
 * {@code %n} in the name becomes the first number whose file does not exist yet (claimed when the
 * worker starts), so the several workers of a certification write a recording each instead of all
 * into one file (their pids are no use: each runs in a PID namespace of its own, as pid 2).
 * The worker halts rather than exits (an extension's shutdown hook must not keep it alive), so
 * the recording is dumped explicitly when the harness closes the connection. Loaded only when
 * asked for: the container's runtime has no {@code jdk.jfr}.
 */
final class WorkerProfile {
    private final Recording recording = new Recording(jdk.jfr.Configuration.getConfiguration("profile"));
    private final Path file;

    private WorkerProfile(Path file) throws IOException, java.text.ParseException {
        this.file = file;
        recording.start();
    }

    static Runnable startIfAsked() {
        String file = System.getenv("UPCERT_WORKER_PROFILE");
        if (file == null || file.isBlank()) {
            return () -> { };
        }
        try {
            WorkerProfile profile = new WorkerProfile(claim(file));
            return profile::dump;
        } catch (IOException | java.text.ParseException | RuntimeException e) {
            System.err.println("upcert worker: no profile: " + e);
            return () -> { };
        }
    }

    /** The recording's file: the name given, or with {@code %n} the first number whose file this call created. */
    static Path claim(String given) throws IOException {
        if (!given.contains("%n")) {
            return Path.of(given);
        }
        for (int n = 1; n < 10_000; n++) {
            Path file = Path.of(given.replace("%n", Integer.toString(n)));
            try {
                return java.nio.file.Files.createFile(file);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // another worker's: try the next number
            }
        }
        throw new IOException("no free name for " + given);
    }

    private void dump() {
        try {
            recording.dump(file);
        } catch (IOException e) {
            System.err.println("upcert worker: cannot write the profile: " + e);
        }
    }
}
