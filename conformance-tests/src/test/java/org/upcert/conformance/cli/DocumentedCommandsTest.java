package org.upcert.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code ./upcert} command the README and docs/ show in a code block is one the CLI accepts:
 * its command, options and their arity parse (picocli, the same parser {@code ./upcert} uses), so a
 * renamed or removed option cannot survive in the docs. The ones that need no extension and no
 * file ({@code explain}, {@code profiles list}, {@code profiles show} of a standard profile) are
 * run for real and must exit 0. Every documented command, runs that simulate included, is run
 * through the real {@code ./upcert} launcher by {@code scripts/documented-commands.py}, which CI
 * runs after this build.
 */
class DocumentedCommandsTest {

    /** A documented command: where it is written and its words after {@code ./upcert}. */
    record Documented(String where, List<String> args) {
    }

    static List<Documented> documentedCommands() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("..", "README.md"));
        try (Stream<Path> docs = Files.list(Path.of("..", "docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Documented> found = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            boolean inCode = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    inCode = !inCode;
                    continue;
                }
                if (!inCode || !line.strip().startsWith("./upcert ")) {
                    continue;
                }
                int at = i + 1;
                StringBuilder command = new StringBuilder(withoutComment(line.strip()));
                while (command.toString().endsWith("\\") && i + 1 < lines.size()) {
                    command.setLength(command.length() - 1);
                    command.append(' ').append(withoutComment(lines.get(++i).strip()));
                }
                List<String> words = words(command.toString());
                found.add(new Documented(file.getFileName() + ":" + at, words.subList(1, words.size())));
            }
        }
        return found;
    }

    /** The line without a trailing shell comment (a {@code #} after a space, outside quotes). */
    static String withoutComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted && i > 0 && line.charAt(i - 1) == ' ') {
                return line.substring(0, i).strip();
            }
        }
        return line;
    }

    /** Shell words: split at spaces; single and double quotes group (the docs use no other quoting). */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : command.toCharArray()) {
            if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
                any = true;
            } else if (c == quote) {
                quote = 0;
            } else if (c == ' ' && quote == 0) {
                if (any) {
                    words.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            words.add(word.toString());
        }
        return words;
    }

    @Test
    void everyDocumentedCommandParses() throws IOException {
        List<Documented> commands = documentedCommands();
        assertTrue(commands.size() >= 30, "the docs show many commands: " + commands.size());
        List<String> broken = new ArrayList<>();
        for (Documented documented : commands) {
            try {
                Main.commandLine().parseArgs(documented.args().toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                broken.add(documented.where() + ": ./upcert " + String.join(" ", documented.args()) + " -> " + e.getMessage());
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void theCommandsThatNeedNothingRun() throws IOException {
        int ran = 0;
        for (Documented documented : documentedCommands()) {
            List<String> args = documented.args();
            boolean standalone = args.get(0).equals("explain")
                    || (args.get(0).equals("profiles") && args.size() > 1 && args.get(1).equals("list"))
                    || (args.get(0).equals("profiles") && args.size() > 2 && args.get(1).equals("show")
                            && !args.get(2).contains(".yaml"));
            if (!standalone) {
                continue;
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine command = Main.commandLine();
            command.setOut(new PrintWriter(out));
            command.setErr(new PrintWriter(err));
            int code = command.execute(args.toArray(String[]::new));
            assertEquals(0, code, documented.where() + ": ./upcert " + String.join(" ", args) + "\n" + err);
            assertTrue(!out.toString().isBlank(), documented.where() + " printed nothing");
            ran++;
        }
        assertTrue(ran >= 4, "explain, profiles list and profiles show are among the documented commands: " + ran);
    }

    @Test
    void aRemovedOptionIsCaught() {
        CommandLine.ParameterException e = org.junit.jupiter.api.Assertions.assertThrows(CommandLine.ParameterException.class,
                () -> Main.commandLine().parseArgs("certify", "--no-such-option"));
        assertTrue(e.getMessage().contains("--no-such-option"), e.getMessage());
        assertEquals(List.of("certify", "--extension-cmd", "python3 x.py", "--seed", "3"),
                words("certify --extension-cmd \"python3 x.py\" --seed 3"));
        assertEquals(List.of("timeline", "--mark", "350:ACK-01: 4 jobs"), words("timeline --mark '350:ACK-01: 4 jobs'"));
        assertEquals("./upcert explain JOB-03", withoutComment("./upcert explain JOB-03   # what it checks"));
    }
}
