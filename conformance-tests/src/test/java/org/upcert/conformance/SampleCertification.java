package org.upcert.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.upcert.conformance.certify.Certifier;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.RuleChecker;
import org.upcert.conformance.suite.CellJudge;
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict;

/**
 * The default certification of the bundled sample ({@code ./upcert certify}: every standard profile
 * with seeds 1..3 and the drawn profiles, the default cloud, transport and isolation), made once per
 * test JVM. Its runs are the ones the group tests judge too: while the certification runs, each run
 * of a standard profile keeps every checker's verdict as it is (before applicability and
 * thresholds, which the certification adds), the very verdicts the certification made as the run
 * ended ({@link CellJudge#unadjusted}: nothing is judged twice), and its end reason. So
 * {@code CertifyAcceptanceTest} reads the bundle and the group tests ({@link SampleVerdicts}) read
 * the checkers' verdicts of the same simulations, which are made once instead of twice.
 */
public final class SampleCertification {
    private static Shared shared;
    /** Verdicts the certification had not made and {@link #judged} asked a checker for. */
    private static final java.util.concurrent.atomic.AtomicInteger JUDGED_HERE = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * What the certification left.
     *
     * @param result the certification and its bundle's folder
     * @param verdicts "profile seed N" → rule id → the checker's verdict, for every standard profile's run
     * @param endReasons "profile seed N" → why the run ended (its {@code run.end} reason)
     * @param traceSha256 "profile seed N" → the SHA-256 of the run's trace (what a run of the same cell
     *     over another transport must reproduce, byte for byte)
     * @param judgedAgain how many of {@code verdicts} the certification had not made itself (0: every
     *     run was judged once, by the certification)
     */
    public record Shared(Certifier.Result result, TreeMap<String, TreeMap<String, Verdict>> verdicts,
            TreeMap<String, String> endReasons, TreeMap<String, String> traceSha256, int judgedAgain) {
    }

    private SampleCertification() {
    }

    /** The sample's default certification, made at the first call in this JVM. */
    public static synchronized Shared get() throws IOException {
        if (shared == null) {
            Path out = Files.createTempDirectory("upcert-sample-certification");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(out)));
            ConcurrentSkipListMap<String, TreeMap<String, Verdict>> verdicts = new ConcurrentSkipListMap<>();
            ConcurrentSkipListMap<String, String> endReasons = new ConcurrentSkipListMap<>();
            ConcurrentSkipListMap<String, String> traces = new ConcurrentSkipListMap<>();
            Certifier.Result result = Certifier.certify(SuiteConfig.from(key -> Optional.empty()), out, null, outcome -> {
                if (SuiteConfig.exploration(outcome.cell()) || !outcome.ran()) {
                    return; // the drawn profiles are the certification's alone; a fault shows as a missing run
                }
                String run = outcome.cell().profile() + " seed " + outcome.cell().seed();
                verdicts.put(run, judged(outcome));
                endReasons.put(run, endReason(outcome));
                traces.put(run, sha256(outcome.traceText()));
            });
            shared = new Shared(result, new TreeMap<>(verdicts), new TreeMap<>(endReasons), new TreeMap<>(traces),
                    JUDGED_HERE.get());
        }
        return shared;
    }

    /**
     * Every checker's verdict on the run as it is: the ones the certification made already (it judges
     * a run as soon as it ends, {@link CellJudge#unadjusted}), so nothing is judged twice; a checker
     * the certification did not ask, or that threw there, judges here (what it throws makes the run a
     * harness fault, as before).
     */
    private static TreeMap<String, Verdict> judged(RunOutcome outcome) {
        TreeMap<String, Verdict> byRule = new TreeMap<>();
        for (RuleChecker checker : RuleCatalogue.checkers().values()) {
            Optional<Verdict> made = CellJudge.unadjusted(outcome, checker.ruleId());
            if (made.isEmpty()) {
                JUDGED_HERE.incrementAndGet();
            }
            byRule.put(checker.ruleId(), made.orElseGet(() -> checker.check(outcome.evidence())));
        }
        return byRule;
    }

    private static String endReason(RunOutcome outcome) {
        String reason = null;
        for (TraceEvent event : outcome.evidence().events()) {
            if (event.name().equals("run.end")) {
                reason = event.text("reason");
            }
        }
        return reason;
    }

    /** The SHA-256 of a trace's text (UTF-8), as hex. */
    public static String sha256(String trace) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(trace.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
