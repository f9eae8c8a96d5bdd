package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/** {@code upcert certify} from the command line: exit codes, bad input, {@code --json}. */
class CertifyCommandTest {

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome certify(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "certify";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cli.execute(all);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    @DisplayName("bad input is exit 2 with a message saying what is wrong, and nothing runs")
    void badInput(@TempDir Path dir) {
        Outcome unknownProfile = certify("--profiles", "baseline,no-such-profile", "--out", dir.toString());
        assertEquals(2, unknownProfile.code(), unknownProfile.err());
        assertTrue(unknownProfile.err().contains("no-such-profile"), unknownProfile.err());

        Outcome missingJar = certify("--extension", dir.resolve("missing.jar").toString(), "--out", dir.toString());
        assertEquals(2, missingJar.code());
        assertTrue(missingJar.err().contains("not found"), missingJar.err());

        Outcome badSeeds = certify("--seeds", "three", "--out", dir.toString());
        assertEquals(2, badSeeds.code());
        assertTrue(badSeeds.err().contains("seeds must be"), badSeeds.err());

        Outcome badRule = certify("--rules", "RTY-99", "--out", dir.toString());
        assertEquals(2, badRule.code());
        assertTrue(badRule.err().contains("unknown rule"), badRule.err());

        Outcome badCloud = certify("--cloud", "icloud", "--out", dir.toString());
        assertEquals(2, badCloud.code());
        assertTrue(badCloud.err().contains("generic-put"), badCloud.err());

        Outcome badOption = certify("--frobnicate");
        assertEquals(2, badOption.code());
        assertTrue(Files.notExists(dir.resolve("certification.json")), "nothing was certified");
    }

    @Test
    @DisplayName("--json prints one JSON object on stdout; a partial selection that cannot be certified exits 1")
    void json(@TempDir Path dir) throws Exception {
        Outcome outcome = certify("--profiles", "baseline", "--seeds", "1", "--rules", "JOB-01,RTY-01", "--json", "--quiet",
                "--out", dir.toString());
        assertEquals(1, outcome.code(), outcome.err());
        String[] lines = outcome.out().strip().split("\n");
        assertEquals(1, lines.length, "stdout holds only the JSON object: " + outcome.out());
        JsonNode json = new ObjectMapper().readTree(lines[0]);
        assertEquals("INCOMPLETE", json.path("verdict").asText(), "RTY-01 is not exercised by baseline");
        assertTrue(json.path("partial").asBoolean());
        assertTrue(json.path("warnings").isArray() && json.path("rootCauses").isArray(), "warnings and root causes are always listed");
        assertEquals("upcert-certification/2", json.path("format").asText());
        assertEquals("PASS", json.path("rules").get(0).path("verdict").asText());
        assertEquals("NOT_EXERCISED", json.path("rules").get(1).path("verdict").asText());
        assertEquals("flaky-network", json.path("rules").get(1).path("exercisedBy").asText());
        assertTrue(json.path("rules").get(1).path("note").asText().contains("no failed upload"),
                "the note says what did not happen: " + json.path("rules").get(1));
        assertTrue(outcome.err().contains("INCOMPLETE"), "the human summary goes to stderr with --json");
        assertTrue(Files.isRegularFile(dir.resolve("CERTIFICATION.md")));
    }

    @Test
    @DisplayName("--assume http-status is stated in certification.json and CERTIFICATION.md; by default the bundle says none; "
            + "an unknown assumption is exit 2")
    void assumptions(@TempDir Path dir) throws Exception {
        Outcome assumed = certify("--profiles", "baseline", "--seeds", "1", "--rules", "JOB-01", "--assume", "http-status",
                "--json", "--quiet", "--out", dir.resolve("assumed").toString());
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("assumed").resolve("certification.json")));
        assertEquals("[\"http-status\"]", json.path("assumptions").toString(), outcome(assumed));
        assertTrue(json.path("runs").path("reproduce").asText().contains("--assume http-status"), json.path("runs").toString());
        assertTrue(Files.readString(dir.resolve("assumed").resolve("CERTIFICATION.md")).contains("| assumptions | http-status"));

        certify("--profiles", "baseline", "--seeds", "1", "--rules", "JOB-01", "--quiet", "--out", dir.resolve("plain").toString());
        JsonNode plain = new ObjectMapper().readTree(Files.readString(dir.resolve("plain").resolve("certification.json")));
        assertEquals("[]", plain.path("assumptions").toString());
        assertTrue(Files.readString(dir.resolve("plain").resolve("CERTIFICATION.md")).contains("| assumptions | none"));

        Outcome unknown = certify("--assume", "wall-clock", "--out", dir.resolve("bad").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown assumption 'wall-clock'"), unknown.err());
    }

    private static String outcome(Outcome o) {
        return o.code() + " " + o.out() + o.err();
    }
}
