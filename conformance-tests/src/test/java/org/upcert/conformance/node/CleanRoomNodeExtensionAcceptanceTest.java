package org.upcert.conformance.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.python.Python;

/**
 * An extension in a third language, without any client library: {@code clients/node/examples/
 * cleanroom_onedrive_extension.js} (session 2026-12-03e, docs/exploration.md), JavaScript for Node.js
 * with the standard library only, speaking the protocol from docs/protocol.md, for the onedrive cloud
 * (upload sessions, "get item by path" to learn whether an upload landed). Written without reading the
 * sample, the Python client or the styles: the suite must certify it, and a refusal here is as likely
 * the suite's as the extension's.
 *
 * <p>Seed 1 of {@code hard-kills} (kills inside {@code performChanges}: the intent file settled after a
 * relaunch), {@code device-quirks-26x} (iOS 26.1: no PROCESS set, no headers, nil resources) and
 * {@code cloud-errors} (bursts of 5xx and 429). Its twin {@code mutant_cleanroom_gives_up_on_failure.js}
 * takes every failed upload as final: RTY-01 FAIL on {@code cloud-errors}. Skipped (reported SKIPPED)
 * without a {@code node} of version 18 or newer.
 */
class CleanRoomNodeExtensionAcceptanceTest {
    static final Path EXAMPLES = Path.of("..", "clients", "node", "examples").toAbsolutePath().normalize();
    private static String node;
    private static boolean probed;

    /** The {@code node} executable (18 or newer), else the calling test is skipped. */
    static synchronized String requireNode() {
        if (!probed) {
            probed = true;
            node = probe();
        }
        assumeTrue(node != null, "no node (18 or newer) on PATH: the Node.js extension cannot be tested here");
        return node;
    }

    private static String probe() {
        try {
            Process process = new ProcessBuilder("node", "-e",
                    "console.log(Number(process.versions.node.split('.')[0]) >= 18); console.log(process.execPath)")
                    .redirectErrorStream(true).start();
            String[] out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return null;
            }
            if (process.exitValue() != 0 || !out[0].strip().equals("true")) {
                return null;
            }
            String executable = out.length > 1 ? out[1].strip() : "";
            return !executable.isEmpty() && !executable.matches(".*\\s.*") && Files.isExecutable(Path.of(executable))
                    ? executable : "node";
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Python.Outcome certify(String script, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--extension-cmd",
                Python.command(requireNode(), EXAMPLES.resolve(script)), "--cloud", "onedrive",
                "--seeds", "1", "--json", "--quiet", "--out", out.toString()));
        args.addAll(List.of(more));
        return Python.certify(args.toArray(new String[0]));
    }

    @Test
    @DisplayName("the clean-room Node.js onedrive extension fails no rule on hard-kills, device-quirks-26x and cloud-errors, seed 1")
    void cleanRoomNodeExtensionFailsNothing(@TempDir Path out) throws Exception {
        Python.Outcome outcome = certify("cleanroom_onedrive_extension.js", out,
                "--profiles", "hard-kills,device-quirks-26x,cloud-errors");
        JsonNode json = Python.failsNothing(outcome);
        assertEquals("command", json.path("runs").path("isolation").asText(), "one process per simulated process");
        assertTrue(json.path("mustRules").path("PASS").asInt() >= 20,
                "the three profiles exercise most MUST rules: " + json.path("mustRules"));
    }

    @Test
    @DisplayName("its twin that takes every failed upload as final is NOT_CERTIFIED on cloud-errors: RTY-01 FAIL")
    void givesUpOnFailureTwinFailsRty01(@TempDir Path out) throws Exception {
        Python.Outcome outcome = certify("mutant_cleanroom_gives_up_on_failure.js", out,
                "--profiles", "cloud-errors", "--rules", "RTY-01,E2E-01");
        assertEquals(1, outcome.code(), outcome.err());
        JsonNode json = new ObjectMapper().readTree(outcome.out().strip());
        assertEquals("NOT_CERTIFIED", json.path("verdict").asText(), outcome.err());
        List<String> failed = new ArrayList<>();
        json.path("failures").forEach(f -> failed.add(f.path("rule").asText()));
        assertTrue(failed.contains("RTY-01"), "RTY-01 among the failures: " + json.path("failures"));
    }
}
