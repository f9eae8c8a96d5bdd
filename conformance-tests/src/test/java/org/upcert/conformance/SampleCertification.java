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
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SuiteConfig;
import org.upcert.conformance.verdict.Verdict;

/**
 * The default certification of the bundled sample ({@code ./upcert certify}: every standard profile
 * with seeds 1..3 and the drawn profiles, the default cloud, transport and isolation), made once per
 * test JVM. Its runs are the ones the group tests judge too: while the certification runs, each run
 * of a standard profile is also judged by every checker of the catalogue as it is (before
 * applicability and thresholds, which the certification adds), and its end reason kept. So
 * {@code CertifyAcceptanceTest} reads the bundle and the group tests ({@link SampleVerdicts}) read
 * the checkers' verdicts of the same simulations, which are made once instead of twice.
 */
public final class SampleCertification {
    private static Shared shared;

    /**
     * What the certification left.
     *
     * @param result the certification and its bundle's folder
     * @param verdicts "profile seed N" → rule id → the checker's verdict, for every standard profile's run
     * @param endReasons "profile seed N" → why the run ended (its {@code run.end} reason)
     */
    public record Shared(Certifier.Result result, TreeMap<String, TreeMap<String, Verdict>> verdicts,
            TreeMap<String, String> endReasons) {
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
            Certifier.Result result = Certifier.certify(SuiteConfig.from(key -> Optional.empty()), out, null, outcome -> {
                if (SuiteConfig.exploration(outcome.cell()) || !outcome.ran()) {
                    return; // the drawn profiles are the certification's alone; a fault shows as a missing run
                }
                String run = outcome.cell().profile() + " seed " + outcome.cell().seed();
                verdicts.put(run, judged(outcome));
                endReasons.put(run, endReason(outcome));
            });
            shared = new Shared(result, new TreeMap<>(verdicts), new TreeMap<>(endReasons));
        }
        return shared;
    }

    private static TreeMap<String, Verdict> judged(RunOutcome outcome) {
        TreeMap<String, Verdict> byRule = new TreeMap<>();
        for (RuleChecker checker : RuleCatalogue.checkers().values()) {
            byRule.put(checker.ruleId(), checker.check(outcome.evidence()));
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
