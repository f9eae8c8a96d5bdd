package org.upcert.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.cli.InitCommand;
import org.upcert.conformance.cli.Main;

/** {@code upcert init}: what it writes, and that it never writes into a folder that holds something. */
class InitCommandTest {

    private static int init(StringWriter output, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "init";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.commandLine().setOut(new PrintWriter(output)).setErr(new PrintWriter(output)).execute(all);
    }

    @Test
    @DisplayName("a new folder gets a pom with the plugin and the API, a stub extension and its service entry, a README and a CI workflow")
    void scaffolds(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("My Photos Extension");
        StringWriter out = new StringWriter();
        assertEquals(0, init(out, dir.toString(), "--group-id", "org.acme"), out::toString);
        String pom = Files.readString(dir.resolve("pom.xml"));
        assertTrue(pom.contains("<artifactId>my-photos-extension</artifactId>"), pom);
        assertTrue(pom.contains("<artifactId>upcert-maven-plugin</artifactId>") && pom.contains("<goal>certify</goal>"), pom);
        assertTrue(pom.contains("<artifactId>extension-api</artifactId>") && pom.contains("<maven.compiler.release>17</maven.compiler.release>"));
        assertFalse(pom.contains("@"), "every template value filled: " + pom.lines().filter(l -> l.contains("@")).toList());
        Path source = dir.resolve("src/main/java/org/acme/upload/PhotoUploadExtension.java");
        String java = Files.readString(source);
        assertTrue(java.startsWith("package org.acme.upload;") && java.contains("public class PhotoUploadExtension implements UploadExtension"));
        for (String call : List.of("fetchJobs(JobAction.ACKNOWLEDGE)", "fetchJobs(JobAction.RETRY)", "performChanges(", "changes.retry(",
                "createJob(", "fetchPersistentChanges(", "currentChangeToken()", "jobLimit()", "fetchAssets()", "storage()", "http()",
                "configuration()", "willTerminate()", "authorizationStatus()", "isUploadJobExtensionEnabled()")) {
            assertTrue(java.contains(call), "the stub mentions " + call);
        }
        assertEquals("org.acme.upload.PhotoUploadExtension\n",
                Files.readString(dir.resolve("src/main/resources/META-INF/services/org.upcert.api.UploadExtension")));
        assertTrue(Files.readString(dir.resolve(".github/workflows/upcert.yml")).contains("mvn -B -ntp verify"));
        assertTrue(Files.readString(dir.resolve("README.md")).contains("mvn verify"));
        assertTrue(out.toString().contains("next: cd "), out.toString());
    }

    @Test
    @DisplayName("a folder that is not empty, or a file, is refused with exit 2 and nothing is written")
    void refusesWhatIsThere(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "mine");
        StringWriter out = new StringWriter();
        assertEquals(2, init(out, tmp.toString()));
        assertTrue(out.toString().contains("is not empty (notes.txt): init writes only into a new or empty folder"), out.toString());
        assertTrue(out.toString().contains("nothing was written"), out.toString());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(tmp.resolve("notes.txt")), files.toList());
        }
        StringWriter file = new StringWriter();
        assertEquals(2, init(file, tmp.resolve("notes.txt").toString()));
        assertTrue(file.toString().contains("is a file, not a folder"), file.toString());
        StringWriter badClass = new StringWriter();
        assertEquals(2, init(badClass, tmp.resolve("new").toString(), "--class", "UploadExtension"));
        assertFalse(Files.exists(tmp.resolve("new")));
    }

    @Test
    @DisplayName("docs/author-build.md shows, word for word, the pom init writes (AuthorProjectIT builds that pom)")
    void theDocsPomIsInits() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "author-build.md"));
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("<!-- tested: plugin-pom -->\\n```xml\\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        assertTrue(block.find(), "the plugin pom block in docs/author-build.md");
        assertEquals(InitCommand.pom("com.example", "my-extension"), block.group(1));
    }

    @Test
    @DisplayName("an empty folder is fine")
    void emptyFolder(@TempDir Path tmp) {
        StringWriter out = new StringWriter();
        assertEquals(0, init(out, tmp.toString()), out::toString);
        assertTrue(Files.isRegularFile(tmp.resolve("pom.xml")));
    }
}
