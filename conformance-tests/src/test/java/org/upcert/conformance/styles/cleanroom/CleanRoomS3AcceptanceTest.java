package org.upcert.conformance.styles.cleanroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * upcert's promise — a correct extension written in another style certifies — judged on an
 * extension written without reading the sample: {@link S3JournalExtension}, for {@code s3-presigned},
 * built from Apple's documentation as the reference paraphrases it, the API's javadoc and
 * docs/cloud.md only (an append-only journal in the app group, a state machine per resource, a
 * presigner, a failure policy of its own). Its default certification in process is CERTIFIED
 * (docs/exploration.md, session 2026-12-03d).
 *
 * <p>Cheap on purpose: in process, seed 1, the profiles where an S3 extension's own choices matter:
 * {@code expired-urls} (presigned URLs refused as expired: RTY-03), {@code cloud-errors} (5xx and 429
 * bursts, also on the presign endpoint: RTY-01), {@code permanent-refusals} (2h20m of 413 on every
 * request, the backend's presign included: the first draft answered PROCESSING with nothing moved and
 * FAILed RES-03 there), {@code hard-kills} (the write-ahead journal: TRM-03, DUP-01) and
 * {@code device-quirks-26x} (iOS 26.1: no error, no headers, no PROCESS set, nil resources: CLD-02).
 * Its twin retries a failed job with its original destination and is caught by RTY-03.
 */
class CleanRoomS3AcceptanceTest {

    private static Certification certify(Path out, String extension, String profiles, String rules) {
        Map<String, String> parameters = new HashMap<>(Map.of("upcert.extension.class", extension,
                "upcert.cloud", "s3-presigned", "upcert.profiles", profiles, "upcert.seed", "1",
                "upcert.isolation", "in-process", "upcert.transport", "direct"));
        if (rules != null) {
            parameters.put("upcert.rules", rules);
        }
        return Certifier.certify(SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key))), out, null).certification();
    }

    @Test
    @DisplayName("the clean-room S3 extension fails no MUST rule on expired-urls, cloud-errors, permanent-refusals, hard-kills and"
            + " device-quirks-26x (seed 1): RTY-01, RTY-02, RTY-03, RES-03, TRM-03, DUP-01, CLD-02, E2E-01 PASS")
    void certifiesOnTheProfilesThatJudgeItsChoices(@TempDir Path out) {
        Certification c = certify(out, S3JournalExtension.class.getName(),
                "expired-urls,cloud-errors,permanent-refusals,hard-kills,device-quirks-26x", null);
        List<String> problems = new ArrayList<>();
        for (RuleSummary s : c.summaries()) {
            if (s.rule().must() && (s.status() == Status.FAIL || s.status() == Status.SKIPPED)) {
                problems.add(s.rule().id() + " " + s.status() + ": " + s.note(c.config().profiles()));
            }
            if (List.of("RTY-01", "RTY-02", "RTY-03", "RES-03", "TRM-03", "DUP-01", "CLD-02", "E2E-01").contains(s.rule().id())) {
                assertEquals(Status.PASS, s.status(), s.rule().id() + ": " + s.note(c.config().profiles()));
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(c.harnessFaults().isEmpty(), "no harness fault: " + c.harnessFaults());
    }

    @Test
    @DisplayName("its twin, the same extension retrying a failed job with its original destination (retry(destination: nil)),"
            + " sends the expired presigned URL again: RTY-03 FAIL on expired-urls")
    void retryingTheStaleUrlIsCaught(@TempDir Path out) {
        Certification c = certify(out, S3JournalExtension.RetriesTheStaleUrl.class.getName(), "expired-urls", "RTY-03");
        RuleSummary rty03 = c.summaries().get(0);
        assertEquals("RTY-03", rty03.rule().id());
        assertEquals(Status.FAIL, rty03.status(), rty03.note(c.config().profiles()));
        assertEquals(Certification.Outcome.NOT_CERTIFIED, c.outcome());
    }

    @Test
    @DisplayName("the first draft's mistake, kept as a twin: answering PROCESSING when the backend presigned nothing and nothing"
            + " moved (the 413 window refuses the presign endpoint too): RES-03 FAIL on permanent-refusals")
    void processingWhileTheBackendRefusesIsCaught(@TempDir Path out) {
        Certification c = certify(out, S3JournalExtension.ProcessingWhenStuck.class.getName(), "permanent-refusals", "RES-03");
        RuleSummary res03 = c.summaries().get(0);
        assertEquals("RES-03", res03.rule().id());
        assertEquals(Status.FAIL, res03.status(), res03.note(c.config().profiles()));
    }

    private static final Path CORPUS = Path.of("src/test/resources/styles-corpus");

    @Test
    @DisplayName("a first walk that found nothing (library.flaky at the only call of a quiet phone, explore:4038) answers FAILURE:"
            + " E2E-01 PASS; its twin that trusts the empty walk answers COMPLETED and loses every resource: E2E-01 FAIL")
    void anEmptyFirstWalkIsNotTrusted() throws Exception {
        assertPasses("patient-E2E-01-seed-4038.yaml", 4038, "E2E-01", "RES-01", "RES-03", "ACK-01");
        RunEvidence twin = on(S3JournalExtension.TrustsAnEmptyFirstWalk.class, "patient-E2E-01-seed-4038.yaml", 4038);
        Verdict caught = RuleCatalogue.judge("E2E-01", twin);
        assertEquals(Status.FAIL, caught.status(), caught.message());
    }

    private static RunEvidence on(Class<? extends S3JournalExtension> type, String file, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve(CORPUS.resolve(file).toString()), seed).plan();
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.type(type),
                RunOptions.inMemory().withTransport("direct").withCloud("s3-presigned")));
    }

    private static void assertPasses(String file, long seed, String... rules) throws Exception {
        RunEvidence evidence = on(S3JournalExtension.class, file, seed);
        for (String rule : rules) {
            Verdict v = RuleCatalogue.judge(rule, evidence);
            assertEquals(Status.PASS, v.status(), file + " " + rule + ": " + v.message());
        }
    }

    @Test
    @DisplayName("what explore:1..300 found in the drafts stays fixed (style bugs: explore:36, 148, 279 FAILed on b96946e, explore:3"
            + " and 91 on the first fix of them): the job sets"
            + " hidden under limited access (explore:36 DUP-01), a success on the server the account moved back to (explore:148"
            + " CLD-02), a presign after the notice (explore:279 TRM-01), an old server's outcome acknowledged before a kill"
            + " (explore:3 E2E-01, explore:91 RES-01)")
    void explorationFindingsStayFixed() throws Exception {
        assertPasses("s3journal-DUP-01-seed-36.yaml", 36, "DUP-01", "TRM-03");
        assertPasses("s3journal-CLD-02-seed-148.yaml", 148, "CLD-02");
        assertPasses("s3journal-TRM-01-seed-279.yaml", 279, "TRM-01");
        assertPasses("s3journal-E2E-01-seed-3.yaml", 3, "E2E-01", "TRM-03", "CNS-02");
        assertPasses("s3journal-RES-01-seed-91.yaml", 91, "RES-01", "CHG-01", "E2E-01");
    }
}
