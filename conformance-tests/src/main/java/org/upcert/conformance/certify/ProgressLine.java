package org.upcert.conformance.certify;

import java.io.PrintStream;
import java.util.Locale;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.upcert.conformance.suite.CertificationState;
import org.upcert.conformance.suite.SuiteConfig;

/**
 * A live progress line on a terminal: a bar over the tests, runs simulated, failures so far and
 * an estimate of the time left. Rewritten in place at most every 100 ms; cleared at the end.
 */
final class ProgressLine implements TestExecutionListener {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final int totalTests;
    private final int totalRuns;
    private final CertificationState certification;
    private final long startedNanos = System.nanoTime(); // wall-clock ok: progress display only
    private long lastPrint;
    private int done;

    ProgressLine(PrintStream out, SuiteConfig config, CertificationState certification) {
        this.out = out;
        this.certification = certification;
        this.totalRuns = config.cells().size();
        this.totalTests = config.rules().size() * (totalRuns + 1);
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (!test.isTest()) {
            return;
        }
        done++;
        long now = System.nanoTime(); // wall-clock ok
        if (now - lastPrint > 100_000_000L || done == totalTests) {
            lastPrint = now;
            print(now);
        }
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        out.print("\r" + " ".repeat(100) + "\r");
        out.flush();
    }

    private void print(long now) {
        double fraction = totalTests == 0 ? 1 : Math.min(1, done / (double) totalTests);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - startedNanos) / 1e9;
        String eta = fraction <= 0 ? "?" : String.format(Locale.ROOT, "%.0f s", elapsed / fraction - elapsed);
        out.print(String.format(Locale.ROOT, "\r  certify [%s%s] %d/%d tests · runs %d/%d simulated · %d FAIL verdicts · ~%s left ",
                "#".repeat(filled), "-".repeat(WIDTH - filled), done, totalTests, certification.runs().finished(), totalRuns,
                certification.verdicts().failures(), eta));
        out.flush();
    }
}
