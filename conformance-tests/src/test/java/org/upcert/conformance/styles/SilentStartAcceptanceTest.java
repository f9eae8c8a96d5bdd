package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.styles.cleanroom.S3JournalExtension;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * The standard profile {@code silent-start}: PhotoKit answers the first call's {@code fetchAssets}
 * with nothing (YAIIU #50) and nobody touches the phone afterwards (no recovery photos). An
 * extension that takes that empty first scan for an empty library answers COMPLETED, and on a
 * device nothing calls it again until the library changes (reference §5): every photo is lost.
 * {@code explore:4038} found the trap in five of eleven styles, two of which the default
 * certification had CERTIFIED: no standard profile produced it (library-churn's first scan answers
 * nothing too, but its photos arrive every ten minutes and wake the extension again). The twins
 * that keep the trap must FAIL E2E-01 here on every default seed, and correct styles must pass.
 * (The Python twin, {@code mutant_trusts_an_empty_scan.py}, is checked in
 * {@code PythonExtensionAcceptanceTest}.)
 */
class SilentStartAcceptanceTest {
    static final String SILENT = "silent-start";

    private static RunEvidence run(Class<? extends UploadExtension> type, String cloud, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(SILENT), seed).plan();
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.type(type),
                RunOptions.inMemory().withTransport("direct").withCloud(cloud)));
    }

    @Test
    @DisplayName("the first call is the only one whose library answers nothing, and nothing in the plan calls the extension again")
    void theProfileIsWhatItSays() throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(SILENT), 1).plan();
        assertEquals(1, plan.faults().size(), plan.faults().toString());
        assertEquals("library.flaky", plan.faults().get(0).kind());
        assertEquals(0, plan.phases().recoveryNewAssets(), "no recovery photos: a phone left alone");
    }

    @Test
    @DisplayName("the twins that trust an empty first scan (PatientUploader's, the clean-room S3 style's) answer COMPLETED "
            + "and FAIL E2E-01 on every default seed: nothing uploaded, the run ends quiescent")
    void theTrapIsCaught() throws Exception {
        List<Object[]> twins = List.of(new Object[] {PatientUploader.TrustsAnEmptyFirstWalk.class, "generic-put"},
                new Object[] {S3JournalExtension.TrustsAnEmptyFirstWalk.class, "s3-presigned"});
        for (Object[] twin : twins) {
            @SuppressWarnings("unchecked")
            Class<? extends UploadExtension> type = (Class<? extends UploadExtension>) twin[0];
            for (long seed = 1; seed <= 3; seed++) {
                RunEvidence evidence = run(type, (String) twin[1], seed);
                String what = type.getName() + " seed " + seed;
                Verdict verdict = RuleCatalogue.judge("E2E-01", evidence);
                assertEquals(Verdict.Status.FAIL, verdict.status(), what + ": " + verdict);
                assertTrue(verdict.message().contains("no job was ever created"), what + ": " + verdict.message());
                assertEquals("quiescent", evidence.events().get(evidence.events().size() - 1).text("reason"), what);
            }
        }
    }

    @Test
    @DisplayName("correct styles (the sample, full walk, patient, hydrating, Dropbox add mode, clean-room S3; Nextcloud and "
            + "YAIIU at their declared scopes) fail no MUST rule on silent-start (seeds 1..3): an empty first scan is no answer")
    void correctStylesHold() throws Exception {
        List<Object[]> styles = List.of(new Object[] {SampleUploadExtension.class, "generic-put"},
                new Object[] {FullWalkExtension.class, "generic-put"}, new Object[] {PatientUploader.class, "generic-put"},
                new Object[] {HydratingExtension.class, "generic-put"}, new Object[] {DropboxAddModeStyle.class, "dropbox"},
                new Object[] {S3JournalExtension.class, "s3-presigned"});
        List<String> failures = new ArrayList<>();
        for (Object[] style : styles) {
            @SuppressWarnings("unchecked")
            Class<? extends UploadExtension> type = (Class<? extends UploadExtension>) style[0];
            for (long seed = 1; seed <= 3; seed++) {
                RunEvidence evidence = run(type, (String) style[1], seed);
                MustFailures.of(evidence).forEach(f -> failures.add(type.getSimpleName() + " seed " + evidence.seed() + " " + f));
                assertEquals(Verdict.Status.PASS, RuleCatalogue.judge("E2E-01", evidence).status(), type.getName());
            }
        }
        for (Object[] style : List.of(new Object[] {NextcloudStyle.class, RealAppStylesAcceptanceTest.NEXTCLOUD},
                new Object[] {YaiiuStyle.class, RealAppStylesAcceptanceTest.YAIIU})) {
            @SuppressWarnings("unchecked")
            Class<? extends UploadExtension> type = (Class<? extends UploadExtension>) style[0];
            for (long seed = 1; seed <= 3; seed++) {
                RunEvidence evidence = RealAppStylesAcceptanceTest.run(type,
                        (org.upcert.harness.scope.DeclaredScope) style[1], SILENT, seed);
                MustFailures.of(evidence).forEach(f -> failures.add(type.getSimpleName() + " seed " + evidence.seed() + " " + f));
            }
        }
        assertEquals(List.of(), failures);
    }
}
