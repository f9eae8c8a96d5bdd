package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * The Dropbox dialect judged on an extension other than the sample, which was until now the only one
 * that spoke it (so the stub and the rules could have held the sample's habits: {@code overwrite},
 * an identity header, the metadata looked up after a success). {@link DropboxAddModeStyle} writes in
 * mode {@code add}, identifies a job by its Dropbox path, keeps a file per resource, asks
 * {@code files/get_metadata} after a failure instead of after a success, and goes newest first.
 *
 * <p>Cheap on purpose: in process, {@code --cloud dropbox}, seed 1, the three profiles where the
 * dialect's answers matter — {@code cloud-errors} (429 {@code too_many_requests} with Retry-After, 5xx,
 * faults on the token endpoint), {@code lost-responses} (a resend in mode {@code add} of bytes already
 * stored: Dropbox answers it without a conflict) and {@code expired-urls} (4-hour tokens expiring in a
 * 9-hour run: 401 {@code expired_access_token}, injected 403s). Its twin reads every refused job as a
 * 409 {@code path/conflict} (stored) without asking: a burst of 500s loses photos. Measured through the
 * CLI (a JVM each, load ~8 on 2 cores): the style 14.6 s of CPU for the three profiles, the twin 11 s;
 * what the default certification of the style (23 profiles x 3 seeds + 6 drawn) found is in docs/cloud.md.
 */
class DropboxStyleAcceptanceTest {

    private static Certification certify(Path out, String extension, String profiles, String rules) {
        Map<String, String> parameters = new java.util.HashMap<>(Map.of("upcert.extension.class", extension,
                "upcert.cloud", "dropbox", "upcert.profiles", profiles, "upcert.seeds", "1",
                "upcert.isolation", "in-process", "upcert.transport", "direct"));
        if (rules != null) {
            parameters.put("upcert.rules", rules);
        }
        return Certifier.certify(SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key))), out, null).certification();
    }

    @Test
    @DisplayName("a Dropbox extension in mode add, its job identity the Dropbox path, fails no MUST rule on cloud-errors,"
            + " lost-responses, expired-urls and quirks-with-lost-responses (seed 1): RTY-01, RTY-02, RTY-03, E2E-01, DUP-01,"
            + " CLD-02 PASS; RES-01 counts an upload whose answer was lost, which it asked get_metadata about, as uploaded")
    void addModeStyleFailsNothing(@TempDir Path out) {
        Certification c = certify(out, DropboxAddModeStyle.class.getName(), "cloud-errors,lost-responses,expired-urls,quirks-with-lost-responses", null);
        List<String> problems = new ArrayList<>();
        for (RuleSummary s : c.summaries()) {
            if (s.rule().must() && (s.status() == Status.FAIL || s.status() == Status.SKIPPED)) {
                problems.add(s.rule().id() + " " + s.status() + ": " + s.note(c.config().profiles()));
            }
            if (List.of("RTY-01", "RTY-02", "RTY-03", "E2E-01", "DUP-01", "CLD-02").contains(s.rule().id())) {
                assertEquals(Status.PASS, s.status(), s.rule().id() + ": " + s.note(c.config().profiles()));
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(c.harnessFaults().isEmpty(), "no harness fault: " + c.harnessFaults());
    }

    @Test
    @DisplayName("its twin that reads a refused job as 409 path/conflict (already stored) without asking get_metadata"
            + " loses what a burst of 500s refused: E2E-01 FAIL on cloud-errors")
    void trustingAConflictLosesPhotos(@TempDir Path out) {
        Certification c = certify(out, DropboxAddModeStyle.TrustsAConflict.class.getName(), "cloud-errors", "E2E-01");
        RuleSummary e2e = c.summaries().get(0);
        assertEquals("E2E-01", e2e.rule().id());
        assertEquals(Status.FAIL, e2e.status(), e2e.note(c.config().profiles()));
        assertEquals(Certification.Outcome.NOT_CERTIFIED, c.outcome());
    }
}
