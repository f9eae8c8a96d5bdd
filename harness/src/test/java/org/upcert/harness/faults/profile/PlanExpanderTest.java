package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;

/** Plan expansion: deterministic, ordered, and faithful to the schedules and both probabilities. */
class PlanExpanderTest {

    private static Profile parse(String faults) throws ProfileException {
        return ProfileParser.parse("test.yaml", "test",
                "description: test\nworkload: {assets: 100}\nphases: {faultPhase: 4h}\nfaults:\n" + faults);
    }

    private static List<PlannedFault> plan(String faults, long seed) throws ProfileException {
        return PlanExpander.expand(parse(faults), seed).plan().faults();
    }

    @Test
    @DisplayName("same profile and seed ⇒ equal plans, and equal printed lines")
    void deterministic() throws ProfileException {
        for (String name : ProfileCatalogue.names()) {
            for (long seed : new long[] {1, 7, 123456789L}) {
                RunPlan a = PlanExpander.expand(ProfileCatalogue.load(name), seed).plan();
                RunPlan b = PlanExpander.expand(ProfileCatalogue.load(name), seed).plan();
                assertEquals(a, b, name + " seed " + seed);
                assertEquals(PlanJson.lines(a.faults()), PlanJson.lines(b.faults()));
            }
        }
    }

    @Test
    @DisplayName("different seeds ⇒ different plans where the profile draws anything")
    void seedsDiffer() throws ProfileException {
        for (String name : List.of("flaky-network", "termination-storm", "hard-kills", "library-churn", "everything")) {
            Profile profile = ProfileCatalogue.load(name);
            assertNotEquals(PlanExpander.expand(profile, 1).plan().faults(), PlanExpander.expand(profile, 2).plan().faults(), name);
        }
        // Nothing random in consent-changes: the seed changes nothing but the seed.
        Profile fixed = ProfileCatalogue.load("consent-changes");
        assertEquals(PlanExpander.expand(fixed, 1).plan().faults(), PlanExpander.expand(fixed, 2).plan().faults());
    }

    @Test
    @DisplayName("timed faults sorted by from then kind, then pinned by activation then call")
    void ordered() throws ProfileException {
        List<PlannedFault> faults = PlanExpander.expand(ProfileCatalogue.load("everything"), 3).plan().faults();
        boolean pinnedSeen = false;
        PlannedFault previous = null;
        for (PlannedFault fault : faults) {
            if (fault instanceof PlannedFault.Pinned p) {
                if (previous instanceof PlannedFault.Pinned q) {
                    assertTrue(q.activation() <= p.activation(), q + " before " + p);
                }
                pinnedSeen = true;
            } else {
                assertFalse(pinnedSeen, "timed faults come first");
                PlannedFault.Timed t = (PlannedFault.Timed) fault;
                if (previous instanceof PlannedFault.Timed u) {
                    assertTrue(u.from() < t.from() || (u.from() == t.from() && u.kind().compareTo(t.kind()) <= 0), u + " before " + t);
                }
            }
            previous = fault;
        }
        assertTrue(pinnedSeen);
    }

    @Test
    @DisplayName("every: occurrences from the window start, one per period; duration and during respected")
    void everySchedule() throws ProfileException {
        List<PlannedFault> faults = plan("""
                  - kind: network.offline
                    every: 30m
                    duration: 5m
                    during: {from: 1h, until: 3h}
                """, 1);
        assertEquals(4, faults.size());
        for (int i = 0; i < 4; i++) {
            PlannedFault.NetworkOffline o = (PlannedFault.NetworkOffline) faults.get(i);
            assertEquals(3_600_000L + i * 1_800_000L, o.from());
            assertEquals(o.from() + 300_000, o.until());
        }
    }

    @Test
    @DisplayName("jitter stays in [0, jitter], in whole seconds")
    void jitter() throws ProfileException {
        for (long seed = 1; seed <= 20; seed++) {
            List<PlannedFault> faults = plan("""
                      - kind: library.add
                        every: 20m
                        jitter: 5m
                    """, seed);
            assertEquals(12, faults.size());
            for (int i = 0; i < faults.size(); i++) {
                long offset = ((PlannedFault.Timed) faults.get(i)).from() - i * 1_200_000L;
                assertTrue(offset >= 0 && offset <= 300_000 && offset % 1_000 == 0, "offset " + offset);
                PlannedFault.AssetsAdded added = (PlannedFault.AssetsAdded) faults.get(i);
                assertEquals(added.from(), added.until(), "instant kinds have until == from");
                assertEquals(1, added.count());
            }
        }
    }

    @Test
    @DisplayName("'at' windows are cut at the end of the fault phase; 'during' alone is one occurrence")
    void atAndDuring() throws ProfileException {
        List<PlannedFault> faults = plan("""
                  - kind: device.low-power
                    at: 3h30m
                    duration: 1h
                  - kind: consent.disabled
                    during: {from: 10m, until: 20m}
                """, 1);
        assertEquals(List.of(new PlannedFault.ExtensionDisabled(600_000, 1_200_000),
                new PlannedFault.LowPower(12_600_000, 14_400_000)), faults);
    }

    @Test
    @DisplayName("activation: decided once per entry and seed; 0 never, 1 always, 0.5 about half the seeds")
    void activationProbability() throws ProfileException {
        Profile profile = parse("""
                  - kind: network.offline
                    every: 30m
                    duration: 5m
                    activation: 0.5
                  - kind: network.offline
                    every: 30m
                    duration: 5m
                    activation: 0
                  - kind: library.token-expiry
                    at: 1h
                """);
        int active = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Expansion expansion = PlanExpander.expand(profile, seed);
            List<Expansion.EntryOutcome> entries = expansion.entries();
            assertFalse(entries.get(1).active());
            assertTrue(entries.get(2).active());
            if (entries.get(0).active()) {
                active++;
                assertEquals(8, entries.get(0).occurrences(), "an active entry keeps all its occurrences");
            } else {
                assertEquals(0, entries.get(0).occurrences());
            }
            assertEquals(entries.stream().mapToInt(Expansion.EntryOutcome::occurrences).sum(), expansion.plan().faults().size());
        }
        assertTrue(active > 160 && active < 240, "about half of 400 seeds, was " + active);
    }

    @Test
    @DisplayName("probability thins occurrences of kinds without a per-operation probability")
    void occurrenceProbability() throws ProfileException {
        int total = 0;
        for (long seed = 1; seed <= 50; seed++) {
            total += plan("""
                      - kind: process.notice
                        activations: {every: 1, from: 1, until: 100}
                        probability: 0.25
                    """, seed).size();
        }
        assertTrue(total > 1_000 && total < 1_500, "about a quarter of 5,000, was " + total);
    }

    @Test
    @DisplayName("probability of per-operation kinds goes into the record; windows are not thinned")
    void perOperationProbability() throws ProfileException {
        List<PlannedFault> faults = plan("""
                  - kind: network.drop
                    every: 1h
                    duration: 30m
                    probability: 0.25
                    afterBytes: {min: 100, max: 200}
                """, 5);
        assertEquals(4, faults.size());
        for (PlannedFault fault : faults) {
            PlannedFault.TransferDrop drop = (PlannedFault.TransferDrop) fault;
            assertEquals(0.25, drop.probability());
            assertTrue(drop.afterBytes() >= 100 && drop.afterBytes() <= 200);
        }
    }

    @Test
    @DisplayName("editing one entry leaves the draws of the others unchanged (a stream per entry)")
    void streamsPerEntry() throws ProfileException {
        String first = """
                  - kind: library.add
                    every: 20m
                    jitter: 10m
                    count: {min: 1, max: 9}
                """;
        List<PlannedFault> alone = plan(first + """
                  - kind: network.offline
                    every: 1h
                    duration: 1m
                """, 9);
        List<PlannedFault> edited = plan(first + """
                  - kind: network.offline
                    every: 30m
                    jitter: 10m
                    duration: 1m
                """, 9);
        assertEquals(adds(alone), adds(edited));
    }

    private static List<PlannedFault> adds(List<PlannedFault> faults) {
        List<PlannedFault> out = new ArrayList<>();
        faults.stream().filter(f -> f instanceof PlannedFault.AssetsAdded).forEach(out::add);
        return out;
    }

    @Test
    @DisplayName("process faults: activation lists and {every, from, until}; atCall ranges drawn per occurrence")
    void processFaults() throws ProfileException {
        List<PlannedFault> faults = plan("""
                  - kind: process.kill-in-changes
                    activations: {every: 10, from: 5, until: 40}
                    atBlock: 2
                    commit: after
                  - kind: process.kill
                    activations: [7, 3]
                    atCall: {min: 4, max: 6}
                """, 1);
        assertEquals(6, faults.size());
        assertEquals(3, ((PlannedFault.Pinned) faults.get(0)).activation());
        assertEquals(new PlannedFault.KillInChanges(5, 2, true), faults.get(1));
        PlannedFault.HardKill kill = (PlannedFault.HardKill) faults.get(2);
        assertEquals(7, kill.activation());
        assertTrue(kill.atCall() >= 4 && kill.atCall() <= 6);
        assertEquals(new PlannedFault.KillInChanges(35, 2, true), faults.get(5));
    }

    @Test
    @DisplayName("parameters reach the records: statuses drawn from lists, Retry-After in seconds, access status constants")
    void parameters() throws ProfileException {
        List<PlannedFault> faults = plan("""
                  - kind: cloud.error
                    every: 1h
                    duration: 5m
                    status: [500, 503]
                    retryAfter: 2m
                  - kind: consent.access
                    at: 30m
                    duration: 1m
                    status: not-determined
                  - kind: network.degraded
                    at: 2h
                    duration: 1m
                  - kind: device.thermal
                    at: 3h
                    duration: 1m
                """, 1);
        for (PlannedFault fault : faults) {
            if (fault instanceof PlannedFault.CloudError e) {
                assertTrue(e.status() == 500 || e.status() == 503);
                assertEquals(120, e.retryAfterSeconds());
                assertEquals(1.0, e.probability());
            }
        }
        assertTrue(faults.contains(new PlannedFault.AccessChanged(1_800_000, 1_860_000, "NOT_DETERMINED")));
        assertTrue(faults.contains(new PlannedFault.NetworkDegraded(7_200_000, 7_260_000, 400, 1_000)), "defaults");
        assertTrue(faults.contains(new PlannedFault.Thermal(10_800_000, 10_860_000, "serious")), "default level");
    }
}
