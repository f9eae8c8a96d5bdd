package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.upcert.harness.plan.PlanJson;
import org.upcert.harness.plan.PlannedFault;
import org.upcert.harness.plan.RunPlan;
import org.upcert.harness.plan.SystemPolicy;

/** The standard catalogue: every profile valid, documented, expandable; schema, kinds and plan records agree. */
class StandardProfilesTest {
    private static final List<String> REQUIRED = List.of("baseline", "flaky-network", "offline-windows", "lost-responses",
            "termination-storm", "hard-kills", "low-power", "expensive-network", "cloud-errors", "expired-urls",
            "library-churn", "consent-changes", "tiny-job-limit", "device-quirks-26x", "everything");

    static Stream<String> names() {
        return ProfileCatalogue.names().stream();
    }

    @Test
    @DisplayName("the catalogue holds every profile issue 3 asks for")
    void catalogueComplete() {
        assertTrue(ProfileCatalogue.names().containsAll(REQUIRED), ProfileCatalogue.names().toString());
        assertEquals(new TreeSet<>(ProfileCatalogue.names()).size(), ProfileCatalogue.names().size(), "no name twice");
    }

    @Test
    @DisplayName("catalogue.txt lists every .yaml in fault-profiles and nothing else")
    void indexMatchesFiles() throws IOException {
        Path dir = Path.of("..", "fault-profiles", "src", "main", "resources", "upcert", "profiles");
        assumeTrue(Files.isDirectory(dir), "runs in the source tree");
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .forEach(n -> files.add(n.substring(0, n.length() - 5)));
        }
        assertEquals(files, new TreeSet<>(ProfileCatalogue.names()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    @DisplayName("each standard profile validates, is documented, and expands for several seeds")
    void validatesAndExpands(String name) throws ProfileException {
        Profile profile = ProfileCatalogue.load(name);
        assertEquals(name, profile.name());
        assertFalse(profile.description().isBlank());
        assertFalse(profile.imitates().isBlank(), name + ": says what it imitates");
        assertFalse(profile.rules().isEmpty(), name + ": names the rules it exercises");
        String text = ProfileCatalogue.text(name).orElseThrow();
        assertTrue(text.startsWith("# " + name + ":"), name + ": the file starts with a comment naming it");
        assertTrue(text.contains("# Imitates:") && text.contains("# Exercises:"), name + ": documented in comments");
        for (String id : profile.rules()) {
            assertTrue(text.contains(id) || text.contains(id.substring(0, 4)), name + ": comments mention " + id);
        }
        int assets = profile.workload().assets();
        // memory-and-cpu is about a big library: its size and bytes are what memory and the CPU cost measure.
        int most = name.equals("memory-and-cpu") ? 1_500 : 400;
        assertTrue(assets >= 100 && assets <= most, name + ": a modest library, was " + assets);
        assertTrue(profile.phases().faultPhaseMs() <= 6 * 3_600_000L, name + ": a fault phase of a few hours");
        assertTrue(profile.phases().recovery(), name + ": liveness is judged after a recovery phase");
        for (long seed = 1; seed <= 5; seed++) {
            RunPlan plan = PlanExpander.expand(profile, seed).plan();
            assertEquals(name, plan.profile());
            assertEquals(seed, plan.seed());
            assertEquals(plan.faults().size(), PlanJson.lines(plan.faults()).size());
            for (PlannedFault fault : plan.faults()) {
                if (fault instanceof PlannedFault.Timed t) {
                    assertTrue(t.until() <= profile.phases().faultPhaseMs(), name + ": inside the fault phase: " + fault);
                } else {
                    assertTrue(((PlannedFault.Pinned) fault).activation() <= ProfileParser.MAX_ACTIVATION);
                }
            }
        }
    }

    @Test
    @DisplayName("profiles with faults put some in the plan; baseline has none")
    void faultsPresent() throws ProfileException {
        assertTrue(PlanExpander.expand(ProfileCatalogue.load("baseline"), 1).plan().faults().isEmpty());
        for (String name : ProfileCatalogue.names()) {
            if (!name.equals("baseline")) {
                assertFalse(PlanExpander.expand(ProfileCatalogue.load(name), 1).plan().faults().isEmpty(), name);
            }
        }
    }

    @Test
    @DisplayName("'everything' names every fault kind, and across seeds every kind reaches a plan")
    void everythingCoversEveryKind() throws ProfileException {
        Profile everything = ProfileCatalogue.load("everything");
        TreeSet<String> named = new TreeSet<>();
        everything.faults().forEach(f -> named.add(f.kind().kind()));
        assertEquals(new TreeSet<>(FaultKind.names()), named);
        TreeSet<String> planned = new TreeSet<>();
        for (long seed = 1; seed <= 40; seed++) {
            PlanExpander.expand(everything, seed).plan().faults().forEach(f -> planned.add(f.kind()));
        }
        assertEquals(named, planned);
    }

    @Test
    @DisplayName("specific standard profiles set what they promise")
    void promises() throws ProfileException {
        assertTrue(ProfileCatalogue.load("expensive-network").policy().preventsExpensiveNetworkAccess());
        SystemPolicy quirks = ProfileCatalogue.load("device-quirks-26x").policy();
        assertTrue(quirks.nilResourceOnTerminalJobs() && quirks.noticeAfterReturn() && quirks.count204AsFailure());
        int limit = ProfileCatalogue.load("tiny-job-limit").workload().jobLimit();
        assertTrue(limit >= 3 && limit <= 5, "jobLimit 3..5, was " + limit);
        List<PlannedFault> cloud = PlanExpander.expand(ProfileCatalogue.load("cloud-errors"), 1).plan().faults();
        TreeSet<Integer> statuses = new TreeSet<>();
        boolean retryAfter = false;
        for (PlannedFault f : cloud) {
            if (f instanceof PlannedFault.CloudError e) {
                statuses.add(e.status());
                retryAfter |= e.status() == 429 && e.retryAfterSeconds() > 0;
            }
        }
        assertTrue(statuses.contains(401) && statuses.contains(429) && statuses.stream().anyMatch(s -> s >= 500), statuses.toString());
        assertTrue(retryAfter, "429 with Retry-After");
        assertTrue(PlanExpander.expand(ProfileCatalogue.load("expired-urls"), 1).plan().faults().stream()
                .anyMatch(f -> f instanceof PlannedFault.CloudError e && e.status() == 403));
    }

    @Test
    @DisplayName("the schema's kinds, FaultKind and PlannedFault's records are the same set")
    void kindsAgree() throws ProfileException {
        JsonNode schemaKinds = SchemaValidator.profileSchema().schema().at("/$defs/fault/properties/kind/enum");
        List<String> fromSchema = new ArrayList<>();
        schemaKinds.forEach(k -> fromSchema.add(k.asText()));
        assertEquals(FaultKind.names(), fromSchema);
        // One entry of every kind, expanded: the records made must be all of PlannedFault's records.
        StringBuilder yaml = new StringBuilder("description: one of each\nworkload: {assets: 100}\nfaults:\n");
        for (FaultKind kind : FaultKind.values()) {
            yaml.append("  - kind: ").append(kind.kind()).append('\n');
            switch (kind.shape()) {
                case PINNED -> yaml.append("    activations: [1]\n");
                case WINDOW -> yaml.append("    at: 1m\n    duration: 1m\n");
                case INSTANT -> yaml.append("    at: 1m\n");
            }
            if (kind == FaultKind.CLOUD_ERROR) {
                yaml.append("    status: 503\n");
            }
            if (kind == FaultKind.CLOUD_SLOW) {
                yaml.append("    delay: 5s\n");
            }
            if (kind == FaultKind.DEVICE_BATTERY) {
                yaml.append("    percent: 20\n");
            }
            if (kind == FaultKind.MEMORY_PRESSURE) {
                yaml.append("    pressureMiB: 8\n");
            }
        }
        Profile profile = ProfileParser.parse("one-of-each.yaml", "one-of-each", yaml.toString());
        TreeSet<String> made = new TreeSet<>();
        TreeSet<String> kinds = new TreeSet<>();
        for (PlannedFault fault : PlanExpander.expand(profile, 1).plan().faults()) {
            made.add(fault.getClass().getName());
            kinds.add(fault.kind());
        }
        TreeSet<String> records = new TreeSet<>();
        for (Class<?> shape : PlannedFault.class.getPermittedSubclasses()) {
            for (Class<?> record : shape.getPermittedSubclasses()) {
                records.add(record.getName());
            }
        }
        assertEquals(records, made, "every PlannedFault record is reachable from a profile");
        assertEquals(new TreeSet<>(FaultKind.names()), kinds, "FaultKind spells each record's kind()");
    }

    @Test
    @DisplayName("the schema's system keys are SystemPolicy's fields (the Ms suffix dropped), except the wall-clock timeout")
    void systemKeysAgree() {
        List<String> fromSchema = new ArrayList<>();
        SchemaValidator.profileSchema().schema().at("/properties/system/properties").fieldNames().forEachRemaining(fromSchema::add);
        List<String> fromPolicy = new ArrayList<>();
        for (RecordComponent component : SystemPolicy.class.getRecordComponents()) {
            String name = component.getName();
            if (!name.equals("callWallTimeoutMs")) {
                fromPolicy.add(name.endsWith("Ms") ? name.substring(0, name.length() - 2) : name);
            }
        }
        assertEquals(fromPolicy, fromSchema);
    }

    @Test
    @DisplayName("RuleIds lists exactly the ids of design/RULES.md")
    void ruleIdsMatchCatalogue() throws IOException {
        Path rules = Path.of("..", "..", "shared", "design", "RULES.md");
        assumeTrue(Files.isRegularFile(rules), "shared/ beside the repository");
        List<String> ids = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^- ([A-Z][A-Z0-9]{2}-[0-9]{2}[a-z]?) ").matcher(Files.readString(rules));
        while (m.find()) {
            ids.add(m.group(1));
        }
        assertEquals(ids, RuleIds.ALL);
    }
}
