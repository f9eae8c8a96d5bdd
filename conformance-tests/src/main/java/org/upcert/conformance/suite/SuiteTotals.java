package org.upcert.conformance.suite;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * One closing line for the suite's tests in an author's JUnit route, with every test counted:
 * {@code upcert: 74 tests: 40 passed, 0 failed, 34 aborted (NOT_EXERCISED 30, NOT_APPLICABLE 4) …}.
 * Surefire's own closing total leaves the aborted tests of a {@code @Suite} out altogether
 * (docs/author-build.md), which would hide how much of the catalogue a green gate did not exercise.
 *
 * <p>Registered through {@code META-INF/services} (the JUnit Platform's listener auto-registration);
 * {@code certify} turns auto-registration off and reports every verdict itself. Prints nothing when
 * the plan held none of the suite's tests.
 */
public final class SuiteTotals implements TestExecutionListener {
    /** A suite test's display name: {@code ACK-01 · MUST · flaky-network · seed 1} or {@code … · all runs}. */
    private static final Pattern SUITE_TEST = Pattern.compile("[A-Z0-9]{3}-\\d{2} · (MUST|SHOULD) · .+");
    private static final Pattern VERDICT = Pattern.compile("^(?:[A-Z0-9]{3}-\\d{2} )?(WARN|NOT_APPLICABLE|NOT_EXERCISED|SKIPPED)\\b");

    private final PrintStream out;
    private final TreeMap<TestExecutionResult.Status, Integer> counts = new TreeMap<>();
    private final TreeMap<String, Integer> aborted = new TreeMap<>();

    /** For the Platform's auto-registration: the line goes to standard output. */
    public SuiteTotals() {
        this(System.out);
    }

    public SuiteTotals(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isContainer() && isSuiteClass(test)) {
            // the author's @Suite class ends: print while its output still belongs to it (Surefire shows it then)
            flush();
            return;
        }
        if (!test.isTest() || !SUITE_TEST.matcher(test.getDisplayName()).matches()) {
            return;
        }
        counts.merge(result.getStatus(), 1, Integer::sum);
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            String message = result.getThrowable().map(Throwable::getMessage).orElse("");
            Matcher verdict = VERDICT.matcher(message == null ? "" : message);
            aborted.merge(verdict.find() ? verdict.group(1) : "aborted", 1, Integer::sum);
        }
    }

    @Override
    public synchronized void testPlanExecutionFinished(TestPlan plan) {
        flush(); // the group classes run without a @Suite
    }

    private void flush() {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        if (total > 0) {
            out.println(line());
            out.flush();
        }
        counts.clear();
        aborted.clear();
    }

    /** A container whose source is a class other than the suite's group classes: the {@code @Suite} that selected them. */
    private static boolean isSuiteClass(TestIdentifier container) {
        return container.getSource().filter(org.junit.platform.engine.support.descriptor.ClassSource.class::isInstance)
                .map(org.junit.platform.engine.support.descriptor.ClassSource.class::cast)
                .map(source -> source.getClassName()).filter(name -> !name.startsWith(RuleGroupSuite.class.getPackageName() + "."))
                .isPresent() && container.getUniqueIdObject().getLastSegment().getType().equals("suite");
    }

    /** The closing line for what was counted so far. */
    synchronized String line() {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder why = new StringBuilder();
        for (Map.Entry<String, Integer> entry : aborted.entrySet()) {
            why.append(why.length() == 0 ? "" : ", ").append(entry.getKey()).append(' ').append(entry.getValue());
        }
        return "upcert: " + total + " tests: " + counts.getOrDefault(TestExecutionResult.Status.SUCCESSFUL, 0) + " passed, "
                + counts.getOrDefault(TestExecutionResult.Status.FAILED, 0) + " failed, "
                + counts.getOrDefault(TestExecutionResult.Status.ABORTED, 0) + " aborted"
                + (why.length() == 0 ? "" : " (" + why + ")")
                + "; an aborted test is never a pass (Surefire's closing total may leave the aborted ones out)";
    }
}
