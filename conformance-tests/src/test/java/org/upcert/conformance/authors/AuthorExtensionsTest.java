package org.upcert.conformance.authors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.cli.CertifyCommand;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.ResourceFates;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cli.UpcertCommand;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import org.upcert.harness.host.ExtensionSource;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.run.RunOptions;
import org.upcert.harness.run.Simulation;
import picocli.CommandLine;

/**
 * Extensions written independently of the sample ({@link AuthorExtensions}), each packed into a
 * jar of its own: a correct one that the suite passes and its broken twin that it catches, for
 * a 204 reported as failed but stored (trusted by its response headers) and for a declared scope
 * (no RAW alternates, files over 100 MB left to the host app).
 */
class AuthorExtensionsTest {
    /** The standard profile with the 204 quirk and lost responses at 26.4 (a test profile of this class first). */
    private static final String QUIRKS = "quirks-with-lost-responses";
    private static final Path RAW_AND_LARGE = Path.of("src/test/resources/authors/raw-and-large-videos.yaml");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run of {@code jar} on {@code profile}, seed 1, judged by every rule. */
    private record Judged(RunEvidence evidence, TreeMap<String, Verdict> verdicts) {
        Verdict.Status status(String rule) {
            return verdicts.get(rule).status();
        }

        List<String> failures() {
            List<String> failed = new ArrayList<>();
            verdicts.forEach((rule, verdict) -> {
                if (verdict.status() == Verdict.Status.FAIL) {
                    failed.add(rule + ": " + verdict.message());
                }
            });
            return failed;
        }
    }

    private static Judged judge(Path jar, Path profile) throws Exception {
        return judge(jar, profile.toString(), true, 1);
    }

    private static Judged judge(Path jar, String profile) throws Exception {
        return judge(jar, profile, true, 1);
    }

    /** One run of {@code jar} on {@code profile} (a file or a standard profile's name) with {@code seed}. */
    private static Judged judge(Path jar, String profile, boolean recovery, long seed) throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.resolve(profile), seed).plan();
        if (!recovery) {
            plan = new RunPlan(plan.seed(), plan.profile(), plan.workload(),
                    plan.policy().withMaxSimulatedMs(plan.phases().faultPhaseMs()),
                    new org.upcert.harness.plan.Phases(plan.phases().faultPhaseMs(), false, 0, 0), plan.faults());
        }
        RunEvidence evidence = RunEvidence.of(Simulation.run(plan, ExtensionSource.jar(jar),
                RunOptions.inMemory().withTransport("direct").withIsolation("in-process")));
        TreeMap<String, Verdict> verdicts = new TreeMap<>();
        for (Map.Entry<String, RuleChecker> entry : RuleCatalogue.checkers().entrySet()) {
            verdicts.put(entry.getKey(), entry.getValue().check(evidence));
        }
        return new Judged(evidence, verdicts);
    }

    /**
     * Whether a call returned COMPLETED after some resource's upload had landed only as a 2xx the
     * system reported as failed (no job for it ever succeeded): the moment the old RES-01 counted
     * it as "neither uploaded nor in a job".
     */
    private static boolean completedAfterATrusted204(RunEvidence evidence) {
        java.util.TreeSet<String> succeeded = new java.util.TreeSet<>();
        java.util.TreeMap<String, String> resourceOfJob = new java.util.TreeMap<>();
        for (TraceEvent e : evidence.events()) {
            if (e.name().equals("job.create")) {
                resourceOfJob.put(e.text("job"), e.text("resource"));
            } else if (e.name().equals("job.succeeded")) {
                succeeded.add(resourceOfJob.get(e.text("job")));
            }
        }
        int firstLanding = Integer.MAX_VALUE;
        for (ResourceFates.ResourceFate f : ResourceFates.of(evidence).all().values()) {
            if (f.fate() == ResourceFates.Fate.UPLOADED && f.decidedBy() != null && f.decidedBy().name().equals("job.failed")
                    && !succeeded.contains(f.resource())) {
                firstLanding = Math.min(firstLanding, f.decidedBy().line());
            }
        }
        int landing = firstLanding;
        return evidence.events().stream().anyMatch(e -> e.line() > landing && e.name().equals("call.end")
                && e.text("result").equals("COMPLETED"));
    }

    private static long count(RunEvidence evidence, String name, java.util.function.Predicate<TraceEvent> which) {
        return evidence.events().stream().filter(e -> e.name().equals(name)).filter(which).count();
    }

    @Test
    @DisplayName("a 204 reported as failed, trusted by its response headers: RES-01 and E2E-01 PASS, no rule FAILs (seeds 1..3 of "
            + "quirks-with-lost-responses)")
    void trustsA204ByItsHeaders(@TempDir Path dir) throws Exception {
        Path jar = AuthorJars.jar(AuthorExtensions.PlainBackup.class, dir, null);
        for (long seed = 2; seed <= 3; seed++) {
            Judged other = judge(jar, QUIRKS, true, seed);
            assertTrue(count(other.evidence(), "job.failed", e -> e.number("status") == 204) > 0, "seed " + seed + ": a 204 reported failed");
            assertEquals(List.of(), other.failures(), "seed " + seed + ": a correct extension fails no rule");
        }
        Judged plain = judge(jar, QUIRKS);
        // the situation happened: uploads reported failed with a 2xx whose bytes are in the cloud
        assertTrue(count(plain.evidence(), "job.failed", e -> e.number("status") == 204) > 0, "a 204 was reported as a failure");
        long trusted = ResourceFates.of(plain.evidence()).all().values().stream()
                .filter(f -> f.fate() == ResourceFates.Fate.UPLOADED && f.decidedBy() != null
                        && f.decidedBy().name().equals("job.failed"))
                .count();
        assertTrue(trusted > 0, "the fates count a 204 reported as failed as uploaded");
        assertTrue(completedAfterATrusted204(plain.evidence()), "a COMPLETED came after a photo stored only by a 204 reported failed");
        assertEquals(Verdict.Status.PASS, plain.status("RES-01"), plain.verdicts().get("RES-01").toString());
        assertEquals(Verdict.Status.PASS, plain.status("E2E-01"), plain.verdicts().get("E2E-01").toString());
        assertEquals(List.of(), plain.failures(), "a correct extension fails no rule");
    }

    @Test
    @DisplayName("the sample, on the same profile, passes RES-01 and E2E-01 too, COMPLETED after trusting a 204 (RES-01 failed that before the fates)")
    void theSampleToo() throws Exception {
        Path sample = org.upcert.harness.cli.BundledSample.extract().orElseThrow();
        Judged judged = judge(sample, QUIRKS);
        assertTrue(completedAfterATrusted204(judged.evidence()), "a COMPLETED came after a photo stored only by a 204 reported failed");
        assertEquals(Verdict.Status.PASS, judged.status("RES-01"), judged.verdicts().get("RES-01").toString());
        assertEquals(Verdict.Status.PASS, judged.status("E2E-01"), judged.verdicts().get("E2E-01").toString());
        assertEquals(List.of(), judged.failures());
    }

    @Test
    @DisplayName("its twin that takes any response headers (a 429's retry-after) for 'stored' loses photos: E2E-01 and RES-01 FAIL")
    void anyHeadersTrustedLosesPhotos(@TempDir Path dir) throws Exception {
        Judged twin = judge(AuthorJars.jar(AuthorExtensions.AnyHeadersTrusted.class, dir, null), QUIRKS);
        assertEquals(Verdict.Status.FAIL, twin.status("E2E-01"), twin.verdicts().get("E2E-01").toString());
        assertTrue(twin.verdicts().get("E2E-01").message().contains("lost: its last job"),
                "the message says what happened: " + twin.verdicts().get("E2E-01").message());
        assertEquals(Verdict.Status.FAIL, twin.status("RES-01"), twin.verdicts().get("RES-01").toString());
    }

    @Test
    @DisplayName("its twin that ignores the headers re-uploads stored photos in a loop until the churn budget cuts the run:"
            + " RTY-02 FAILs (and DUP-02 WARNs)")
    void ignoringTheHeadersReuploadsForever(@TempDir Path dir) throws Exception {
        // the fault phase alone: the loop never ends by itself; the run's churn budget ends it
        Judged twin = judge(AuthorJars.jar(AuthorExtensions.IgnoresHeaders.class, dir, null), QUIRKS, false, 1);
        // each new job overwrites the stored object, is answered 204, reported failed, and made again
        Verdict dup02 = org.upcert.conformance.rules.Thresholds.apply(twin.verdicts().get("DUP-02"));
        assertEquals(Verdict.Status.WARN, dup02.status(), dup02.toString());
        // From the device, each 204 reported failed is a server-answered failure: trying again without
        // bound is RTY-02's loop, whether or not the bytes landed.
        assertEquals(Verdict.Status.FAIL, twin.status("RTY-02"), twin.verdicts().get("RTY-02").toString());
        long created = count(twin.evidence(), "job.create", e -> true);
        var events = twin.evidence().events();
        String end = events.get(events.size() - 1).raw();
        // The loop runs until the run's churn budget cuts it (a resource whose jobs end 30 times in a
        // row without a success no fault explains): many more jobs than resources, then run.cut.
        assertTrue(created > 2L * twin.evidence().liveResources().size(), created + " jobs for "
                + twin.evidence().liveResources().size() + " resources; the run ended: " + end);
        assertTrue(count(twin.evidence(), "run.cut", e -> e.raw().contains("churn")) == 1, "cut by the churn budget: " + end);
    }

    @Test
    @DisplayName("a declared scope (no RAW, over 100 MB to the host app) honoured: E2E-01 and E2E-02 PASS, no rule FAILs")
    void declaredScopeHonoured(@TempDir Path dir) throws Exception {
        Judged scoped = judge(AuthorJars.jar(AuthorExtensions.ScopedBackup.class, dir, AuthorExtensions.ScopedBackup.SCOPE),
                RAW_AND_LARGE);
        ResourceFates fates = ResourceFates.of(scoped.evidence());
        long raw = fates.all().values().stream().filter(f -> f.resource().endsWith("#ALTERNATE_PHOTO")).count();
        assertTrue(raw > 0, "the library has RAW alternates");
        assertTrue(fates.all().values().stream().filter(f -> f.fate() == ResourceFates.Fate.OUT_OF_SCOPE)
                .anyMatch(f -> f.why().contains("hostAppAbove")), "some file is over 100 MB");
        assertEquals(raw, fates.all().values().stream().filter(f -> f.resource().endsWith("#ALTERNATE_PHOTO"))
                .filter(f -> f.fate() == ResourceFates.Fate.OUT_OF_SCOPE).count(), "every RAW is out of scope");
        assertTrue(scoped.evidence().header().path("scope").path("declared").asBoolean(), "the trace header records the scope");
        assertEquals(Verdict.Status.PASS, scoped.status("E2E-01"), scoped.verdicts().get("E2E-01").toString());
        assertEquals(Verdict.Status.PASS, scoped.status("E2E-02"), scoped.verdicts().get("E2E-02").toString());
        assertEquals(List.of(), scoped.failures(), "a correct extension fails no rule");
    }

    @Test
    @DisplayName("declaring the scope and uploading outside it fails E2E-02")
    void uploadingOutOfScopeFails(@TempDir Path dir) throws Exception {
        Judged twin = judge(AuthorJars.jar(AuthorExtensions.Overreaching.class, dir, AuthorExtensions.ScopedBackup.SCOPE),
                RAW_AND_LARGE);
        Verdict e2e02 = twin.verdicts().get("E2E-02");
        assertEquals(Verdict.Status.FAIL, e2e02.status(), e2e02.toString());
        assertTrue(e2e02.message().contains("leaves to the host app"), e2e02.message());
        assertEquals(Verdict.Status.PASS, twin.status("E2E-01"), "everything it had to upload is there");
    }

    @Test
    @DisplayName("skipping RAW without declaring it fails E2E-01 (and RES-01)")
    void skippingUndeclaredFails(@TempDir Path dir) throws Exception {
        Judged twin = judge(AuthorJars.jar(AuthorExtensions.SkipsRawUndeclared.class, dir, null), RAW_AND_LARGE);
        Verdict e2e01 = twin.verdicts().get("E2E-01");
        assertEquals(Verdict.Status.FAIL, e2e01.status(), e2e01.toString());
        assertTrue(e2e01.message().contains("#ALTERNATE_PHOTO lost: no job was ever created for it"), e2e01.message());
        assertEquals(Verdict.Status.FAIL, twin.status("RES-01"), twin.verdicts().get("RES-01").toString());
    }

    @Test
    @DisplayName("TRM-03 does not blame kills for RAW files the extension never attempted: E2E-01 FAILs, TRM-03 does not")
    void killsAreNotBlamedForLossesTheyDidNotCause(@TempDir Path dir) throws Exception {
        Path hardKills = Path.of("../fault-profiles/src/main/resources/upcert/profiles/hard-kills.yaml");
        Judged twin = judge(AuthorJars.jar(AuthorExtensions.SkipsRawUndeclared.class, dir, null), hardKills);
        assertTrue(count(twin.evidence(), "process.kill", e -> true) > 0, "the run had kills");
        ResourceFates fates = ResourceFates.of(twin.evidence());
        assertTrue(fates.lost().stream().anyMatch(f -> f.resource().endsWith("#ALTERNATE_PHOTO")), "RAW files are lost");
        assertEquals(Verdict.Status.FAIL, twin.status("E2E-01"), twin.verdicts().get("E2E-01").toString());
        assertEquals(Verdict.Status.PASS, twin.status("TRM-03"), twin.verdicts().get("TRM-03").toString());
    }

    @Test
    @DisplayName("certify reads the jar's scope, prints it in certification.json and CERTIFICATION.md; a malformed one is exit 2 with file:line:column")
    void certificatePrintsTheScope(@TempDir Path dir) throws Exception {
        Path jar = AuthorJars.jar(AuthorExtensions.ScopedBackup.class, dir, AuthorExtensions.ScopedBackup.SCOPE);
        Path out = dir.resolve("out");
        Outcome ok = certify("--extension", jar.toString(), "--profiles", RAW_AND_LARGE.toString(), "--seed", "1",
                "--isolation", "in-process", "--rules", "E2E", "--out", out.toString(), "--json", "--quiet");
        JsonNode certification = JSON.readTree(out.resolve("certification.json").toFile());
        JsonNode scope = certification.path("scope");
        assertTrue(scope.path("declared").asBoolean(), certification.toString());
        assertEquals("[\"PHOTO\",\"VIDEO\",\"PAIRED_VIDEO\"]", scope.path("resourceTypes").toString());
        assertEquals(100_000_000L, scope.path("hostAppAbove").asLong());
        assertTrue(Files.readString(out.resolve("CERTIFICATION.md")).contains("PHOTO, VIDEO, PAIRED_VIDEO; files over 100 MB to the host app"),
                "CERTIFICATION.md prints the scope");
        assertTrue(ok.code() == 0 || ok.code() == 1, ok.err());

        Path bad = AuthorJars.jar(AuthorExtensions.Overreaching.class, dir, "resourceTypes: [PHOTO, RAW]\nhostAppAbove: lots\n");
        Outcome rejected = certify("--extension", bad.toString(), "--profiles", RAW_AND_LARGE.toString(), "--seed", "1",
                "--out", dir.resolve("bad").toString(), "--quiet");
        assertEquals(2, rejected.code(), rejected.err());
        assertTrue(rejected.err().contains("!/META-INF/upcert/scope.yaml:1:24: found 'RAW', expected a resource type"), rejected.err());
        assertTrue(rejected.err().contains("scope.yaml:2:15: found 'lots', expected a positive size"), rejected.err());
        assertTrue(!Files.exists(dir.resolve("bad").resolve("certification.json")), "nothing was run");
    }

    @Test
    @DisplayName("--scope FILE declares the scope of an extension that has no jar (a class, a command); a malformed one is exit 2")
    void scopeOption(@TempDir Path dir) throws Exception {
        Path scope = dir.resolve("scope.yaml");
        Files.writeString(scope, AuthorExtensions.ScopedBackup.SCOPE);
        Path out = dir.resolve("out");
        Outcome ok = certify("--extension-class", AuthorExtensions.ScopedBackup.class.getName(), "--scope", scope.toString(),
                "--profiles", RAW_AND_LARGE.toString(), "--seed", "1", "--isolation", "in-process", "--rules", "E2E",
                "--out", out.toString(), "--json", "--quiet");
        JsonNode certification = JSON.readTree(out.resolve("certification.json").toFile());
        assertEquals("PHOTO, VIDEO, PAIRED_VIDEO; files over 100 MB to the host app",
                certification.path("scope").path("description").asText(), ok.err());
        for (JsonNode rule : certification.path("rules")) {
            assertTrue(!rule.path("verdict").asText().equals("FAIL"), rule.toString());
        }
        Files.writeString(scope, "resourceTypes: [PHOTO]\nhostAppAbove: 0\n");
        Outcome rejected = certify("--extension-class", AuthorExtensions.ScopedBackup.class.getName(), "--scope", scope.toString(),
                "--profiles", RAW_AND_LARGE.toString(), "--seed", "1", "--isolation", "in-process", "--out",
                dir.resolve("bad").toString(), "--quiet");
        assertEquals(2, rejected.code(), rejected.err());
        assertTrue(rejected.err().contains(scope + ":2:15: found '0', expected a positive size"), rejected.err());
    }

    private record Outcome(int code, String out, String err) {
    }

    private static Outcome certify(String... args) {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = UpcertCommand.commandLine(new CertifyCommand());
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        String[] all = new String[args.length + 1];
        all[0] = "certify";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cli.execute(all);
        return new Outcome(code, stdout.toString(), stderr.toString());
    }
}
