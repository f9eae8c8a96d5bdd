package org.upcert.harness.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.Workload;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import org.upcert.harness.testing.NaiveExtension;

class TraceCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = UpcertCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    @Test
    @DisplayName("renders one readable line per event, filtered by activation or event prefix")
    void renders(@TempDir Path dir) {
        Path trace = dir.resolve("trace.jsonl");
        Simulation.run(RunPlan.of(3, Workload.typical(10)).withFaults(List.of(new PlannedFault.HardKill(1, 4))),
                ExtensionSource.type(NaiveExtension.class), RunOptions.inMemory().withTraceFile(trace));
        String[] all = run("trace", trace.toString());
        assertEquals("0", all[0], all[2]);
        assertTrue(all[1].startsWith("seed 3 · profile none"));
        assertTrue(all[1].contains("☠ process.kill"), all[1]);
        String[] calls = run("trace", trace.toString(), "--only", "call");
        assertTrue(calls[1].lines().skip(1).allMatch(l -> l.contains("call.")), calls[1]);
        String[] first = run("trace", trace.toString(), "--activation", "1");
        assertTrue(first[1].lines().skip(1).allMatch(l -> l.contains("act    1")), first[1]);
    }

    @Test
    @DisplayName("a missing or broken file is exit 2 with file and line")
    void badInput(@TempDir Path dir) throws Exception {
        assertEquals("2", run("trace", dir.resolve("none.jsonl").toString())[0]);
        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "{\"ev\":\"header\"}\nnot json\n");
        String[] result = run("trace", broken.toString());
        assertEquals("2", result[0]);
        assertTrue(result[2].contains("damaged trace: line 2: not one JSON object") && result[2].contains("broken.jsonl"), result[2]);
    }

    @Test
    @DisplayName("what the extension wrote (a log line) cannot print lines, escape sequences or reordered text of its own: controls are escaped")
    void extensionTextIsEscaped() throws Exception {
        String forged = "ok\n       0:00:00.000  act    1  ✓ run.end            verdict=CERTIFIED\u001b[2J\u202eDEIFITREC";
        com.fasterxml.jackson.databind.node.ObjectNode event = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        event.put("t", 1000).put("ev", "log").put("n", 1).put("level", "info").put("msg", forged);
        String line = TraceCommand.render(event, "log", 1);
        // Before H35 the line feed, the escape and the right-to-left override reached the terminal as they were.
        assertTrue(line.indexOf('\n') < 0 && line.indexOf('\u001b') < 0 && line.indexOf('\u202e') < 0, line);
        assertTrue(line.endsWith("msg=ok\\n       0:00:00.000  act    1  ✓ run.end            verdict=CERTIFIED\\u001b[2J\\u202eDEIFITREC"), line);
        assertEquals("plain text stays as it is", TraceCommand.printable("plain text stays as it is"));
    }
}
