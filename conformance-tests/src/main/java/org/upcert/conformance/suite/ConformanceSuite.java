package org.upcert.conformance.suite;

import java.util.List;

/** The suite's test classes, one per rule group, in catalogue order. */
public final class ConformanceSuite {
    public static final List<Class<? extends RuleGroupSuite>> GROUP_CLASSES = List.of(JobRulesTest.class, CapRulesTest.class,
            AckRulesTest.class, RtyRulesTest.class, ResRulesTest.class, TrmRulesTest.class, DupRulesTest.class, E2eRulesTest.class,
            CnsRulesTest.class, ChgRulesTest.class, CldRulesTest.class, IsoRulesTest.class);

    private ConformanceSuite() {
    }
}
