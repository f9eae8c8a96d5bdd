package org.upcert.conformance.suite;

import io.qameta.allure.Allure;
import io.qameta.allure.AllureLifecycle;
import java.util.TreeSet;

/**
 * What one certification owns while its test plan runs: its runs ({@link SharedRuns}: the runs
 * simulated, the counts, the observer), its verdict log, its timings, the Allure lifecycle its
 * cells are reported to, and the traces it has written. Two certifications in one JVM each have
 * their own, so that neither clears, reads or reports into the other's: they may run at once
 * (issue 13; before, one lock made every certification of a JVM wait for the one under way, and
 * this state was the JVM's). What stays per JVM: the threads that simulate and judge (one pool
 * bounds the simulations of the whole JVM) and Ctrl-C ({@code Interruption}).
 *
 * <p>{@code Certifier.certify} makes one and hands it to the test plan it launches as the
 * {@value #PARAMETER} parameter ({@link #share}), as it hands its profile snapshot
 * ({@link ProfileSnapshot#share}); {@link SuiteConfig#from} finds it there, and every configuration
 * of the plan carries it ({@link SuiteConfig#certificationState}). A configuration made any other
 * way (an author's JUnit {@code @Suite}, explore, a test) has the JVM's own ({@link #jvm}), whose
 * cells go to Allure's global lifecycle, where Allure's own listener writes them.
 */
public final class CertificationState {
    /** The configuration parameter naming a shared state ({@link #share}). */
    public static final String PARAMETER = "upcert.certification-state";
    private static final Handover<CertificationState> SHARED = new Handover<>("certification");
    private static final CertificationState JVM = new CertificationState(null, System.nanoTime()); // wall-clock ok: timings only

    private final SharedRuns runs = new SharedRuns();
    private final VerdictLog verdicts = new VerdictLog();
    private final SuiteTimings timings;
    /** Null: Allure's global one (the JVM's state). */
    private final AllureLifecycle allure;
    /** The trace files this certification wrote (each FAIL of a run names the same file). */
    private final TreeSet<String> writtenTraces = new TreeSet<>();

    private CertificationState(AllureLifecycle allure, long startedNanos) {
        this.allure = allure;
        this.timings = new SuiteTimings(startedNanos);
    }

    /**
     * The state of a new certification that reports its cells to {@code allure} and started at
     * {@code startedNanos} ({@code System.nanoTime}, for its timings).
     */
    public static CertificationState of(AllureLifecycle allure, long startedNanos) {
        return new CertificationState(java.util.Objects.requireNonNull(allure, "allure"), startedNanos);
    }

    /** The state of the configurations no certification made (see the class comment). */
    public static CertificationState jvm() {
        return JVM;
    }

    public SharedRuns runs() {
        return runs;
    }

    public VerdictLog verdicts() {
        return verdicts;
    }

    public SuiteTimings timings() {
        return timings;
    }

    /** Where this certification's cells are reported: its own lifecycle, or Allure's global one for the JVM's state. */
    AllureLifecycle allure() {
        return allure != null ? allure : Allure.getLifecycle();
    }

    /** Whether {@code file} (an absolute path) is written for the first time by this certification: noted now. */
    boolean firstWrite(String file) {
        synchronized (writtenTraces) {
            return writtenTraces.add(file);
        }
    }

    /**
     * Makes this state findable by the returned id until {@link #release}: the parameter value of
     * {@value #PARAMETER} for a test plan launched in this JVM.
     */
    public String share() {
        return SHARED.share(this);
    }

    /** The state {@link #share} made findable by {@code id}, or null. */
    static CertificationState shared(String id) {
        return SHARED.find(id);
    }

    /** Forgets a shared state (its certification has ended). */
    public static void release(String id) {
        SHARED.release(id);
    }

    @Override
    public String toString() {
        return this == JVM ? "CertificationState[jvm]" : "CertificationState@" + Integer.toHexString(System.identityHashCode(this));
    }
}
