package org.upcert.conformance.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.suite.RunOutcome;
import org.upcert.conformance.suite.SuiteConfig;

/**
 * Two certifications at once in one JVM (issue 13) each make exactly the bundle they make alone:
 * the same certification.json, and in their allure-results and junit-xml their own cells only.
 * Each has its own runs, verdicts and Allure lifecycle ({@code CertificationState}); with those kept
 * per JVM, the second certification cleared the first's runs and verdicts, and the cells of each went
 * to the folder of whichever set Allure's global lifecycle last.
 */
class ConcurrentCertificationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** JUnit's XML names each test case's display name in its output. */
    private static final Pattern TESTCASE = Pattern.compile("^display-name: (.*)$", Pattern.MULTILINE);
    /** Two configurations that share no rule and no profile: a cell of one in the other's bundle shows. */
    private static final Map<String, String> FIRST = Map.of("upcert.profiles", "baseline,flaky-network", "upcert.seeds", "1",
            "upcert.rules", "JOB,ACK", "upcert.isolation", "in-process", "upcert.transport", "direct");
    private static final Map<String, String> SECOND = Map.of("upcert.profiles", "hard-kills,quiet-phone", "upcert.seeds", "3",
            "upcert.rules", "RTY,TRM,DUP", "upcert.isolation", "in-process", "upcert.transport", "direct");

    @Test
    @DisplayName("two certifications at once: each bundle is the one it makes alone, with its own cells only")
    void atOnceAsAlone(@TempDir Path dir) throws Exception {
        // the meeting point below holds a judging thread of each certification: with one core there is one
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "two judging threads (one per core) are needed to meet");
        Bundle firstAlone = Bundle.of(Certifier.certify(config(FIRST), dir.resolve("first-alone"), null).out());
        Bundle secondAlone = Bundle.of(Certifier.certify(config(SECOND), dir.resolve("second-alone"), null).out());

        // Each waits, at its first run, until the other has a run too (bounded): they are under way at once.
        CountDownLatch bothUnderWay = new CountDownLatch(2);
        AtomicBoolean met = new AtomicBoolean(true);
        CompletableFuture<Certifier.Result> first = atOnce(FIRST, dir.resolve("first"), bothUnderWay, met);
        CompletableFuture<Certifier.Result> second = atOnce(SECOND, dir.resolve("second"), bothUnderWay, met);
        Bundle firstTogether = Bundle.of(first.get(600, TimeUnit.SECONDS).out()); // a real wait, bounded
        Bundle secondTogether = Bundle.of(second.get(600, TimeUnit.SECONDS).out());

        assertFalse(firstAlone.cells().isEmpty());
        assertFalse(secondAlone.cells().isEmpty());
        assertEquals(firstAlone.json(), firstTogether.json(), "the first certification.json, as alone");
        assertEquals(secondAlone.json(), secondTogether.json(), "the second certification.json, as alone");
        assertEquals(firstAlone.cells(), firstTogether.cells(), "the first allure-results: its own cells, each once");
        assertEquals(secondAlone.cells(), secondTogether.cells(), "the second allure-results: its own cells, each once");
        assertEquals(firstAlone.tests(), firstTogether.tests(), "the first junit-xml: its own tests");
        assertEquals(secondAlone.tests(), secondTogether.tests(), "the second junit-xml: its own tests");
        // last: with one observer per JVM, the second certification replaced the first's, which then never met
        assertTrue(met.get(), "the two certifications were under way at once (each had a run while the other waited at its first)");
    }

    private static SuiteConfig config(Map<String, String> parameters) {
        return SuiteConfig.from(key -> Optional.ofNullable(parameters.get(key)));
    }

    private static CompletableFuture<Certifier.Result> atOnce(Map<String, String> parameters, Path out, CountDownLatch bothUnderWay,
            AtomicBoolean met) {
        CompletableFuture<Certifier.Result> result = new CompletableFuture<>();
        AtomicBoolean firstRun = new AtomicBoolean(true);
        java.util.function.Consumer<RunOutcome> meet = run -> {
            if (firstRun.getAndSet(false)) {
                bothUnderWay.countDown();
                try {
                    if (!bothUnderWay.await(120, TimeUnit.SECONDS)) { // a real wait, bounded
                        met.set(false);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    met.set(false);
                }
            }
        };
        Thread caller = new Thread(() -> {
            try {
                result.complete(Certifier.certify(config(parameters), out, null, meet));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "certify-" + out.getFileName());
        caller.start();
        return result;
    }

    /**
     * What a bundle says, with the folder it was written to taken out: certification.json, each Allure
     * result (its test's name, status and profile, seed and rule labels) and each JUnit test case's display name.
     */
    private record Bundle(String json, List<String> cells, List<String> tests) {
        static Bundle of(Path out) throws IOException {
            String json = Files.readString(out.resolve("certification.json")).replace(out.toString(), "OUT");
            List<String> cells = new ArrayList<>();
            try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
                for (Path file : files.filter(f -> f.toString().endsWith("-result.json")).toList()) {
                    JsonNode result = JSON.readTree(file.toFile());
                    StringBuilder cell = new StringBuilder(result.path("name").asText()).append(" ")
                            .append(result.path("status").asText());
                    for (JsonNode label : result.path("labels")) {
                        String name = label.path("name").asText();
                        if (name.equals("rule") || name.equals("profile") || name.equals("seed")) {
                            cell.append(" ").append(name).append("=").append(label.path("value").asText());
                        }
                    }
                    cells.add(cell.toString());
                }
            }
            cells.sort(null);
            List<String> tests = new ArrayList<>();
            try (Stream<Path> files = Files.list(out.resolve("junit-xml"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".xml")).toList()) {
                    Matcher testcase = TESTCASE.matcher(Files.readString(file));
                    while (testcase.find()) {
                        tests.add(testcase.group(1));
                    }
                }
            }
            tests.sort(null);
            return new Bundle(json, List.copyOf(cells), List.copyOf(tests));
        }
    }
}
