package org.upcert.conformance.rules;

import java.util.function.Function;
import java.util.function.Predicate;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/**
 * A safety rule over single events: FAIL at the first event matching {@code violation},
 * NOT_EXERCISED if no event matches {@code exercising}, PASS otherwise.
 */
public record EventRule(String ruleId, String counted, Predicate<TraceEvent> exercising, Predicate<TraceEvent> violation,
        Function<TraceEvent, String> message) implements RuleChecker {

    @Override
    public boolean must() {
        return true;
    }

    @Override
    public Verdict check(RunEvidence evidence) {
        int exercised = 0;
        for (TraceEvent event : evidence.events()) {
            if (exercising.test(event)) {
                exercised++;
            }
            if (violation.test(event)) {
                return Verdict.fail(ruleId, message.apply(event), evidence.excerptEndingAt(event, 5));
            }
        }
        return exercised == 0 ? Verdict.notExercised(ruleId, "no " + counted)
                : Verdict.pass(ruleId, exercised + " " + counted + ", no violation");
    }
}

