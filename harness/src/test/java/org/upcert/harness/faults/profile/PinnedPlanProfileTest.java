package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;

/** A profile with {@code plan:} (as upcert shrink writes it) expands into exactly that plan, for any seed. */
class PinnedPlanProfileTest {
    private static final String HEAD = "description: pinned\nworkload:\n  assets: 20\nphases:\n  faultPhase: 1h\n";

    @Test
    @DisplayName("the pinned faults are the plan, in their order")
    void pinned() throws Exception {
        Profile profile = ProfileParser.parse("p.yaml", "p", HEAD + "plan:\n  faults:\n"
                + "  - {kind: network.drop, from: 0, until: 60000, probability: 0.5, afterBytes: 100}\n"
                + "  - {kind: process.kill, activation: 3, atCall: 2}\n");
        RunPlan plan = PlanExpander.expand(profile, 7).plan();
        assertEquals(List.of(new PlannedFault.TransferDrop(0, 60_000, 0.5, 100), new PlannedFault.HardKill(3, 2)), plan.faults());
        assertEquals(7, plan.seed());
    }

    @Test
    @DisplayName("faults and plan together, an unknown kind, a fault after the fault phase: located errors")
    void errors() {
        ProfileException both = assertThrows(ProfileException.class, () -> ProfileParser.parse("p.yaml", "p", HEAD
                + "faults:\n  - {kind: network.offline, at: 1m, duration: 1m}\nplan:\n  faults: []\n"));
        assertTrue(both.getMessage().contains("found both 'faults' and 'plan'"), both.getMessage());
        ProfileException unknown = assertThrows(ProfileException.class, () -> ProfileParser.parse("p.yaml", "p", HEAD
                + "plan:\n  faults:\n  - {kind: network.gremlins, from: 0, until: 1}\n"));
        assertTrue(unknown.getMessage().contains("p.yaml:8:") && unknown.getMessage().contains("network.gremlins"),
                unknown.getMessage());
        ProfileException late = assertThrows(ProfileException.class, () -> ProfileParser.parse("p.yaml", "p", HEAD
                + "plan:\n  faults:\n  - {kind: network.offline, from: 7200000, until: 7300000}\n"));
        assertTrue(late.getMessage().contains("inside the fault phase"), late.getMessage());
    }
}
