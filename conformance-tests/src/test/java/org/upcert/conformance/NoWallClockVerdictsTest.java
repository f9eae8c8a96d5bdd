package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.upcert.api.AppGroupStorage;
import org.upcert.api.ExtensionContext;
import org.upcert.api.ExtensionHttp;
import org.upcert.api.ExtensionLog;
import org.upcert.api.PhotoLibrary;
import org.upcert.api.ProcessingResult;
import org.upcert.api.UploadExtension;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
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
 * No verdict depends on wall time. The sample runs twice under a real-time window of
 * {@value #WINDOW_MS} ms (the default is 10 s): once at full speed, once "on a throttled CPU" —
 * in its first {@value #THROTTLED_CALLS} calls every 5th API call it makes is delayed by
 * {@value #THROTTLE_MS} ms of real time, so a call takes longer than the window (asserted: the
 * first call discovers the library with well over 100 API calls, more than a second of sleeps; at 5 ms every 10th call under a 150 ms window, as this test had it
 * before, no call ever outlasted the window and the test showed nothing). Under a
 * window measured from the start of the call, the throttled calls would be killed as hung; the
 * window restarts at each API call, so the traces are identical and so is every verdict.
 *
 * <p>The window is wide enough that a loaded machine (a GC pause, a starved thread between two
 * API calls) does not read as a hang: at 150 ms it did under load 15–20, and at 400 ms once under
 * load 18 (the fresh-clone CI of 8d3b0a9 beside three helpers' builds); the sleeps grew with it
 * (20 to 50 ms), so a throttled call still outlasts the window. The test costs real time in
 * proportion to the window, so it is not wider still.
 */
class NoWallClockVerdictsTest {
    static final long WINDOW_MS = 1_000;
    static final long THROTTLE_MS = 50;
    /**
     * Only the run's first calls are throttled (the first discovers the whole library: the most API
     * calls): the test's real time is the sleeps, and every call throttled cost it 30 s.
     */
    static final int THROTTLED_CALLS = 3;

    /** What the throttled extension's processes share over a run (a relaunch makes a new instance). */
    static final class Throttle {
        final AtomicLong invocations = new AtomicLong();
        final AtomicLong longestNanos = new AtomicLong();
    }

    /** The sample, with every API call through a context that wastes real time first. */
    public static final class ThrottledSample implements UploadExtension {
        private final SampleUploadExtension sample = new SampleUploadExtension();
        private final AtomicLong calls = new AtomicLong();
        private final Throttle throttle;

        public ThrottledSample() {
            this(new Throttle());
        }

        ThrottledSample(Throttle throttle) {
            this.throttle = throttle;
        }

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            if (throttle.invocations.incrementAndGet() > THROTTLED_CALLS) {
                return sample.processJobs(context);
            }
            long start = System.nanoTime(); // real time, measured by the test only
            try {
                return sample.processJobs(slow(ExtensionContext.class, context));
            } finally {
                throttle.longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
            }
        }

        @Override
        public void willTerminate() {
            sample.willTerminate();
        }

        @SuppressWarnings("unchecked")
        private <T> T slow(Class<T> type, T target) {
            InvocationHandler handler = (proxy, method, args) -> {
                if (calls.incrementAndGet() % 5 == 0) {
                    Thread.sleep(THROTTLE_MS); // a throttled CPU, in real time only
                }
                Object result;
                try {
                    result = method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                for (Class<?> service : List.of(PhotoLibrary.class, AppGroupStorage.class, ExtensionHttp.class, ExtensionLog.class)) {
                    if (method.getReturnType() == service) {
                        return slow((Class<Object>) service, result);
                    }
                }
                return result;
            };
            return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
        }
    }

    private static RunResult run(String profile, Class<? extends UploadExtension> type, Throttle throttle)
            throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), 1).plan();
        plan = plan.withPolicy(plan.policy().withCallWallTimeoutMs(WINDOW_MS));
        return Simulation.run(plan, ExtensionSource.type(type, () -> type == ThrottledSample.class
                ? new ThrottledSample(throttle) : new SampleUploadExtension()), RunOptions.inMemory().withTransport("direct"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"termination-storm", "hard-kills"})
    void aThrottledRunGivesTheSameTraceAndVerdicts(String profile) throws Exception {
        RunResult fast = run(profile, SampleUploadExtension.class, new Throttle());
        Throttle throttle = new Throttle();
        RunResult slow = run(profile, ThrottledSample.class, throttle);
        assertTrue(throttle.longestNanos.get() > WINDOW_MS * 1_000_000L, "some throttled call outlasted the window ("
                + throttle.longestNanos.get() / 1_000_000 + " ms), else this test shows nothing");
        assertFalse(slow.traceText().contains("(hung)"), "a working call is never declared hung");
        // The header names the extension (its class and code hash differ); every event after it must match.
        List<String> fastLines = List.of(fast.traceText().split("\n"));
        List<String> slowLines = List.of(slow.traceText().split("\n"));
        assertEquals(fastLines.size(), slowLines.size(), "as many events");
        for (int i = 1; i < fastLines.size(); i++) {
            assertEquals(fastLines.get(i), slowLines.get(i), "trace line " + (i + 1));
        }
        List<String> fastVerdicts = new ArrayList<>();
        List<String> slowVerdicts = new ArrayList<>();
        RunEvidence fastEvidence = RunEvidence.of(fast);
        RunEvidence slowEvidence = RunEvidence.of(slow);
        for (Rule rule : RuleCatalogue.rules()) {
            Verdict a = RuleCatalogue.judge(rule.id(), fastEvidence);
            Verdict b = RuleCatalogue.judge(rule.id(), slowEvidence);
            fastVerdicts.add(rule.id() + " " + a.status() + " " + a.message());
            slowVerdicts.add(rule.id() + " " + b.status() + " " + b.message());
        }
        assertEquals(fastVerdicts, slowVerdicts);
    }
}
