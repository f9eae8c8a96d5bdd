package org.upcert.conformance.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.mutants.ChangeMutants;
import org.upcert.conformance.mutants.ResultMutants;
import org.upcert.conformance.report.Certification;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.SuiteConfig;

/**
 * The cases exploration found in upcert itself, kept as a corpus (src/test/resources/upcert-corpus,
 * written by {@code upcert explore} as they were found) and replayed through {@code certify
 * --corpus}, each with its own seed:
 * <ul>
 *   <li>RTY-03-seed-4: an injected 403 on iOS 26.1, where a failed job shows no error and no
 *       headers: the sample retried it with its stale destination. It now renews the destination
 *       of a failure nothing explains;
 *   <li>RES-03-seed-209: five termination notices in a row, each early in its call; the sample
 *       answered PROCESSING at once each time, as it must, and RES-03 took that for an endless
 *       loop. RES-03 now leaves calls told to stop out of the streak;
 *   <li>RES-03-seed-474: a job limit dipping at every commit (jobs.limit-at-commit) for five calls
 *       in a row; each block refused with LIMIT_EXCEEDED, the sample answered PROCESSING as CAP-01
 *       demands, and RES-03 took that for a loop. RES-03 now leaves such calls out of the streak too;
 *   <li>TRM-03-seed-604: a 204 counted as a failure on iOS 26.1 (the upload landed, the sample saw a
 *       failure and could not tell), acknowledged by an activation other than the killed one; the
 *       sample's new job for it was blamed on the kill. TRM-03 now blames a kill for an upload only
 *       when the killed activation acknowledged its job;
 *   <li>TRM-03-seed-910: the same 204 on iOS 26.1 after a lost response, this time acknowledged (as
 *       FAILED, which is all the sample could see) by the activation a kill then ended; the sample's
 *       new job for it was blamed on the kill. TRM-03 now blames a kill for an upload only when the
 *       killed activation acknowledged a SUCCEEDED job of it: a failure it saw it would upload again
 *       with or without the kill;
 *   <li>CHG-01-seed-357: an expired change token while the cloud refused the sample's sign-in
 *       (400): the sample answered FAILURE for the cloud, and CHG-01 demanded PROCESSING. CHG-01
 *       now accepts FAILURE when the same call met another error (found in parallel while the
 *       standard profiles were tuned);
 *   <li>CAP-01-seed-130: a call whose create block met LIMIT_EXCEEDED (jobs.limit-at-commit) while
 *       the library failed with 3300 (library.flaky): the sample answered FAILURE for the library,
 *       and CAP-01 demands PROCESSING after LIMIT_EXCEEDED. The sample (and the Python reference)
 *       now answer PROCESSING after LIMIT_EXCEEDED before weighing anything else (found exploring
 *       the host-app kinds, issue 15);
 *   <li>RES-01-seed-245: a call that started the instant a host.signout disabled the extension; the
 *       sample answered COMPLETED without consent, as it must, and RES-01 judged it as a call with
 *       consent. The rules now read a host.signout window as consent withdrawn (the host app
 *       disables the extension on sign-out), like consent.disabled.
 * </ul>
 * The sample passes them; the mutants that break RES-03, CHG-01 and RTY-03 still fail them on the same
 * cases (TRM-03's mutants stay caught on their own profiles: MutantsAreCaughtTest,
 * KillsAfterCommitAcceptanceTest).
 */
class CorpusRegressionTest {
    private static final Path CORPUS = Path.of("src/test/resources/upcert-corpus");

    private static Certification certify(Path out, String extensionClass, String rules) {
        Map<String, String> parameters = new java.util.TreeMap<>(Map.of("upcert.corpus", CORPUS.toString(),
                "upcert.profiles", CORPUS.resolve("RES-03-seed-209.yaml").toString(), "upcert.explore", "0", "upcert.rules", rules));
        if (extensionClass != null) {
            parameters.put("upcert.extension.class", extensionClass);
        }
        return Certifier.certify(SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key))), out, null).certification();
    }

    @Test
    @DisplayName("the sample fails nothing on the corpus exploration found (each pinned profile with its own seed)")
    void sampleHoldsOnTheCorpus(@TempDir Path out) {
        Certification c = certify(out, "org.upcert.sample.SampleUploadExtension", "RES-03,CHG-01,TRM-03,RTY-03,CAP-01,RES-02,RES-01");
        assertEquals(8, c.runs(), "eight pinned profiles, one run each (the one named by --profiles too runs once)");
        assertTrue(c.failures().isEmpty(), c.failures().stream().map(CellVerdict::reproduce).toList().toString());
        assertEquals(Certification.Outcome.CERTIFIED, c.outcome(), c.mustLine());
    }

    @Test
    @DisplayName("on the same corpus the captive-portal mutant still FAILs RES-03, the stale-token mutant CHG-01, the stale-destination mutant RTY-03")
    void mutantsStillFailOnTheCorpus(@TempDir Path out) {
        Certification loops = certify(out.resolve("res"), ResultMutants.WaitsForCaptivePortalCheck.class.getName(), "RES-03");
        assertEquals("RES-03", loops.failures().get(0).rule().id());
        Certification stale = certify(out.resolve("chg"), ChangeMutants.TreatsExpiredTokenAsNoChange.class.getName(), "CHG-01");
        assertEquals("CHG-01", stale.failures().get(0).rule().id());
        Certification staleUrl = certify(out.resolve("rty"), org.upcert.conformance.mutants.RetryMutants.RetriesWithTheStaleDestination.class
                .getName(), "RTY-03");
        assertEquals("RTY-03", staleUrl.failures().get(0).rule().id());
    }
}
