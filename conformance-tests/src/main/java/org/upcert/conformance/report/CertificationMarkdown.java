package org.upcert.conformance.report;

import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.verdict.Verdict.Status;

/** {@code CERTIFICATION.md}: the same facts as certification.json, for people and pull requests. */
public final class CertificationMarkdown {
    private CertificationMarkdown() {
    }

    public static String text(Certification c) {
        StringBuilder md = new StringBuilder();
        md.append("# upcert certification: ").append(c.outcome()).append(c.partial() ? " (partial: selected rules only)" : "")
                .append("\n\n");
        if (c.interrupted()) {
            md.append("**Interrupted (Ctrl-C) after ").append(c.finishedRuns()).append(" of ").append(c.runs())
                    .append(" runs had finished.** This is not a certification: the verdicts below judge only the runs that")
                    .append(" finished; the others are SKIPPED. Run `").append(c.config().certifyCommand())
                    .append("` again to certify.\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| extension | ").append(c.config().describeExtension()).append(" |\n");
        md.append("| isolation | ").append(c.config().resolvedIsolation()).append(describeIsolation(c.config().resolvedIsolation()))
                .append(" |\n");
        md.append("| extension SHA-256 | ").append(String.join(", ", c.extensionShas())).append(" |\n");
        md.append("| suite | upcert ").append(Certification.suiteVersion()).append(", rule catalogue v1 |\n");
        md.append("| JDK | ").append(Certification.jdk()).append(" |\n");
        md.append("| runs | ").append(c.runs()).append(" = ").append(c.config().profiles().size()).append(" profiles × ")
                .append(c.config().seeds().size()).append(" seeds, cloud ").append(c.config().cloud()).append(" |\n");
        md.append("| profiles | ").append(String.join(", ", c.config().profiles())).append(" |\n");
        md.append("| seeds | ").append(c.config().seeds().toString().replaceAll("[\\[\\]]", "")).append(" |\n");
        md.append("| reproduce | `").append(c.config().certifyCommand()).append("` |\n");
        md.append("| MUST rules | ").append(c.mustRules(Status.PASS)).append(" PASS, ").append(c.mustRules(Status.FAIL))
                .append(" FAIL, ").append(c.mustRules(Status.NOT_EXERCISED)).append(" NOT_EXERCISED, ")
                .append(c.mustRules(Status.SKIPPED)).append(" SKIPPED |\n\n");
        md.append("CERTIFIED needs every MUST rule PASS: exercised by at least one run and failed by none. ")
                .append("NOT_EXERCISED and SKIPPED are never a pass. SHOULD rules report a figure and never decide.\n\n");

        md.append("## MUST rules\n\n| rule | verdict | runs: pass / fail / not exercised / skipped | note |\n|---|---|---|---|\n");
        for (RuleSummary s : c.summaries()) {
            if (s.rule().must()) {
                md.append(row(s)).append('\n');
            }
        }
        md.append("\n## SHOULD rules (figures)\n\n| rule | figure | runs measured | what it asks |\n|---|---|---|---|\n");
        for (RuleSummary s : c.summaries()) {
            if (!s.rule().must()) {
                md.append("| ").append(s.rule().id()).append(" | ")
                        .append(s.figure() == null ? s.status().name() : s.figure().toString()).append(" | ")
                        .append(s.counts().get(Status.PASS)).append(" | ").append(s.rule().text()).append(" |\n");
            }
        }
        if (!c.failures().isEmpty()) {
            md.append("\n## Failures\n\nEach names the run, the first violating event with the few before it, and one line ")
                    .append("that reproduces it.\n");
            String lastRule = "";
            int shown = 0;
            for (CellVerdict f : c.failures().stream().sorted((a, b) -> a.rule().id().compareTo(b.rule().id())).toList()) {
                if (f.rule().id().equals(lastRule) && ++shown > 3) {
                    continue;
                }
                if (!f.rule().id().equals(lastRule)) {
                    shown = 1;
                    lastRule = f.rule().id();
                }
                md.append("\n### ").append(f.rule().id()).append(" on ").append(f.cell().label()).append("\n\n")
                        .append(f.verdict().message()).append("\n\n```\n");
                for (TraceEvent event : f.verdict().excerpt()) {
                    md.append(event.line()).append(": ").append(event.raw()).append('\n');
                }
                md.append("```\n\nReproduce: `").append(f.reproduce()).append("`");
                if (f.trace() != null) {
                    md.append(" · trace: [").append(f.trace()).append("](").append(f.trace()).append(") (`./upcert trace ")
                            .append(f.trace()).append("`)");
                }
                if (f.timeline() != null) {
                    md.append(" · timeline: [").append(f.timeline()).append("](").append(f.timeline()).append(")");
                }
                md.append('\n');
            }
            md.append("\n(At most three failures are shown per rule; certification.json lists all ")
                    .append(c.failures().size()).append(".)\n");
        }
        if (!c.harnessFaults().isEmpty()) {
            md.append("\n## Harness faults (upcert's own problems, not the extension's)\n\n");
            c.harnessFaults().forEach(f -> md.append("- ").append(f).append('\n'));
        }
        md.append("\n## Runs\n\nEach run's timeline (activations, job counts, faults, network and power): ");
        java.util.List<String> links = new java.util.ArrayList<>();
        for (org.upcert.conformance.suite.Cell cell : c.config().cells()) {
            String page = "timelines/" + cell.fileName() + ".html";
            links.add("[" + cell.label() + "](" + page + ")");
        }
        md.append(String.join(" · ", links)).append('\n');
        md.append("\nReports: `allure-results/` (render with `allure generate`), `junit-xml/` (any CI), `certification.json`.\n");
        return md.toString();
    }

    private static String row(RuleSummary s) {
        String note = switch (s.status()) {
            case FAIL -> s.firstFailure().cell().label() + ": " + s.firstFailure().verdict().message();
            case NOT_EXERCISED -> "no run exercised it; profile " + s.rule().profile() + " does";
            case SKIPPED -> s.firstSkip().verdict().message();
            case PASS -> s.rule().text();
        };
        return "| " + s.rule().id() + " | " + (s.status() == Status.PASS ? "PASS" : "**" + s.status() + "**") + " | "
                + s.counts().get(Status.PASS) + " / " + s.counts().get(Status.FAIL) + " / " + s.counts().get(Status.NOT_EXERCISED)
                + " / " + s.counts().get(Status.SKIPPED) + " | " + note.replace("|", "\\|") + " |";
    }

    private static String describeIsolation(String isolation) {
        return switch (isolation) {
            case "worker" -> " (a JVM process of its own: exits, crashes and hangs are the extension's, sandbox violations reported)";
            case "command" -> " (processes of its own, one per simulated process; exits, crashes and hangs are judged, "
                    + "files and sockets are not watched: ISO-01 judges nothing here, the container does)";
            case "container" -> " (a locally built container: read-only root, no network, memory and process limits)";
            default -> " (the harness's own JVM: not isolated; ISO-01 judges nothing here)";
        };
    }
}
