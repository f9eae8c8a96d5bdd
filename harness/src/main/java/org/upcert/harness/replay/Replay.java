package org.upcert.harness.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.upcert.harness.HarnessVersion;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.trace.TraceDamage;

/** Re-runs the run a trace came from and compares the two traces line by line. */
public final class Replay {
    private Replay() {
    }

    /** Replay cannot be attempted faithfully: a different harness or extension. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * The comparison of the original trace with the replayed one.
     *
     * @param lines lines in the original trace
     * @param firstDifference 1-based line number of the first differing line; 0 if identical
     * @param expected that line in the original (null if the original is shorter)
     * @param actual that line in the replay (null if the replay is shorter)
     * @param replayed the replayed run
     */
    public record Outcome(int lines, int firstDifference, String expected, String actual, RunResult replayed) {
        public boolean identical() {
            return firstDifference == 0;
        }
    }

    /** Replays {@code trace} with {@code source}; refuses when the harness version or the extension differ. */
    public static Outcome replay(Path trace, ExtensionSource source, String transport)
            throws TraceHeader.NotATraceException, RefusedException, IOException {
        return replay(trace, source, null, transport);
    }

    /**
     * Replays {@code trace} with {@code source} and, for a run that swapped in the app's next build
     * at its {@code app.upgrade} faults, {@code upgradeTo} (null when it had none); refuses when the
     * harness version or either build differ.
     */
    public static Outcome replay(Path trace, ExtensionSource source, ExtensionSource upgradeTo, String transport)
            throws TraceHeader.NotATraceException, RefusedException, IOException {
        TraceHeader header = TraceHeader.read(trace);
        String nextSha = upgradeTo == null ? "" : upgradeTo.sha256();
        if (!header.upgradeToSha256().equals(nextSha)) {
            throw new RefusedException(header.upgradeToSha256().isEmpty()
                    ? "the trace was made without --upgrade-to (its app.upgrade relaunched the same artifact): give no --upgrade-to"
                    : "the trace was made with a next build of SHA-256 " + header.upgradeToSha256()
                            + (upgradeTo == null ? "" : ", but " + upgradeTo.describe() + " has SHA-256 " + nextSha)
                            + ": give --upgrade-to with the jar that made the trace");
        }
        if (!header.harness().equals(HarnessVersion.get())) {
            throw new RefusedException("the trace was written by upcert " + header.harness() + ", this is upcert " + HarnessVersion.get()
                    + ": a different simulator need not make the same run; replay it with that version");
        }
        String sha = source.sha256();
        if (!header.extensionSha256().equals(sha)) {
            throw new RefusedException("the trace was made by extension " + header.extensionName() + " (SHA-256 "
                    + header.extensionSha256() + "), but " + source.describe() + " has SHA-256 " + sha
                    + ": give --extension with the jar that made the trace");
        }
        byte[] bytes = Files.readAllBytes(trace);
        Optional<TraceDamage> damage = TraceDamage.find(bytes);
        if (damage.isPresent()) {
            throw new TraceHeader.NotATraceException("damaged trace: " + damage.get() + " (" + trace + ")");
        }
        String original = new String(bytes, StandardCharsets.UTF_8);
        RunResult replayed = Simulation.run(header.plan(), source,
                RunOptions.inMemory().withCloud(header.cloud()).withTransport(transport)
                        .withAssumptions(header.assumptions()).withUpgradeTo(upgradeTo));
        return compare(original, replayed);
    }

    static Outcome compare(String original, RunResult replayed) {
        String[] before = original.split("\n", -1);
        String[] after = replayed.traceText().split("\n", -1);
        int lines = original.endsWith("\n") ? before.length - 1 : before.length;
        int common = Math.min(before.length, after.length);
        for (int i = 0; i < common; i++) {
            if (!before[i].equals(after[i])) {
                return new Outcome(lines, i + 1, before[i], after[i], replayed);
            }
        }
        if (before.length != after.length) {
            return new Outcome(lines, common + 1, common < before.length ? before[common] : null,
                    common < after.length ? after[common] : null, replayed);
        }
        return new Outcome(lines, 0, null, null, replayed);
    }
}
