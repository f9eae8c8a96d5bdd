package org.upcert.protocol.worker;

import java.io.IOException;
import java.nio.file.Path;
import jdk.jfr.Recording;

/**
 * A flight recording of the worker, for finding where its time goes ({@code UPCERT_WORKER_PROFILE=file.jfr}).
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
            WorkerProfile profile = new WorkerProfile(Path.of(file));
            return profile::dump;
        } catch (IOException | java.text.ParseException | RuntimeException e) {
            System.err.println("upcert worker: no profile: " + e);
            return () -> { };
        }
    }

    private void dump() {
        try {
            recording.dump(file);
        } catch (IOException e) {
            System.err.println("upcert worker: cannot write the profile: " + e);
        }
    }
}
