package org.upcert.harness.faults.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.upcert.harness.cli.UpcertCommand;
import picocli.CommandLine;

/** The corpus of malformed profiles: each rejected with its own error at its own place, exit code 2. */
class MalformedProfilesTest {
    static final Path CORPUS = Path.of("src", "test", "resources", "profiles", "malformed");
    private static final Pattern EXPECT = Pattern.compile("^# expect: (\\d+):(\\d+): (.+)$");

    static Stream<Path> corpus() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    record Expectation(int line, int column, List<String> fragments) {
    }

    static Expectation expectation(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Matcher m = EXPECT.matcher(lines.get(1));
        assertTrue(m.matches(), file + ": line 2 must be '# expect: LINE:COLUMN: FRAGMENT'");
        return new Expectation(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), List.of(m.group(3).split(" … ")));
    }

    @Test
    @DisplayName("the corpus has at least 25 malformed profiles")
    void corpusSize() throws IOException {
        assertTrue(corpus().count() >= 25, "at least 25 malformed profiles");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @DisplayName("each malformed profile yields its specific error at file:line:column")
    void rejectedWithItsError(Path file) throws IOException {
        Expectation expected = expectation(file);
        ProfileException e = assertThrows(ProfileException.class, () -> ProfileParser.parseFile(file));
        List<ProfileProblem> problems = e.problems();
        boolean found = problems.stream().anyMatch(p -> p.file().equals(file.toString())
                && p.line() == expected.line() && p.column() == expected.column()
                && expected.fragments().stream().allMatch(p.message()::contains));
        assertTrue(found, () -> file + ": expected " + expected + ", got:\n" + e.getMessage());
        assertEquals(problems.stream().sorted(ProfileProblem.SOURCE_ORDER).toList(), problems, "problems in source order");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @DisplayName("upcert profiles validate: exit 2, file:line:column on stderr, no stack trace")
    void validateExitsTwo(Path file) throws IOException {
        Expectation expected = expectation(file);
        Result result = execute("profiles", "validate", file.toString());
        assertEquals(2, result.exit(), result.toString());
        assertTrue(result.err().contains(file + ":" + expected.line() + ":" + expected.column() + ": "), result.toString());
        assertNoStackTrace(result);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @DisplayName("upcert run --profile: exit 2 before any run")
    void runRefusesBadProfile(Path file) {
        Result result = execute("run", "--profile", file.toString(), "--out", "target/should-not-exist");
        assertEquals(2, result.exit(), result.toString());
        assertTrue(result.err().contains("nothing was run"), result.toString());
        assertFalse(result.out().contains("activations"), "no run happened: " + result);
        assertNoStackTrace(result);
    }

    @Test
    @DisplayName("validate prints every problem of every file and fails if any is invalid")
    void validateSeveral() throws IOException {
        List<Path> files = corpus().limit(3).toList();
        Result result = execute("profiles", "validate", "baseline", files.get(0).toString(), files.get(1).toString(),
                files.get(2).toString());
        assertEquals(2, result.exit(), result.toString());
        assertTrue(result.out().contains("ok       baseline"), result.toString());
        for (Path file : files) {
            assertTrue(result.err().contains(file + ":"), result.toString());
        }
    }

    @Test
    @DisplayName("a file that does not exist, or a name that is not a profile, is exit 2 with a did-you-mean")
    void missingFileOrName() {
        Result missing = execute("profiles", "validate", "no/such/profile.yaml");
        assertEquals(2, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("no/such/profile.yaml: no such file"), missing.toString());
        Result unknown = execute("profiles", "show", "flaky-netwrok");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("did you mean 'flaky-network'?"), unknown.toString());
    }

    static void assertNoStackTrace(Result result) {
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result);
        assertFalse(result.err().contains("Exception"), "no exception names: " + result);
    }

    record Result(int exit, String out, String err) {
    }

    static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = UpcertCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
