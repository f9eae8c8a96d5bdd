package org.upcert.harness.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.cli.ReplayCommand;
import org.upcert.harness.cli.UpcertCommand;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.testing.NaiveExtension;
import picocli.CommandLine;

/** Replay makes the same trace again, says where a trace differs, and refuses what it cannot replay faithfully. */
class ReplayTest {

    private static Path trace(Path dir, String profile) throws Exception {
        // the profile's faults on a small library, and a day at most: a naive extension may never converge
        RunPlan full = PlanExpander.expand(ProfileCatalogue.load(profile), 2).plan();
        RunPlan plan = new RunPlan(full.seed(), full.profile(), org.upcert.harness.plan.Workload.typical(30),
                full.policy().with("maxSimulatedMs", 86_400_000L), full.phases(), full.faults());
        Path file = dir.resolve("trace.jsonl");
        Files.writeString(file, Simulation.run(plan, ExtensionSource.type(NaiveExtension.class),
                RunOptions.inMemory().withTransport("direct")).traceText());
        return file;
    }

    @Test
    @DisplayName("a trace replays byte for byte; an edited line is reported as the first difference")
    void identicalThenDifferent(@TempDir Path dir) throws Exception {
        Path file = trace(dir, "hard-kills");
        Replay.Outcome same = Replay.replay(file, ExtensionSource.type(NaiveExtension.class), "direct");
        assertTrue(same.identical());
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        lines.set(40, lines.get(40).replace("\"t\":", "\"t\":1"));
        Files.write(file, lines);
        Replay.Outcome different = Replay.replay(file, ExtensionSource.type(NaiveExtension.class), "direct");
        assertFalse(different.identical());
        assertEquals(41, different.firstDifference());
    }

    @Test
    @DisplayName("another harness version is refused, a file that is not a trace is bad input (exit 2)")
    void refusals(@TempDir Path dir) throws Exception {
        Path file = trace(dir, "baseline");
        String text = Files.readString(file);
        Files.writeString(file, text.replaceFirst("\"harness\":\"[^\"]*\"", "\"harness\":\"0.0.1\""));
        Replay.RefusedException refused = assertThrows(Replay.RefusedException.class,
                () -> Replay.replay(file, ExtensionSource.type(NaiveExtension.class), "direct"));
        assertTrue(refused.getMessage().contains("upcert 0.0.1"), refused.getMessage());

        Path junk = dir.resolve("junk.jsonl");
        Files.writeString(junk, "{\"ev\":\"call.start\"}\n");
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        assertEquals(2, cli.execute("replay", junk.toString()));
        assertTrue(err.toString().contains("not an upcert trace header"), err.toString());
        assertEquals(2, cli.execute("replay", dir.resolve("missing.jsonl").toString()));
        assertTrue(err.toString().contains("no such trace file"), err.toString());
    }
}
