package org.upcert.conformance.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.upcert.conformance.rules.Applicability;
import org.upcert.conformance.rules.Explanations;
import org.upcert.conformance.rules.Rule;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.conformance.rules.Thresholds;
import org.upcert.harness.cli.ExitCode;
import org.upcert.harness.faults.profile.ProfileCatalogue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code upcert explain RULE-ID}: what a rule checks, its source, and the mistakes that break it. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        header = "Explains a conformance rule; without an id, lists every rule.",
        description = {"Explain a conformance rule: what it checks, what exercises it, its source in Apple's documentation or",
                "device measurements, and the usual mistakes that break it. Without an id, list every rule."})
public final class ExplainCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RULE-ID", arity = "0..1", description = "A rule id such as RTY-01.")
    String id;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (id == null) {
            for (Rule rule : RuleCatalogue.rules()) {
                out.printf(java.util.Locale.ROOT, "%-7s %-6s %s%n", rule.id(), rule.severity(), rule.text());
            }
            out.flush();
            return ExitCode.OK.code();
        }
        Optional<Rule> found = RuleCatalogue.rule(id.trim());
        if (found.isEmpty()) {
            String wanted = id.trim().toUpperCase(Locale.ROOT);
            List<String> near = RuleCatalogue.ids().stream().filter(r -> wanted.length() >= 3 && r.startsWith(wanted.substring(0, 3)))
                    .toList();
            err.println("upcert explain: no rule '" + id + "'" + (near.isEmpty() ? "; rules: " + String.join(", ", RuleCatalogue.ids())
                    : "; did you mean " + String.join(", ", near) + "?"));
            return ExitCode.USAGE.code();
        }
        Rule rule = found.get();
        Explanations.Explanation e = Explanations.of(rule.id()).orElse(new Explanations.Explanation(rule.id(), "", "", "", List.of()));
        out.println(rule.id() + " · " + rule.severity() + " · " + group(rule.group()) + " · source [" + rule.source() + "]");
        out.println();
        out.println("  " + rule.text());
        out.println();
        section(out, "What upcert checks", e.checks());
        section(out, "Exercised by", e.exercised() + " First exercised by the standard profile " + rule.profile()
                + listing(rule.id()) + ".");
        Applicability.trigger(rule.id()).ifPresent(t -> section(out, "Applicability", t.describe()
                + ". NOT_APPLICABLE never blocks certification."));
        Applicability.outOfReach(rule.id()).ifPresent(o -> section(out, "Applicability", o.describe()
                + ". NOT_APPLICABLE never blocks certification."));
        Thresholds.of(rule.id()).ifPresent(t -> section(out, "Threshold", "WARN when the figure is "
                + t.describe() + ": " + t.why()
                + ". A WARN is listed beside the failures and never decides certification."));
        section(out, "Source", e.source() + " (" + sourceKind(rule.source()) + ")");
        if (!e.mistakes().isEmpty()) {
            out.println("Usual mistakes");
            e.mistakes().forEach(m -> out.println("  - " + m));
            out.println();
        }
        out.println(rule.must() ? "A FAIL of this MUST rule means NOT_CERTIFIED. See it judged:"
                : "A SHOULD rule: its figure is reported and never decides certification. See it measured:");
        out.println("  ./upcert certify --profiles " + rule.profile() + " --seeds 3 --rules " + rule.id());
        out.flush();
        return ExitCode.OK.code();
    }

    private static String listing(String ruleId) {
        List<String> names = new ArrayList<>();
        for (String name : ProfileCatalogue.names()) {
            try {
                if (ProfileCatalogue.load(name).rules().contains(ruleId)) {
                    names.add(name);
                }
            } catch (Exception ignored) {
                // a standard profile always loads (StandardProfilesTest); nothing to list otherwise
            }
        }
        return names.isEmpty() ? "" : "; profiles that list it: " + String.join(", ", names);
    }

    private static void section(PrintWriter out, String title, String text) {
        out.println(title);
        out.println(wrap(text, 96, "  "));
        out.println();
    }

    private static String wrap(String text, int width, String indent) {
        StringBuilder out = new StringBuilder(indent);
        int column = indent.length();
        for (String word : text.split("\\s+")) {
            if (column + word.length() + 1 > width && column > indent.length()) {
                out.append('\n').append(indent);
                column = indent.length();
            } else if (column > indent.length()) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        return out.toString();
    }

    private static String group(String group) {
        return switch (group) {
            case "JOB" -> "job changes";
            case "CAP" -> "capacity";
            case "ACK" -> "acknowledgement";
            case "RTY" -> "retries";
            case "RES" -> "processing results";
            case "TRM" -> "termination";
            case "DUP" -> "duplicates";
            case "E2E" -> "end to end";
            case "CNS" -> "consent";
            case "CHG" -> "library changes";
            case "CLD" -> "cloud protocol";
            case "ISO" -> "isolation";
            default -> group;
        };
    }

    private static String sourceKind(String source) {
        return switch (source) {
            case "doc" -> "doc: Apple's documentation";
            case "dev" -> "dev: measured on devices by third parties";
            default -> "eng: an engineering expectation upcert states";
        };
    }
}
