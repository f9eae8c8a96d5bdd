package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/**
 * google-photos on iOS 26.1 cannot pass for anyone (issue 16): the upload token is in the upload's
 * response headers, which 26.1 does not show, so every upload would stay uncommitted (the sample
 * left 131,434). The pairing is not run: among other profiles its verdicts are NOT_APPLICABLE with
 * the reason, never FAILs; asked for alone, {@code run} and {@code certify} refuse it (exit 2).
 */
class ImpossiblePairingTest {

    private record Outcome(int code, String err) {
    }

    private static Outcome command(Object subcommand, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = subcommand == null ? UpcertCommand.commandLine() : UpcertCommand.commandLine(subcommand);
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Outcome(code, err.toString());
    }

    @Test
    @DisplayName("only with the lenient stub: the strict stub judges google-photos by its shape on every level, so 26.1 is no less possible")
    void onlyWithTheLenientStub() {
        var old = org.upcert.harness.plan.Workload.typical(10).withOs("26.1");
        assertTrue(org.upcert.harness.cloud.CloudDialects.impossibleOn("google-photos", old, true).isPresent());
        assertTrue(org.upcert.harness.cloud.CloudDialects.impossibleOn("google-photos", old, false).isEmpty());
        assertTrue(org.upcert.harness.cloud.CloudDialects.impossibleOn("google-photos", old).isPresent(), "the two-argument form is the lenient question");
    }

    @Test
    @DisplayName("asked for alone, google-photos on the iOS 26.1 profile is refused by run and certify: exit 2, saying why")
    void askedForAloneIsRefused(@TempDir Path dir) {
        Outcome certify = command(new CertifyCommand(), "certify", "--profiles", "device-quirks-26x", "--cloud", "google-photos",
                "--assume", "body-in-headers", "--seeds", "1", "--out", dir.resolve("c").toString());
        assertEquals(2, certify.code(), certify.err());
        assertTrue(certify.err().contains("google-photos cannot be backed up on iOS 26.1")
                && certify.err().contains("responseHeaderFields exist only from iOS 26.4"), certify.err());
        assertFalse(Files.exists(dir.resolve("c").resolve("certification.json")), "nothing was run");

        Outcome run = command(null, "run", "--profile", "device-quirks-26x", "--cloud", "google-photos",
                "--assume", "body-in-headers", "--seed", "1",
                "--out", dir.resolve("r").toString());
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("google-photos cannot be backed up on iOS 26.1"), run.err());
    }

    @Test
    @DisplayName("among other profiles the pairing is not run: every verdict of its cell is NOT_APPLICABLE with the reason, "
            + "never a FAIL; the other profiles are judged as usual")
    void amongOthersItIsNotApplicable(@TempDir Path out) {
        Map<String, String> parameters = Map.of("upcert.profiles", "baseline,device-quirks-26x", "upcert.seeds", "1",
                "upcert.cloud", "google-photos", "upcert.assume", "body-in-headers", "upcert.rules", "CLD-01,E2E-01", "upcert.explore", "0",
                "upcert.isolation", "in-process", "upcert.transport", "direct");
        Certification c = Certifier.certify(SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key))), out, null)
                .certification();
        assertTrue(c.failures().isEmpty(), c.failures().toString());
        for (RuleSummary summary : c.summaries()) {
            assertEquals(Status.PASS, summary.status(), summary.rule().id() + ": " + summary.note(c.config().profiles()));
        }
        for (RuleSummary summary : c.summaries()) {
            assertEquals(1, summary.counts().get(Status.NOT_APPLICABLE), summary.rule().id() + ": " + summary.counts());
            CellVerdict quirks = summary.first().get(Status.NOT_APPLICABLE);
            assertEquals("device-quirks-26x", quirks.cell().profile());
            assertTrue(quirks.verdict().message().contains("google-photos cannot be backed up on iOS 26.1"),
                    quirks.verdict().message());
        }
        assertEquals(Certification.Outcome.CERTIFIED, c.outcome());
    }
}
