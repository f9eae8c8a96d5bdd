package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
 * No verdict depends on wall time. The sample runs twice under a real-time window of 150 ms (the
 * default is 10 s): once at full speed, once "on a throttled CPU" — every 10th API call it makes
 * is delayed by 5 ms of real time, so each call takes far longer than the window. Under a
 * window measured from the start of the call, the throttled calls would be killed as hung; the
 * window restarts at each API call, so the traces are identical and so is every verdict.
 */
class NoWallClockVerdictsTest {

    /** The sample, with every API call through a context that wastes real time first. */
    public static final class ThrottledSample implements UploadExtension {
        private final SampleUploadExtension sample = new SampleUploadExtension();
        private final AtomicLong calls = new AtomicLong();

        @Override
        public ProcessingResult processJobs(ExtensionContext context) {
            return sample.processJobs(slow(ExtensionContext.class, context));
        }

        @Override
        public void willTerminate() {
            sample.willTerminate();
        }

        @SuppressWarnings("unchecked")
        private <T> T slow(Class<T> type, T target) {
            InvocationHandler handler = (proxy, method, args) -> {
                if (calls.incrementAndGet() % 10 == 0) {
                    Thread.sleep(5); // a throttled CPU, in real time only
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

    private static RunResult run(String profile, UploadExtension extension, Class<? extends UploadExtension> type)
            throws Exception {
        RunPlan plan = PlanExpander.expand(ProfileCatalogue.load(profile), 1).plan();
        plan = plan.withPolicy(plan.policy().withCallWallTimeoutMs(150));
        return Simulation.run(plan, ExtensionSource.type(type, () -> type == ThrottledSample.class ? new ThrottledSample()
                : new SampleUploadExtension()), RunOptions.inMemory().withTransport("direct"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"termination-storm", "hard-kills"})
    void aThrottledRunGivesTheSameTraceAndVerdicts(String profile) throws Exception {
        RunResult fast = run(profile, null, SampleUploadExtension.class);
        RunResult slow = run(profile, null, ThrottledSample.class);
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
