package org.upcert.conformance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code upcert --help} lists every command with a whole sentence (picocli lists a command by the
 * first line of its header, else of its description: a description broken mid-sentence used to
 * show "until it is quiescent,"), at every level of commands.
 */
class HelpTextTest {

    /** The entries of the "Commands:" section of {@code help}, each joined across its wrapped lines. */
    static List<String> commandEntries(String help) {
        List<String> entries = new ArrayList<>();
        boolean inCommands = false;
        for (String line : help.split("\n")) {
            if (line.startsWith("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.matches("  \\S.*")) {
                entries.add(line.strip());
            } else if (inCommands && line.startsWith("      ") && !entries.isEmpty()) {
                entries.set(entries.size() - 1, entries.get(entries.size() - 1) + " " + line.strip());
            } else if (inCommands && !line.isBlank()) {
                inCommands = false;
            }
        }
        return entries;
    }

    private static void checkLevel(CommandLine command, List<String> checked) {
        Map<String, CommandLine> subcommands = command.getSubcommands();
        if (subcommands.isEmpty()) {
            return;
        }
        List<String> entries = commandEntries(command.getUsageMessage(CommandLine.Help.Ansi.OFF));
        assertEquals(subcommands.size(), entries.size(), command.getCommandName() + ": one entry per command: " + entries);
        for (String entry : entries) {
            String name = entry.split("\\s+", 2)[0];
            assertTrue(entry.endsWith("."), command.getCommandName() + " lists '" + name + "' with a cut sentence: " + entry);
            assertFalse(entry.substring(name.length()).isBlank(), name + " has no description");
            checked.add(command.getCommandName() + " " + name);
        }
        subcommands.forEach((name, sub) -> {
            if (!name.equals("help")) {
                checkLevel(sub, checked);
            }
        });
    }

    @Test
    void everyCommandIsListedWithAWholeSentence() {
        List<String> checked = new ArrayList<>();
        checkLevel(Main.commandLine(), checked);
        assertTrue(checked.contains("upcert run") && checked.contains("upcert certify") && checked.contains("profiles show"),
                "the walk reached the commands of both modules and the profiles subcommands: " + checked);
    }

    @Test
    void aCutDescriptionIsCaught() {
        List<String> entries = commandEntries("Usage: x\nCommands:\n  run   Runs until it is\n          quiescent,\n  trace Prints.\n");
        assertEquals(List.of("run   Runs until it is quiescent,", "trace Prints."), entries);
        assertFalse(entries.get(0).endsWith("."));
    }
}
