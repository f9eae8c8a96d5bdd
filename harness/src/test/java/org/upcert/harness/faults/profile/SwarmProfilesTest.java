package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;

/** The profiles exploration draws: valid by construction, deterministic, and varied. */
class SwarmProfilesTest {
    private static final int SEEDS = 500;

    @Test
    @DisplayName("every drawn profile parses, validates and expands, and stays cheap")
    void everyDrawValidates() throws Exception {
        List<String> problems = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            try {
                Profile profile = SwarmProfiles.profile(seed);
                RunPlan plan = PlanExpander.expand(profile, seed).plan();
                assertTrue(plan.workload().assets() >= SwarmProfiles.MIN_ASSETS && plan.workload().assets() <= SwarmProfiles.MAX_ASSETS,
                        "seed " + seed + ": " + plan.workload().assets() + " assets");
                assertTrue(plan.phases().faultPhaseMs() <= SwarmProfiles.MAX_FAULT_PHASE_MINUTES * 60_000L, "seed " + seed);
                assertFalse(profile.faults().isEmpty(), "seed " + seed + " draws at least one fault kind");
                for (PlannedFault fault : plan.faults()) {
                    if (fault instanceof PlannedFault.Timed t) {
                        assertTrue(t.from() < plan.phases().faultPhaseMs(), "seed " + seed + ": " + fault);
                    }
                }
            } catch (ProfileException e) {
                problems.add("seed " + seed + ": " + e.getMessage() + "\n" + SwarmProfiles.yaml(seed));
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " invalid draws, first: " + (problems.isEmpty() ? "" : problems.get(0)));
    }

    @Test
    @DisplayName("the same seed draws the same profile and plan, byte for byte")
    void deterministic() throws Exception {
        for (long seed : new long[] {1, 17, 4242, -3, Long.MAX_VALUE}) {
            assertEquals(SwarmProfiles.yaml(seed), SwarmProfiles.yaml(seed));
            RunPlan a = PlanExpander.expand(SwarmProfiles.profile(seed), seed).plan();
            RunPlan b = PlanExpander.expand(ProfileCatalogue.resolve("explore:" + seed), seed).plan();
            assertEquals(PlanJson.lines(a.faults()), PlanJson.lines(b.faults()));
            assertEquals(a.workload(), b.workload());
            assertEquals(a.policy(), b.policy());
            assertEquals(a.phases(), b.phases());
        }
    }

    @Test
    @DisplayName("different seeds draw different kinds, and over many seeds every kind, OS level and job limit is drawn")
    void varied() throws Exception {
        assertNotEquals(kinds(1), kinds(2));
        TreeSet<String> seenKinds = new TreeSet<>();
        TreeSet<String> seenOs = new TreeSet<>();
        TreeSet<Integer> seenLimits = new TreeSet<>();
        TreeSet<String> distinct = new TreeSet<>();
        for (long seed = 1; seed <= 200; seed++) {
            Profile profile = SwarmProfiles.profile(seed);
            seenKinds.addAll(kinds(seed));
            seenOs.add(profile.os());
            seenLimits.add(profile.workload().jobLimit());
            distinct.add(kinds(seed).toString());
        }
        assertEquals(new TreeSet<>(FaultKind.names()), seenKinds, "every fault kind is drawn by some seed");
        assertEquals(new TreeSet<>(org.upcert.harness.plan.Workload.OS_LEVELS), seenOs);
        assertTrue(seenLimits.size() >= 5, "job limits drawn: " + seenLimits);
        assertTrue(distinct.size() > 150, "200 seeds draw " + distinct.size() + " distinct sets of kinds");
    }

    @Test
    @DisplayName("drawn plans vary the fetch-set lag: off, the measured 100ms to 5s, short and wide ranges, never past MAX_FETCH_LAG_MS")
    void fetchLagVaries() throws Exception {
        int off = 0;
        int measured = 0;
        int shortLag = 0;
        int wide = 0;
        TreeSet<String> ranges = new TreeSet<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            org.upcert.harness.plan.SystemPolicy policy = PlanExpander.expand(SwarmProfiles.profile(seed), seed).plan().policy();
            long min = policy.fetchLagMinMs();
            long max = policy.fetchLagMaxMs();
            assertTrue(max <= SwarmProfiles.MAX_FETCH_LAG_MS && (max == 0 || min <= max), "seed " + seed + ": " + min + ".." + max);
            assertTrue(SwarmProfiles.yaml(seed).contains("fetchLagMax: " + Durations.format(max)), "seed " + seed + " writes its lag");
            assertEquals(policy.fetchLagOn(), max > 0);
            if (max == 0) {
                off++;
            } else if (min == 100 && max == 5_000) {
                measured++;
            } else if (max <= 1_000) {
                shortLag++;
            } else {
                wide++;
                assertTrue(max >= 5_000, "seed " + seed + ": a wide lag reaches at least the measured 5 s: " + max);
            }
            ranges.add(min + ".." + max);
        }
        for (int count : new int[] {off, measured, shortLag, wide}) {
            assertTrue(count > SEEDS / 8, "each shape drawn about a quarter of the time: off " + off + ", measured " + measured
                    + ", short " + shortLag + ", wide " + wide);
        }
        assertTrue(ranges.contains("0..0") && ranges.size() > 50, ranges.size() + " distinct ranges");
        assertTrue(ranges.stream().anyMatch(r -> r.endsWith(".." + SwarmProfiles.MAX_FETCH_LAG_MS)), "the bound is reached");
    }

    @Test
    @DisplayName("about one seed in SLOW_KILL_ONE_IN draws a kill right after a commit on a slow link, on iOS 26.5 or 27 "
            + "(PatientUploader.IgnoresTheProcessSet failed no run in 700 seeds without it)")
    void killsOnASlowLink() throws Exception {
        int drawn = 0;
        int wholeLibrary = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Profile profile = SwarmProfiles.profile(seed);
            if (!profile.description().contains("kills after a commit on a slow link")) {
                continue;
            }
            drawn++;
            assertTrue(profile.os().equals("26.5") || profile.os().equals("27"), "seed " + seed + ": the PROCESS set exists: " + profile.os());
            FaultSpec slow = profile.faults().get(profile.faults().size() - 2);
            FaultSpec kill = profile.faults().get(profile.faults().size() - 1);
            assertEquals("network.degraded", slow.kind().kind(), "seed " + seed);
            assertTrue(slow.parameters().path("uplinkKbps").asLong() <= 2_000, "seed " + seed + ": " + slow.parameters());
            assertEquals("process.kill-in-changes", kill.kind().kind(), "seed " + seed);
            assertEquals("after", kill.parameters().path("commit").asText(), "seed " + seed);
            if (profile.workload().jobLimit() == 100 && profile.workload().assets() <= 60) {
                wholeLibrary++;
            }
        }
        int expected = SEEDS / SwarmProfiles.SLOW_KILL_ONE_IN;
        assertTrue(drawn > expected / 2 && drawn < expected * 2, drawn + " of " + SEEDS + " seeds, about " + expected + " expected");
        assertTrue(wholeLibrary > drawn / 4, wholeLibrary + " of " + drawn + " with a job limit that holds the library");
    }

    @Test
    @DisplayName("the generator knows every fault kind a profile may name")
    void everyKindHasADraw() {
        assertEquals(new TreeSet<>(FaultKind.names()), new TreeSet<>(SwarmProfiles.KINDS),
                "a new fault kind needs its draw in SwarmProfiles (and KINDS)");
    }

    @Test
    @DisplayName("explore:N with N not a number is bad input that says what is expected")
    void badName() {
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileCatalogue.resolve("explore:abc"));
        assertTrue(e.getMessage().contains("explore:17"), e.getMessage());
    }

    private static TreeSet<String> kinds(long seed) throws ProfileException {
        TreeSet<String> kinds = new TreeSet<>();
        SwarmProfiles.profile(seed).faults().forEach(f -> kinds.add(f.kind().kind()));
        return kinds;
    }

    @Test
    @DisplayName("about one seed in DELETE_WHILE_UPLOADING_ONE_IN draws deletions during the first backup on a slow link, on"
            + " iOS 26.5 or 27 (what makes a correct extension cancel: JOB-04); explore:1..6, which every default certification"
            + " runs, and 17 and 20, which tests name, do not")
    void deletesWhileUploading() throws Exception {
        TreeMap<Long, Profile> drawnWith = drawnWith("deletions while uploading on a slow link");
        for (Map.Entry<Long, Profile> draw : drawnWith.entrySet()) {
            long seed = draw.getKey();
            Profile profile = draw.getValue();
            assertTrue(List.of("26.5", "27").contains(profile.os()), "seed " + seed + " draws a level with the PROCESS set: " + profile.os());
            int at = profile.faults().size() - (profile.description().contains("kills after a commit on a slow link") ? 4 : 2);
            FaultSpec slow = profile.faults().get(at);
            FaultSpec delete = profile.faults().get(at + 1);
            assertEquals("network.degraded", slow.kind().kind(), "seed " + seed);
            assertTrue(slow.parameters().path("uplinkKbps").asLong() <= 3_000, "seed " + seed + ": " + slow.parameters());
            assertEquals("library.delete", delete.kind().kind(), "seed " + seed);
            RunPlan plan = PlanExpander.expand(profile, seed).plan();
            long early = plan.faults().stream().filter(f -> f instanceof PlannedFault.AssetsDeleted d && d.from() >= 60_000
                    && d.from() <= 20 * 60_000).count();
            assertTrue(early >= 2, "seed " + seed + ": deletions in the first 20 minutes: " + early);
        }
        int drawn = drawnWith.size();
        int expected = SEEDS / SwarmProfiles.DELETE_WHILE_UPLOADING_ONE_IN;
        assertTrue(drawn > expected / 2 && drawn < expected * 2, drawn + " of " + SEEDS + " seeds, about " + expected + " expected");
        for (long seed : new long[] {1, 2, 3, 4, 5, 6, 17, 20}) {
            assertFalse(SwarmProfiles.yaml(seed).contains("deletions while uploading"), "explore:" + seed + " stays as it was drawn");
        }
    }

    /** The seeds 1..SEEDS whose drawn profile's description mentions {@code marker}, with their profiles. */
    private static TreeMap<Long, Profile> drawnWith(String marker) throws ProfileException {
        TreeMap<Long, Profile> drawn = new TreeMap<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            Profile profile = SwarmProfiles.profile(seed);
            if (profile.description().contains(marker)) {
                drawn.put(seed, profile);
            }
        }
        return drawn;
    }
}
