package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.harness.plan.RunPlan;

/** docs/profiles.md stays true: its example validates, and it documents every fault kind. */
class ProfileDocsTest {
    private static final Path DOC = Path.of("..", "docs", "profiles.md");

    @Test
    @DisplayName("the annotated example profile in docs/profiles.md is valid and expands")
    void exampleValidates() throws Exception {
        assumeTrue(Files.isRegularFile(DOC), "runs in the source tree");
        String doc = Files.readString(DOC);
        Matcher m = Pattern.compile("<!-- example-profile[^>]*-->\\s*```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertTrue(m.find(), "the example block is marked");
        Profile profile = ProfileParser.parse("docs/profiles.md example", "example", m.group(1));
        assertEquals(28, m.group(1).lines().count(), "the line-by-line table counts 28 lines");
        RunPlan plan = PlanExpander.expand(profile, 1).plan();
        assertTrue(plan.faults().size() > 0);
    }

    @Test
    @DisplayName("docs/profiles.md has a row for every fault kind")
    void everyKindDocumented() throws Exception {
        assumeTrue(Files.isRegularFile(DOC), "runs in the source tree");
        String doc = Files.readString(DOC);
        TreeSet<String> missing = new TreeSet<>();
        for (String kind : FaultKind.names()) {
            if (!doc.contains("| `" + kind + "` |")) {
                missing.add(kind);
            }
        }
        assertTrue(missing.isEmpty(), "undocumented kinds: " + missing);
    }
}
