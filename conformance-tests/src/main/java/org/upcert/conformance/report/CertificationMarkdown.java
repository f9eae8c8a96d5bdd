package org.upcert.conformance.report;

import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.Thresholds;
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
                .append(c.config().protocolShapeOnly().isPresent() ? " (protocol shape only)" : "")
                .append("\n\n");
        c.config().protocolShapeOnly().ifPresent(why -> md.append("**Protocol shape only:** ")
                .append(why.replaceFirst("^protocol shape only: ", "")).append(".\n\n"));
        if (c.interrupted()) {
            md.append("**Interrupted (Ctrl-C) after ").append(c.finishedRuns()).append(" of ").append(c.runs())
                    .append(" runs had finished.** This is not a certification: the verdicts below judge only the runs that")
                    .append(" finished; the others are SKIPPED. Run `").append(c.config().certifyCommand())
                    .append("` again to certify.\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| extension | ").append(MarkdownText.inline(c.config().describeExtension())).append(" |\n");
        md.append("| isolation | ").append(c.config().resolvedIsolation()).append(describeIsolation(c.config().resolvedIsolation()))
                .append(" |\n");
        md.append("| declared scope | ").append(c.config().declaredScope().describe()).append(" |\n");
        md.append("| extension SHA-256 | ").append(String.join(", ", c.extensionShas())).append(" |\n");
        md.append("| assumptions | ").append(c.config().assumptions().isEmpty()
                ? "none: the extension saw what PhotoKit documents (sanitized error code, lowercased response headers; no HTTP status)"
                : String.join(", ", c.config().assumptions()) + describeAssumptions(c.config().assumptions())).append(" |\n");
        md.append("| suite | upcert ").append(Certification.suiteVersion()).append(", rule catalogue v1 |\n");
        md.append("| JDK | ").append(Certification.jdk()).append(" |\n");
        int pinned = c.config().profileRuns() - c.config().profiles().size() * c.config().seeds().size();
        md.append("| runs | ").append(c.runs()).append(" = ").append(c.config().profiles().size()).append(" profiles × ")
                .append(c.config().seeds().size()).append(" seeds")
                .append(pinned == 0 ? "" : " (pinned profiles with their own seed only)")
                .append(c.config().explore() == 0 ? "" : " + " + c.config().explore() + " exploration runs")
                .append(", cloud ").append(c.config().cloud()).append(" |\n");
        md.append("| cloud stub headers | ").append(c.config().stubHeaders()).append(c.config().bodyInHeaders()
                ? " (**an assumption**: values the real service returns only in a response body were repeated in headers, as a proxy would)"
                : " (only what the real service returns in headers)").append(" |\n");
        md.append("| exploration | ").append(c.config().describeExploration()).append(" |\n");
        md.append("| profiles | ").append(String.join(", ", c.config().profiles())).append(" |\n");
        md.append("| seeds | ").append(c.config().seeds().toString().replaceAll("[\\[\\]]", "")).append(" |\n");
        // A profile file is read once, when the certification starts: this is the version every run used.
        java.util.List<String> files = new java.util.ArrayList<>();
        c.config().profileSha256s().forEach((profile, sha) -> {
            if (!org.upcert.harness.faults.profile.ProfileCatalogue.names().contains(profile)) {
                files.add(profile + " " + sha);
            }
        });
        if (!files.isEmpty()) {
            md.append("| profile files (SHA-256) | ").append(String.join(", ", files)).append(" |\n");
        }
        md.append("| reproduce | `").append(c.config().certifyCommand()).append("` |\n");
        md.append("| MUST rules | ").append(c.mustLine()).append(" |\n");
        md.append("| SHOULD warnings | ").append(c.warnings().isEmpty() ? "none"
                : String.join(", ", c.warnings().stream().map(w -> w.rule().id()).toList())).append(" |\n\n");
        md.append("CERTIFIED needs every MUST rule PASS (exercised by at least one run and failed by none) or NOT_APPLICABLE ")
                .append("(its trigger is an optional API the extension never used, or one its OS level lacks). ")
                .append("NOT_EXERCISED and SKIPPED are never a pass. SHOULD rules report a figure and never decide; a figure ")
                .append("beyond the rule's documented threshold is a WARN, listed beside the failures.\n\n");
        if (!c.failures().isEmpty()) {
            md.append("## Root causes first\n\nIn each failing run, the FAIL whose violating event came first is the run's ")
                    .append("root; the rules it failed later are its likely consequences. Fix the first line first.\n\n")
                    .append("| first violation | runs | then failed in those runs | earliest example |\n|---|---|---|---|\n");
            for (RootCauses.RootCause cause : c.rootCauses()) {
                md.append("| ").append(cause.ruleId()).append(" | ").append(cause.runs().size()).append(" | ")
                        .append(cause.consequences().isEmpty() ? "—" : RootCauses.describe(cause.consequences())).append(" | ")
                        .append(cause.example().cell().label()).append(": ")
                        .append(MarkdownText.inline(cause.example().verdict().message())).append(" |\n");
            }
            md.append('\n');
        }
        if (!c.warnings().isEmpty()) {
            md.append("## Warnings (SHOULD figures beyond their thresholds)\n\n");
            for (RuleSummary w : c.warnings()) {
                md.append("- **").append(w.rule().id()).append("** ").append(w.rule().text()).append(": ")
                        .append(MarkdownText.inline(w.note(c.config().profiles()))).append('\n');
            }
            md.append('\n');
        }

        md.append("## MUST rules\n\n| rule | verdict | runs: pass / fail / n/a / not exercised / skipped | note |\n")
                .append("|---|---|---|---|\n");
        for (RuleSummary s : c.summaries()) {
            if (s.rule().must()) {
                md.append(row(s, c.config().profiles())).append('\n');
            }
        }
        md.append("\n## SHOULD rules (figures)\n\n| rule | verdict | figure | warns above | runs measured | what it asks |\n")
                .append("|---|---|---|---|---|---|\n");
        for (RuleSummary s : c.summaries()) {
            if (!s.rule().must()) {
                md.append("| ").append(s.rule().id()).append(" | ")
                        .append(s.status() == Status.PASS ? "PASS" : "**" + s.status() + "**").append(" | ")
                        .append(s.figure() == null ? "—" : s.figure().toString()).append(" | ")
                        .append(Thresholds.of(s.rule().id()).map(t -> t.describe()).orElse("—")).append(" | ")
                        .append(s.exercised()).append(" | ").append(s.rule().text()).append(" |\n");
            }
        }
        coverage(md, c);
        if (!c.failures().isEmpty()) {
            md.append("\n## Failures\n\nEach names the run, the first violating event with the few before it, and one line ")
                    .append("that reproduces it.\n");
            String lastRule = "";
            int shown = 0;
            for (CellVerdict f : c.failures().stream().sorted(java.util.Comparator.comparing((CellVerdict v) -> v.rule().id())
                    .thenComparing(RootCauses.byViolation())).toList()) {
                if (f.rule().id().equals(lastRule) && ++shown > 3) {
                    continue;
                }
                if (!f.rule().id().equals(lastRule)) {
                    shown = 1;
                    lastRule = f.rule().id();
                }
                md.append("\n### ").append(f.rule().id()).append(" on ").append(f.cell().label()).append("\n\n")
                        .append(MarkdownText.inline(f.verdict().message())).append("\n\n```\n");
                for (TraceEvent event : f.verdict().excerpt()) {
                    md.append(event.line()).append(": ").append(MarkdownText.code(event.raw())).append('\n');
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
            // A fault's text may quote the extension (an in-process extension's exception whose getMessage
            // throws: upcert's own fault, the extension's words): shown as written, as a FAIL's message is.
            // Before, an unclosed <!-- there hid the rest of the page where HTML is rendered.
            c.harnessFaults().forEach(f -> md.append("- ").append(MarkdownText.inline(f)).append('\n'));
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

    /**
     * Exercise coverage: per rule, how many runs met its situation, and which profiles did. A
     * verdict says whether the extension kept the rule; this says how hard it was tried — a MUST
     * rule met by only a few runs is marked, because a mistake that shows only sometimes is easily
     * missed there.
     */
    private static void coverage(StringBuilder md, Certification c) {
        md.append("\n## Exercise coverage\n\nRuns that met each rule's situation (PASS, WARN or FAIL), by profile. A MUST rule ")
                .append("met by fewer than ").append(RuleSummary.WELL_EXERCISED).append(" runs is marked *thin*: a mistake that ")
                .append("shows only sometimes is easily missed there (add seeds: `--seeds`). Coverage never changes a verdict.\n\n")
                .append("| rule | runs exercised | by profile |\n|---|---|---|\n");
        for (RuleSummary s : c.summaries()) {
            StringBuilder by = new StringBuilder();
            s.exercisedBy().forEach((profile, n) -> by.append(by.length() == 0 ? "" : ", ").append(profile).append(' ').append(n));
            md.append("| ").append(s.rule().id()).append(" | ").append(s.exercised()).append(" of ").append(s.runs())
                    .append(s.thinlyExercised() ? " *thin*" : "").append(" | ")
                    .append(s.exercised() == s.runs() && s.runs() > 0 ? "every run" : by.length() == 0 ? "—" : by).append(" |\n");
        }
    }

    private static String row(RuleSummary s, java.util.List<String> profiles) {
        String note = s.note(profiles);
        return "| " + s.rule().id() + " | " + (s.status() == Status.PASS ? "PASS" : "**" + s.status() + "**") + " | "
                + s.counts().get(Status.PASS) + " / " + s.counts().get(Status.FAIL) + " / " + s.counts().get(Status.NOT_APPLICABLE)
                + " / " + s.counts().get(Status.NOT_EXERCISED) + " / " + s.counts().get(Status.SKIPPED) + " | "
                + MarkdownText.inline(note) + " |";
    }

    private static String describeAssumptions(java.util.Set<String> assumptions) {
        String described = assumptions.contains(org.upcert.harness.run.RunOptions.ASSUME_HTTP_STATUS)
                ? " (**an assumption**: failed jobs showed the extension the HTTP status, which PhotoKit does not document;"
                        + " logic certified so may not port to a device)" : "";
        return described + (assumptions.contains(org.upcert.harness.run.RunOptions.ASSUME_BODY_IN_HEADERS)
                ? " (**body-in-headers**: the cloud stub repeated body-borne values in headers a real service does not send;"
                        + " logic that reads them needs a proxy in front of the service)" : "");
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
