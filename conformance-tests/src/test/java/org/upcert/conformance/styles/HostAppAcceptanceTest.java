package org.upcert.conformance.styles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.mutants.HostAppMutants;
import org.upcert.conformance.rules.ResourceFates;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.testing.CloudSpec;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.RunResult;
import org.upcert.harness.run.Simulation;
import org.upcert.sample.SampleUploadExtension;

/**
 * The host app changes the account during a backup (issue 15, host-app actions): the standard
 * profile {@code host-app} signs in again twice and signs out for 25 minutes. The server revokes
 * every token each time and the new client secret reaches the extension only through the host
 * app's settings. Correct extensions in two styles sign in again and converge; one that copied the
 * secret into its own storage once never uploads again.
 */
class HostAppAcceptanceTest {
    private static RunEvidence run(Class<? extends UploadExtension> type, java.util.function.Supplier<? extends UploadExtension> make,
            long seed) throws Exception {
        return run(type, make, seed, "generic-put");
    }

    private static RunEvidence run(Class<? extends UploadExtension> type, java.util.function.Supplier<? extends UploadExtension> make,
            long seed, String cloud) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load("host-app"), seed).plan();
        RunResult result = Simulation.run(plan, ExtensionSource.type(type, make::get),
                CloudSpec.apply(RunOptions.inMemory().withTransport("direct"), cloud));
        return RunEvidence.of(result);
    }

    /** The host app's own uploads and the extension's storage operations its file lock refused, checked on one run. */
    private static void hostAppActed(RunEvidence evidence, String what) {
        ResourceFates fates = ResourceFates.of(evidence);
        int hostUploads = 0;
        int refused = 0;
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("host.upload") && !event.text("resource").isEmpty()) {
                hostUploads++;
                // A resource over the cloud's request cap (a 119 MB video on OneDrive, fragments under 60 MiB)
                // reaches the cloud only through the host app: no work for the extension, and its fate says
                // the host app uploaded it (ResourceFates decides the cap before the inventory, 831822d).
                ResourceFates.ResourceFate fate = fates.of(event.text("resource"));
                boolean overTheCap = fate.fate() == ResourceFates.Fate.INELIGIBLE && fate.why().contains("request cap")
                        && fate.why().endsWith("the host app uploaded it");
                assertTrue(fate.fate() == ResourceFates.Fate.UPLOADED || overTheCap, what + ": " + event.raw() + " -> " + fate.describe());
            } else if (event.name().equals("storage.locked") && event.text("by").equals("host app")) {
                refused++;
            }
        }
        assertTrue(hostUploads > 0, what + ": the host app uploaded photos itself");
        assertTrue(refused > 0, what + ": the host app's file lock refused some storage operation of the extension");
    }


    @Test
    @DisplayName("the sample and the full-walk extension sign in again after every change and fail no MUST rule (seeds 1, 2);"
            + " the changes did revoke tokens in flight")
    void correctExtensionsSignInAgain() throws Exception {
        for (long seed = 1; seed <= 2; seed++) {
            for (var style : List.<Class<? extends UploadExtension>>of(SampleUploadExtension.class, FullWalkExtension.class)) {
                RunEvidence evidence = style == SampleUploadExtension.class ? run(style, SampleUploadExtension::new, seed)
                        : run(style, FullWalkExtension::new, seed);
                assertEquals(List.of(), MustFailures.of(evidence), style.getSimpleName() + " seed " + seed);
                List<String> accounts = new ArrayList<>();
                long revoked = 0;
                for (TraceEvent event : evidence.events()) {
                    if (event.name().equals("host.credentials")) {
                        accounts.add(event.text("account"));
                    } else if (event.name().equals("job.failed") && event.raw().contains("\"status\":401")) {
                        revoked++;
                    }
                }
                assertEquals(List.of("signed-in", "signed-out", "signed-in", "signed-in"), accounts);
                assertTrue(revoked > 0, style.getSimpleName() + " seed " + seed + ": some job met a revoked token");
                hostAppActed(evidence, style.getSimpleName() + " seed " + seed);
            }
        }
    }

    @Test
    @DisplayName("the sample fails no MUST rule on every cloud dialect (seed 1, strict stubs): the file lock and the host app's"
            + " uploads reach each the same way")
    void sampleOnEveryDialect() throws Exception {
        for (String cloud : List.of("generic-put", "s3-presigned", "google-photos", "onedrive", "dropbox")) {
            RunEvidence evidence = run(SampleUploadExtension.class, SampleUploadExtension::new, 1, cloud);
            assertEquals(List.of(), MustFailures.of(evidence), cloud);
            hostAppActed(evidence, "sample on " + cloud);
        }
    }

    @Test
    @DisplayName("on Google Photos the sample stores every outcome before acknowledging it, lock or no lock: CLD-01 PASS, no MUST"
            + " failure; its twin that acknowledges what it could not record loses upload tokens: CLD-01 FAIL")
    void acknowledgingWhatCouldNotBeRecordedLosesTheOutcome() throws Exception {
        String cloud = "google-photos" + CloudSpec.LENIENT;
        RunEvidence sample = run(SampleUploadExtension.class, SampleUploadExtension::new, 1, cloud);
        assertEquals(List.of(), MustFailures.of(sample));
        assertEquals(Verdict.Status.PASS, RuleCatalogue.judge("CLD-01", sample).status());
        hostAppActed(sample, "sample on " + cloud);

        RunEvidence mutant = run(HostAppMutants.AcknowledgesWhatItCouldNotRecord.class,
                HostAppMutants.AcknowledgesWhatItCouldNotRecord::new, 1, cloud);
        Verdict verdict = RuleCatalogue.judge("CLD-01", mutant);
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
    }

    @Test
    @DisplayName("the sample reads host/uploaded resource by resource: the RAW the host app uploaded is not uploaded again, the JPEG"
            + " of its pair is; its twin that counts a listed asset as done loses those JPEGs: E2E-01 FAIL")
    void hostUploadsAreReadResourceByResource() throws Exception {
        RunEvidence sample = run(SampleUploadExtension.class, SampleUploadExtension::new, 1);
        TreeSet<String> byHostApp = new TreeSet<>();
        for (TraceEvent event : sample.events()) {
            if (event.name().equals("host.upload") && !event.text("resource").isEmpty()) {
                byHostApp.add(event.text("resource"));
            }
        }
        TreeSet<String> companions = new TreeSet<>(); // resources of the same assets the host app left to the extension
        for (var resource : sample.library().everResources().values()) {
            String asset = resource.assetLocalIdentifier();
            if (!byHostApp.contains(resource.key()) && byHostApp.stream().anyMatch(k -> k.startsWith(asset + "#"))) {
                companions.add(resource.key());
            }
        }
        assertFalse(companions.isEmpty(), "the host app uploaded part of some asset: " + byHostApp);
        ResourceFates fates = ResourceFates.of(sample);
        for (String key : companions) {
            assertEquals(ResourceFates.Fate.UPLOADED, fates.of(key).fate(), key);
        }
        // None of the host app's uploads was uploaded a second time by the sample once it was listed
        // (until the account moved to another server: what the app uploaded before went to the old one).
        int createdAfter = 0;
        TreeSet<String> listedSoFar = new TreeSet<>();
        for (TraceEvent event : sample.events()) {
            if (event.name().equals("host.upload") && !event.text("resource").isEmpty()) {
                listedSoFar.add(event.text("resource"));
            } else if (event.name().equals("host.server") && !event.fields().has("skipped")) {
                listedSoFar.clear();
            } else if (event.name().equals("job.create") && listedSoFar.contains(event.text("resource"))) {
                createdAfter++;
            }
        }
        assertEquals(0, createdAfter, "jobs created for resources the host app had uploaded");

        RunEvidence mutant = run(HostAppMutants.CountsHostUploadsPerAsset.class, HostAppMutants.CountsHostUploadsPerAsset::new, 1);
        Verdict verdict = RuleCatalogue.judge("E2E-01", mutant);
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
    }

    /** host-app at {@code seed} without its host.server: the same account on the same server all along. */
    private static RunEvidence withoutServerChange(Class<? extends UploadExtension> type,
            java.util.function.Supplier<? extends UploadExtension> make, long seed) throws Exception {
        RunPlan full = PlanExpander.expand(ProfileCatalogue.load("host-app"), seed).plan();
        List<org.upcert.harness.plan.PlannedFault> kept = full.faults().stream()
                .filter(f -> !(f instanceof org.upcert.harness.plan.PlannedFault.ServerChanged)).toList();
        assertEquals(full.faults().size() - 1, kept.size(), "host-app moves the account once");
        RunPlan plan = new RunPlan(full.seed(), full.profile(), full.workload(), full.policy(), full.phases(), kept);
        return RunEvidence.of(Simulation.run(plan, ExtensionSource.type(type, make::get),
                RunOptions.inMemory().withTransport("direct")));
    }

    @Test
    @DisplayName("host.server: the sample and the full walk follow the move to the second server (seeds 1-3): every job created"
            + " after it goes there, every resource ends up there, no MUST failure")
    void correctExtensionsFollowTheServerChange() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            for (var style : List.<Class<? extends UploadExtension>>of(SampleUploadExtension.class, FullWalkExtension.class)) {
                RunEvidence evidence = style == SampleUploadExtension.class ? run(style, SampleUploadExtension::new, seed)
                        : run(style, FullWalkExtension::new, seed);
                String what = style.getSimpleName() + " seed " + seed;
                assertEquals(List.of(), MustFailures.of(evidence), what);
                boolean moved = false;
                int before = 0;
                int after = 0;
                for (TraceEvent event : evidence.events()) {
                    if (event.name().equals("host.server")) {
                        assertFalse(event.fields().has("skipped"), what + ": " + event.raw());
                        moved = true;
                    } else if (event.name().equals("job.create")) {
                        String url = event.text("url");
                        assertTrue(url.startsWith(moved ? "{cloud2}/" : "{cloud}/"), what + ": " + event.raw());
                        if (moved) {
                            after++;
                        } else {
                            before++;
                        }
                    }
                }
                assertTrue(moved && before > 0 && after > 0, what + ": jobs before " + before + ", after " + after);
                assertEquals(Verdict.Status.PASS, RuleCatalogue.judge("E2E-01", evidence).status(), what);
            }
        }
    }

    @Test
    @DisplayName("host.server: the two mutants that ignore the move fail no MUST rule on host-app without it (seed 1), and FAIL"
            + " E2E-01 with it")
    void ignoringTheServerChangeIsCaughtOnlyByIt() throws Exception {
        List<Class<? extends UploadExtension>> mutants = List.of(HostAppMutants.IgnoresTheServerChange.class,
                HostAppMutants.KeepsTheFirstServer.class);
        for (Class<? extends UploadExtension> mutant : mutants) {
            java.util.function.Supplier<UploadExtension> make = maker(mutant);
            assertEquals(List.of(), MustFailures.of(withoutServerChange(mutant, make, 1)), mutant.getSimpleName() + " without");
            Verdict verdict = RuleCatalogue.judge("E2E-01", run(mutant, make, 1));
            assertEquals(Verdict.Status.FAIL, verdict.status(), mutant.getSimpleName() + " with: " + verdict);
        }
    }

    /** host-app at {@code seed} with a second host.server at {@code backAt}: the account moves to server 2 at 20m and back to server 1. */
    private static RunResult withReturn(Class<? extends UploadExtension> type,
            java.util.function.Supplier<? extends UploadExtension> make, long seed, java.time.Duration backAt) throws Exception {
        RunPlan full = PlanExpander.expand(ProfileCatalogue.load("host-app"), seed).plan();
        List<org.upcert.harness.plan.PlannedFault> faults = new ArrayList<>(full.faults());
        long at = backAt.toMillis();
        faults.add(new org.upcert.harness.plan.PlannedFault.ServerChanged(at, at));
        RunPlan plan = new RunPlan(full.seed(), full.profile(), full.workload(), full.policy(), full.phases(), faults);
        return Simulation.run(plan, ExtensionSource.type(type, make::get), RunOptions.inMemory().withTransport("direct"));
    }

    /** The run summary's uploaded count is the fates' (resources in the library whose fate is UPLOADED), and COMPLETE iff E2E-01 PASS. */
    private static void summaryAgreesWithTheRules(RunResult result, RunEvidence evidence, String what) {
        ResourceFates fates = ResourceFates.of(evidence);
        long uploaded = evidence.liveResources().stream()
                .filter(key -> fates.of(key) != null && fates.of(key).fate() == ResourceFates.Fate.UPLOADED).count();
        assertEquals(result.summary().uploaded(), uploaded, what + ": the summary's uploaded count and the fates' (" + fates.tally() + ")");
        Verdict e2e = RuleCatalogue.judge("E2E-01", evidence);
        assertEquals(result.summary().missing() == 0, e2e.status() == Verdict.Status.PASS,
                what + ": summary missing " + result.summary().missing() + ", " + e2e);
    }

    @Test
    @DisplayName("host.server there and back (server 1 -> 2 -> 1, seeds 1-3): a server keeps what it received. The sample fails"
            + " no MUST rule, an upload that landed on server 1 before the first move counts after the return, the summary's"
            + " uploaded count and COMPLETE agree with the rules, and DUP-02 does not count the re-uploads after a move")
    void aMoveBackFindsWhatTheServerReceived() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            String what = "sample seed " + seed;
            RunResult result = withReturn(SampleUploadExtension.class, SampleUploadExtension::new, seed, java.time.Duration.ofMinutes(50));
            RunEvidence evidence = RunEvidence.of(result);
            assertEquals(List.of(), MustFailures.of(evidence), what);
            List<Integer> servers = new ArrayList<>();
            int firstMove = 0;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("host.server") && !event.fields().has("skipped")) {
                    servers.add((int) event.number("server"));
                    firstMove = firstMove == 0 ? event.line() : firstMove;
                }
            }
            assertEquals(List.of(2, 1), servers, what + ": the account moved to server 2 and back");
            ResourceFates fates = ResourceFates.of(evidence);
            int line = firstMove;
            long keptFromBefore = fates.withFate(ResourceFates.Fate.UPLOADED).stream()
                    .filter(key -> fates.of(key).decidedBy() != null && fates.of(key).decidedBy().line() < line).count();
            assertTrue(keptFromBefore > 0, what + ": some upload to server 1 before the first move counts at the end");
            assertTrue(result.summary().complete(), what + ": " + result.summary());
            summaryAgreesWithTheRules(result, evidence, what);
            Verdict dup = RuleCatalogue.judge("DUP-02", evidence);
            assertFalse(dup.failed() || dup.status() == Verdict.Status.WARN, what + ": " + dup);
        }
    }

    @Test
    @DisplayName("host.server there and back: a full walk that keeps a ledger per server does not upload again what server 1"
            + " received before the move, answers COMPLETED after the return and fails no MUST rule (seeds 1-2)")
    void aLedgerPerServerIsRight() throws Exception {
        for (long seed = 1; seed <= 2; seed++) {
            String what = "KeepsALedgerPerServer seed " + seed;
            RunResult result = withReturn(FullWalkExtension.KeepsALedgerPerServer.class, FullWalkExtension.KeepsALedgerPerServer::new,
                    seed, java.time.Duration.ofMinutes(50));
            RunEvidence evidence = RunEvidence.of(result);
            assertEquals(List.of(), MustFailures.of(evidence), what);
            int firstMove = 0;
            int back = 0;
            TreeSet<String> before = new TreeSet<>(); // succeeded on server 1 before the first move
            TreeSet<String> createdAfterReturn = new TreeSet<>();
            java.util.TreeMap<String, String> resourceOf = new java.util.TreeMap<>();
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("host.server") && !event.fields().has("skipped")) {
                    if (firstMove == 0) {
                        firstMove = event.line();
                    } else {
                        back = event.line();
                    }
                } else if (event.name().equals("job.create")) {
                    resourceOf.put(event.text("job"), event.text("resource"));
                    if (back > 0) {
                        createdAfterReturn.add(event.text("resource"));
                    }
                } else if (event.name().equals("job.succeeded") && firstMove == 0) {
                    before.add(resourceOf.get(event.text("job")));
                }
            }
            assertTrue(back > 0 && !before.isEmpty(), what);
            TreeSet<String> foundAgain = new TreeSet<>(before);
            foundAgain.removeAll(createdAfterReturn);
            assertFalse(foundAgain.isEmpty(), what + ": some upload to server 1 before the move was not made again after the return");
            ResourceFates fates = ResourceFates.of(evidence);
            for (String key : foundAgain) {
                if (evidence.liveResources().contains(key)) {
                    assertEquals(ResourceFates.Fate.UPLOADED, fates.of(key).fate(), what + ": " + key);
                }
            }
            assertTrue(result.summary().complete(), what + ": " + result.summary());
            summaryAgreesWithTheRules(result, evidence, what);
        }
    }

    @Test
    @DisplayName("host.server there and back: the mutants that ignore the move are judged by what server 1 holds at the end,"
            + " and the summary agrees; KeepsTheFirstServer, rescued by the move back, passes E2E-01 (it is still caught on host-app);"
            + " IgnoresTheServerChange, whose ledger counts what went to server 2, FAILs it")
    void aMoveBackJudgesTheMutantsByWhatServerOneHolds() throws Exception {
        List<Class<? extends UploadExtension>> mutants = List.of(HostAppMutants.IgnoresTheServerChange.class,
                HostAppMutants.KeepsTheFirstServer.class);
        for (Class<? extends UploadExtension> mutant : mutants) {
            java.util.function.Supplier<UploadExtension> make = maker(mutant);
            RunResult result = withReturn(mutant, make, 1, java.time.Duration.ofMinutes(50));
            RunEvidence evidence = RunEvidence.of(result);
            summaryAgreesWithTheRules(result, evidence, mutant.getSimpleName());
            Verdict e2e = RuleCatalogue.judge("E2E-01", evidence);
            if (mutant == HostAppMutants.KeepsTheFirstServer.class) {
                // it never left server 1, which refused it while the account was away and kept what it got
                assertEquals(Verdict.Status.PASS, e2e.status(), mutant.getSimpleName() + ": " + e2e);
            } else {
                // its ledger still counts what it sent to server 2 while the account was there: lost on server 1
                assertEquals(Verdict.Status.FAIL, e2e.status(), mutant.getSimpleName() + ": " + e2e);
            }
        }
    }

    @Test
    @DisplayName("an extension that copied the client secret into its own storage once never uploads again: E2E-01 FAIL")
    void aCopiedSecretGoesStale() throws Exception {
        RunEvidence evidence = run(HostAppMutants.CopiesCredentialsOnce.class, HostAppMutants.CopiesCredentialsOnce::new, 1);
        Verdict verdict = RuleCatalogue.judge("E2E-01", evidence);
        assertEquals(Verdict.Status.FAIL, verdict.status(), verdict.toString());
    }

    /** A new instance of {@code type} for each launch (a relaunch keeps nothing in memory). */
    private static java.util.function.Supplier<UploadExtension> maker(Class<? extends UploadExtension> type) {
        return () -> {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        };
    }

}
