package org.upcert.harness.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.upcert.harness.faults.profile.PlanExpander;
import org.upcert.harness.faults.profile.ProfileCatalogue;

/** A run below the extension's deployment target is raised to it: the level moves, the profile's faults and choices stay. */
class DeploymentTargetTest {

    @Test
    void aProfileBelowTheTargetRunsAtTheTargetWithItsFaultsUnchanged() throws Exception {
        RunPlan quirks = PlanExpander.expand(ProfileCatalogue.resolve("device-quirks-26x"), 1).plan();
        assertEquals("26.1", quirks.workload().os());
        RunPlan raised = quirks.raisedTo("26.4");
        assertEquals("26.4", raised.workload().os());
        assertEquals(quirks.faults(), raised.faults());
        assertEquals(quirks.phases(), raised.phases());
        assertEquals(quirks.policy(), raised.policy(), "26.1 and 26.4 share the 26.x defaults: nothing else moves");
        assertEquals(quirks.workload().withOs("26.4"), raised.workload(), "the library is the same library");
    }

    @Test
    void raisedTo27TheLevelsDefaultsFollowAndWhatTheProfileSetStays() throws Exception {
        RunPlan quirks = PlanExpander.expand(ProfileCatalogue.resolve("device-quirks-26x"), 1).plan();
        assertTrue(quirks.policy().nilResourceOnTerminalJobs() && quirks.policy().noticeAfterReturn()
                && quirks.policy().count204AsFailure());
        RunPlan raised = quirks.raisedTo("27");
        assertEquals("27", raised.workload().os());
        // nil resource and notices after return are 26.x defaults: they follow the level (off at 27);
        // 204-as-failure is off in every level's defaults, so the profile set it on purpose: it stays
        assertFalse(raised.policy().nilResourceOnTerminalJobs());
        assertFalse(raised.policy().noticeAfterReturn());
        assertTrue(raised.policy().count204AsFailure());
        assertEquals(quirks.policy().uplinkKbps(), raised.policy().uplinkKbps());
    }

    @Test
    void aPlanAtOrAboveTheTargetOrWithoutOneIsUntouched() throws Exception {
        RunPlan baseline = PlanExpander.expand(ProfileCatalogue.resolve("baseline"), 1).plan();
        assertSame(baseline, baseline.raisedTo(null));
        assertSame(baseline, baseline.raisedTo("26.1"));
        assertSame(baseline, baseline.raisedTo(baseline.workload().os()));
    }
}
