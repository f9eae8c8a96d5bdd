package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.upcert.harness.faults.profile.MalformedProfilesTest.execute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.harness.faults.profile.MalformedProfilesTest.Result;
import org.upcert.harness.plan.PlanJson;

/** {@code upcert profiles list | show | validate} through the real command line. */
class ProfilesCommandTest {

    @Test
    @DisplayName("list: one line per standard profile, name and summary")
    void list() {
        Result r = execute("profiles", "list");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(ProfileCatalogue.names().size(), r.out().lines().count());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("flaky-network ") && l.contains("Congested Wi-Fi")), r.out());
    }

    @Test
    @DisplayName("show: workload, system, phases and the expanded plan, one line per fault")
    void show() throws Exception {
        Result r = execute("profiles", "show", "flaky-network", "--seed", "4");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("workload  {\"assets\":250"), r.out());
        assertTrue(r.out().contains("phases    fault phase 3h, then recovery"), r.out());
        for (String line : PlanJson.lines(PlanExpander.expand(ProfileCatalogue.load("flaky-network"), 4).plan().faults())) {
            assertTrue(r.out().contains(line), "plan line " + line);
        }
    }

    @Test
    @DisplayName("show: the system line says the fetch-set lag, the default range, a drawn one, or off")
    void showsTheFetchLag() throws Exception {
        assertTrue(execute("profiles", "show", "flaky-network").out().lines()
                .anyMatch(l -> l.startsWith("system    ") && l.endsWith(" · fetch-set lag 100ms to 5s")), "the default");
        TreeSet<String> shown = new TreeSet<>();
        for (long seed = 1; seed <= 30; seed++) {
            Result r = execute("profiles", "show", "explore:" + seed, "--seed", String.valueOf(seed));
            assertEquals(0, r.exit(), r.toString());
            org.upcert.harness.plan.SystemPolicy policy = PlanExpander.expand(SwarmProfiles.profile(seed), seed).plan().policy();
            String expected = policy.fetchLagOn() ? "fetch-set lag " + Durations.format(policy.fetchLagMinMs()) + " to "
                    + Durations.format(policy.fetchLagMaxMs()) : "fetch-set lag off";
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("system    ") && l.endsWith(" · " + expected)), expected + " in\n" + r.out());
            shown.add(expected);
        }
        assertTrue(shown.contains("fetch-set lag off") && shown.size() >= 3, "drawn plans print different lags: " + shown);
    }

    @Test
    @DisplayName("show --json: one JSON object with the plan; the same seed prints the same bytes")
    void showJson() throws Exception {
        Result a = execute("profiles", "show", "everything", "--seed", "11", "--json");
        Result b = execute("profiles", "show", "everything", "--seed", "11", "--json");
        assertEquals(0, a.exit(), a.toString());
        assertEquals(a.out(), b.out());
        JsonNode node = new ObjectMapper().readTree(a.out());
        assertEquals("everything", node.get("profile").asText());
        assertEquals(11, node.get("seed").asLong());
        assertEquals(PlanExpander.expand(ProfileCatalogue.load("everything"), 11).plan().faults().size(), node.get("faults").size());
        assertEquals(ProfileCatalogue.load("everything").faults().size(), node.get("entries").size());
    }

    @Test
    @DisplayName("show and validate take files as well as names")
    void files(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mine.yaml");
        Files.writeString(file, "description: mine\nworkload: {assets: 5}\nfaults:\n  - kind: library.add\n    at: 1m\n");
        Result show = execute("profiles", "show", file.toString());
        assertEquals(0, show.exit(), show.toString());
        assertTrue(show.out().contains("profile   mine (" + file + ")"), show.out());
        assertTrue(show.out().contains("{\"kind\":\"library.add\",\"from\":60000,\"until\":60000,\"count\":1}"), show.out());
        Result validate = execute("profiles", "validate", file.toString());
        assertEquals(0, validate.exit(), validate.toString());
        assertEquals("", validate.err());
    }

    @Test
    @DisplayName("validate: every standard profile passes")
    void validateCatalogue() {
        Result r = execute(java.util.stream.Stream.concat(java.util.stream.Stream.of("profiles", "validate"),
                ProfileCatalogue.names().stream()).toArray(String[]::new));
        assertEquals(0, r.exit(), r.toString());
        assertEquals(ProfileCatalogue.names().size(), r.out().lines().filter(l -> l.startsWith("ok ")).count());
    }

    @Test
    @DisplayName("profiles without a subcommand, or validate without files, is a usage error")
    void usage() {
        assertEquals(2, execute("profiles").exit());
        assertEquals(2, execute("profiles", "validate").exit());
        assertEquals(2, execute("run", "--profile", "no-such-profile").exit());
    }
}
