package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.plan.PayloadMode;
import org.upcert.harness.plan.Phases;
import org.upcert.harness.plan.SystemPolicy;
import org.upcert.harness.plan.Workload;

/** What a valid profile turns into, and how several problems are reported together. */
class ProfileParserTest {

    @Test
    @DisplayName("a minimal profile gets the documented defaults")
    void defaults() throws ProfileException {
        Profile p = ProfileParser.parse("min.yaml", "min", "description: minimal\nworkload:\n  assets: 10\n");
        assertEquals(Workload.typical(10), p.workload());
        assertEquals("26.4", p.os());
        assertEquals(SystemPolicy.defaultsFor("26.4"), p.policy());
        assertEquals(new Phases(2 * 3_600_000L, true, 1_800_000, 12), p.phases());
        assertTrue(p.faults().isEmpty() && p.rules().isEmpty() && p.overrides().isEmpty());
        assertEquals("", p.imitates());
    }

    @Test
    @DisplayName("the measured 26.x quirks are on by default at 26.x levels, off at 27; a profile switches one off explicitly")
    void quirksFollowTheOsLevel() throws ProfileException {
        Profile on264 = ProfileParser.parse("q.yaml", "q", "description: q\nworkload:\n  assets: 10\n  os: \"26.4\"\n");
        assertTrue(on264.policy().nilResourceOnTerminalJobs());
        assertTrue(on264.policy().noticeAfterReturn());
        assertFalse(on264.policy().count204AsFailure(), "reported once, on iOS 27: opt-in");
        Profile on27 = ProfileParser.parse("q.yaml", "q", "description: q\nworkload:\n  assets: 10\n  os: \"27\"\n");
        assertFalse(on27.policy().nilResourceOnTerminalJobs());
        assertFalse(on27.policy().noticeAfterReturn());
        Profile off = ProfileParser.parse("q.yaml", "q", "description: q\nworkload:\n  assets: 10\n  os: \"26.1\"\n"
                + "system:\n  noticeAfterReturn: false\n");
        assertFalse(off.policy().noticeAfterReturn());
        assertTrue(off.policy().nilResourceOnTerminalJobs());
    }

    @Test
    @DisplayName("workload, system overrides by name and phases map onto the plan records")
    void mapping() throws ProfileException {
        Profile p = ProfileParser.parse("full.yaml", "full", """
                description: |
                  Full.
                  Second line.
                imitates: a test
                rules: [RTY-01, E2E-01]
                workload:
                  assets: 200
                  mix: {photo: 90, video: 10}
                  jobLimit: 7
                  os: 27
                system:
                  runtimeLimit: 30s
                  terminationGrace: 1500
                  transferSlots: 2
                  uplinkKbps: 5000
                  payload: full
                  count204AsFailure: true
                  maxSimulated: 2d
                phases:
                  faultPhase: 1h30m
                  newPhotoEvery: 10m
                  newPhotos: 3
                """);
        assertEquals(new Workload(200, 90, 0, 10, 0, 7, "27"), p.workload());
        assertEquals("27", p.os());
        SystemPolicy s = p.policy();
        assertEquals(30_000, s.runtimeLimitMs());
        assertEquals(1_500, s.terminationGraceMs());
        assertEquals(2, s.transferSlots());
        assertEquals(5_000, s.uplinkKbps());
        assertEquals(PayloadMode.FULL, s.payload());
        assertTrue(s.count204AsFailure());
        assertEquals(2 * 86_400_000L, s.maxSimulatedMs());
        assertEquals(SystemPolicy.defaults().penaltyMs(), s.penaltyMs(), "untouched fields keep their defaults");
        assertEquals(List.of("runtimeLimit=30s", "terminationGrace=1500", "transferSlots=2", "uplinkKbps=5000", "payload=full",
                "count204AsFailure=true", "maxSimulated=2d"), p.overrides());
        assertEquals(new Phases(5_400_000, true, 600_000, 3), p.phases());
        assertEquals(List.of("RTY-01", "E2E-01"), p.rules());
        assertEquals("Full.\nSecond line.", p.description());
        assertEquals("Full.", p.summary(), "the first sentence");
    }

    @Test
    @DisplayName("recovery: false turns recovery activity off")
    void noRecovery() throws ProfileException {
        Profile p = ProfileParser.parse("r.yaml", "r", "description: r\nworkload: {assets: 1}\nphases: {faultPhase: 0s, recovery: false}\n");
        assertEquals(new Phases(0, false, 0, 0), p.phases());
    }

    @Test
    @DisplayName("every problem of a file is reported at once, in source order")
    void allProblems() {
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileParser.parse("many.yaml", "many", """
                description: many mistakes
                workload:
                  assets: -1
                  jobLimit: 0
                faults:
                  - kind: network.offline
                    during: {from: 2h, until: 1h}
                  - kind: cloud.eror
                  - kind: library.add
                    at: 10m
                    probability: 7
                unknown: 1
                """));
        List<String> rendered = e.problems().stream().map(ProfileProblem::toString).toList();
        assertEquals(6, rendered.size(), String.join("\n", rendered));
        assertTrue(rendered.get(0).startsWith("many.yaml:3:11: found the whole number -1"), rendered.get(0));
        assertTrue(rendered.get(1).startsWith("many.yaml:4:13: found the whole number 0"), rendered.get(1));
        assertTrue(rendered.get(2).startsWith("many.yaml:7:31: found a window ending at 1h"), rendered.get(2));
        assertTrue(rendered.get(3).startsWith("many.yaml:8:11: found text 'cloud.eror'") && rendered.get(3).endsWith("did you mean 'cloud.error'?"),
                rendered.get(3));
        assertTrue(rendered.get(4).startsWith("many.yaml:11:18: found the whole number 7, expected a probability"), rendered.get(4));
        assertTrue(rendered.get(5).startsWith("many.yaml:12:1: unknown key 'unknown' in the profile"), rendered.get(5));
        assertEquals(String.join("\n", rendered), e.getMessage(), "the message is the problems, one a line");
    }

    @Test
    @DisplayName("YAML booleans, nulls and anchors behave as YAML says; quoted numbers are text")
    void yamlTypes() {
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileParser.parse("t.yaml", "t", """
                description: types
                workload:
                  assets: "100"
                  jobLimit:
                """));
        assertEquals("t.yaml:3:11: found text '100', expected a number of assets from 0 to 100000", e.problems().get(0).toString());
        assertEquals("t.yaml:4:12: found an empty value, expected a job limit from 1 to 10000", e.problems().get(1).toString());
    }

    @Test
    @DisplayName("an empty string in quotes is text; YAML aliases are refused, not silently read as their name")
    void quotesAndAliases() {
        ProfileException quoted = assertThrows(ProfileException.class, () -> ProfileParser.parse("q.yaml", "q",
                "description: ''\nworkload: {assets: 5}\n"));
        assertEquals("q.yaml:1:14: found text '', expected a text of at least 1 character(s)", quoted.getMessage());
        ProfileException alias = assertThrows(ProfileException.class, () -> ProfileParser.parse("a.yaml", "a", """
                description: aliases
                workload: {assets: 5}
                faults:
                  - kind: &k library.add
                    at: 1m
                  - kind: *k
                    at: 2m
                """));
        assertEquals("a.yaml:6:11: found an alias (*k), expected a value written out: profiles do not use YAML anchors and aliases",
                alias.getMessage());
    }

    @Test
    @DisplayName("every JSON Schema keyword is validated (the library's), and one without a phrasing of its own is still reported in place")
    void everyKeywordIsValidated() throws Exception {
        var schema = new ObjectMapper().readTree("{\"type\": \"object\", \"properties\": {\"a\": {\"title\": \"distinct names\", "
                + "\"type\": \"array\", \"uniqueItems\": true}}}");
        List<ProfileProblem> problems = new SchemaValidator(schema).validate(LocatedYaml.read("u.yaml", "a: [x, y, x]\n"));
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("u.yaml:1:4: found a list, expected distinct names", problems.get(0).toString());
        assertEquals(List.of(), new SchemaValidator(schema).validate(LocatedYaml.read("u.yaml", "a: [x, y]\n")));
    }

    @Test
    @DisplayName("did-you-mean suggests only close words")
    void didYouMean() {
        List<String> keys = List.of("description", "imitates", "rules", "workload", "system", "phases", "faults");
        assertEquals("faults", DidYouMean.suggest("fautls", keys).orElseThrow());
        assertEquals("workload", DidYouMean.suggest("Workload", keys).orElseThrow());
        assertTrue(DidYouMean.suggest("zebra", keys).isEmpty());
        assertEquals(3, DidYouMean.distance("kitten", "sitting"));
    }
}
