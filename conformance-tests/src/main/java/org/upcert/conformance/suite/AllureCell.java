package org.upcert.conformance.suite;

import io.qameta.allure.AllureLifecycle;
import io.qameta.allure.model.Attachment;
import io.qameta.allure.model.Label;
import io.qameta.allure.model.Parameter;
import io.qameta.allure.model.Stage;
import io.qameta.allure.model.Status;
import io.qameta.allure.model.StepResult;
import io.qameta.allure.util.ResultsUtils;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.UUID;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/**
 * What the Allure report shows of a cell: labels for rule id, severity, profile, seed and cloud;
 * for a FAIL or a WARN one step per activation (the one holding the violation marked failed), for
 * every other verdict the run's activations as one attachment its cells share; attachments with
 * the expanded plan, the trace excerpt and the reproduce command. Reporting never changes a verdict:
 * a problem in Allure is swallowed here rather than turning a PASS into an error.
 */
final class AllureCell {
    /** More steps than this make a report nobody reads and a results directory of megabytes per test. */
    private static final int MAX_STEPS = 200;

    private AllureCell() {
    }

    static void report(SuiteConfig config, CellVerdict cell, RunOutcome outcome) {
        try {
            // the certification's own lifecycle, never Allure's global one: another certification in
            // the JVM reports to its own folder at the same time (CertificationState)
            AllureLifecycle allure = config.certificationState().allure();
            Verdict verdict = cell.verdict();
            List<Label> labels = labels(cell.rule().id(), cell.rule().group(), cell.rule().severity().name(), cell.rule().text());
            labels.add(label("profile", cell.cell().profile()));
            labels.add(label("seed", Long.toString(cell.cell().seed())));
            labels.add(label("cloud", cell.cell().cloud()));
            labels.add(label("tag", cell.cell().profile()));
            labels.add(label("tag", "seed " + cell.cell().seed()));
            List<Parameter> parameters = List.of(ResultsUtils.createParameter("profile", cell.cell().profile(), null, null),
                    ResultsUtils.createParameter("seed", cell.cell().seed(), null, null),
                    ResultsUtils.createParameter("cloud", cell.cell().cloud(), null, null));
            String description = html(verdict.status() + ": " + verdict.message()
                    + (verdict.figure() == null ? "" : "\n\nFigure: " + verdict.figure()));
            allure.updateTestCase(result -> {
                result.getLabels().addAll(labels);
                result.getParameters().addAll(parameters);
                result.setDescriptionHtml(description);
            });
            if (outcome.ran()) {
                if (verdict.status() == Verdict.Status.FAIL || verdict.status() == Verdict.Status.WARN) {
                    steps(allure, outcome, verdict);
                } else {
                    attachActivations(allure, outcome);
                }
                attachPlan(allure, outcome);
            }
            if (!verdict.excerpt().isEmpty()) {
                StringBuilder excerpt = new StringBuilder();
                for (TraceEvent event : verdict.excerpt()) {
                    excerpt.append(event.line()).append(": ").append(event.raw()).append('\n');
                }
                attach(allure, "trace excerpt", "text/plain", excerpt.toString(), ".txt");
            }
            attach(allure, "reproduce", "text/plain", cell.reproduce() + "\n" + config.rerun(cell.cell()) + "\n", ".txt");
            attachTimeline(allure, config, cell);
        } catch (RuntimeException | LinkageError ignored) {
            // reporting is best effort; the verdict stands (see class comment)
        }
    }

    /** The FAIL's timeline page (violating event marked) and its SVG, when certify wrote them. */
    private static void attachTimeline(AllureLifecycle allure, SuiteConfig config, CellVerdict cell) {
        if (cell.timeline() == null || config.reports() == null) {
            return;
        }
        try {
            java.nio.file.Path html = config.reports().resolve(cell.timeline());
            attach(allure, "timeline", "text/html", java.nio.file.Files.readString(html), ".html");
            java.nio.file.Path svg = html.resolveSibling(html.getFileName().toString().replaceAll("\\.html$", ".svg"));
            if (java.nio.file.Files.isRegularFile(svg)) {
                attach(allure, "timeline (SVG)", "image/svg+xml", java.nio.file.Files.readString(svg), ".svg");
            }
        } catch (java.io.IOException e) {
            // best effort, as the class comment says
        }
    }

    static void summary(SuiteConfig config, RuleSummary summary) {
        try {
            List<Label> labels = labels(summary.rule().id(), summary.rule().group(), summary.rule().severity().name(),
                    summary.rule().text());
            String description = html(summary.status() + " over " + summary.runs() + " runs: " + summary.countsLine()
                    + "\n\nExercised by " + summary.exercisedLine() + (summary.thinlyExercised() ? " (thin)" : "")
                    + (summary.figure() == null ? "" : "\n\nFigure: " + summary.figure()));
            config.certificationState().allure().updateTestCase(result -> {
                result.getLabels().addAll(labels);
                result.setDescriptionHtml(description);
            });
        } catch (RuntimeException | LinkageError ignored) {
            // best effort, as above
        }
    }

    /**
     * A description as HTML paragraphs with every character shown as itself. Allure turns a plain
     * {@code description} into HTML as Markdown, raw HTML included, and its page shows the result
     * as HTML: a verdict's message quotes the extension (an exception message), whose {@code <!--}
     * hid the rest of the description and whose line breaks made a heading {@code CERTIFIED} of
     * their own in the rendered report (allure 2.34, before H43). The paragraphs are upcert's own.
     */
    static String html(String text) {
        StringBuilder out = new StringBuilder(text.length() + 32).append("<p>");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                out.append("</p><p>");
                i++;
                continue;
            }
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.append("</p>").toString();
    }

    /** The labels of every test of a rule, in the order {@code Allure.epic}, {@code feature}, … added them. */
    private static List<Label> labels(String ruleId, String group, String severity, String text) {
        return new ArrayList<>(List.of(label("epic", "upcert conformance"), label("feature", group),
                label("story", ruleId + " — " + text), label("rule", ruleId), label("tag", ruleId), label("tag", severity),
                label("severity", severity.equals("MUST") ? "critical" : "normal")));
    }

    private static Label label(String name, String value) {
        return new Label().setName(name).setValue(value);
    }

    /** What {@code Allure.addAttachment(name, type, content, extension)} does, to {@code allure}. */
    private static void attach(AllureLifecycle allure, String name, String type, String content, String extension) {
        allure.addAttachment(name, type, extension, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One step per activation, added to the cell's result in one update: the same steps
     * {@code Allure.step(name, status)} makes (name, status, stage finished, start and stop), without
     * its per-step UUID (a {@code SecureRandom} draw under a lock all the group threads share),
     * thread-context push and pop and storage lookups, which cost more than the report itself
     * (some 280,000 steps in a default certification).
     */
    private static void steps(AllureLifecycle allure, RunOutcome outcome, Verdict verdict) {
        int failingActivation = verdict.excerpt().isEmpty() ? -1 : verdict.excerpt().get(verdict.excerpt().size() - 1).activation();
        List<RunOutcome.Activation> activations = outcome.activations();
        List<String> texts = outcome.evidence().derived(StepTexts.class, evidence -> StepTexts.of(activations)).texts();
        long now = System.currentTimeMillis(); // wall-clock ok: Allure's own step times, never in a verdict or trace
        List<StepResult> steps = new ArrayList<>(Math.min(activations.size(), MAX_STEPS + 1));
        int shown = 0;
        for (RunOutcome.Activation activation : activations) {
            if (shown == MAX_STEPS) {
                steps.add(step("… " + (activations.size() - MAX_STEPS) + " more activations (see the trace)", Status.PASSED, now));
                break;
            }
            Status status = activation.number() == failingActivation ? Status.FAILED : Status.PASSED;
            steps.add(step(texts.get(shown), status, now));
            shown++;
        }
        allure.updateTestCase(result -> result.getSteps().addAll(steps));
    }

    private static StepResult step(String name, Status status, long now) {
        return new StepResult().setName(name).setStatus(status).setStage(Stage.FINISHED).setStart(now).setStop(now);
    }

    /** The text of each step shown (the first {@link #MAX_STEPS} activations), made once per run for all its cells. */
    private record StepTexts(List<String> texts) {
        static StepTexts of(List<RunOutcome.Activation> activations) {
            List<String> texts = new java.util.ArrayList<>();
            for (RunOutcome.Activation activation : activations.subList(0, Math.min(MAX_STEPS, activations.size()))) {
                texts.add(text(activation));
            }
            return new StepTexts(List.copyOf(texts));
        }

        static String text(RunOutcome.Activation activation) {
            return "activation " + activation.number() + " at " + clock(activation.t()) + " (" + activation.reason()
                    + "): " + activation.end() + ", " + activation.calls() + " API calls, " + activation.changes() + " changes";
        }
    }

    /**
     * The run's expanded plan, attached to each of its cells as one file they all name: the plan is
     * the run's, not the cell's, and a file per cell was some 2,800 files and 26 MB of
     * {@code allure-results/} in a default certification (75 files now). Allure's report shows the
     * attachment in every cell as before ({@code AllureReportRendersTest}).
     */
    private static void attachPlan(AllureLifecycle lifecycle, RunOutcome outcome) {
        String source = outcome.evidence().derived(PlanFile.class,
                evidence -> new PlanFile(new RunFile(".json", () -> evidence.header() == null ? "{}"
                        : evidence.header().path("plan").toPrettyString()))).file().sourceIn(lifecycle);
        Attachment plan = new Attachment().setName("expanded plan").setType("application/json").setSource(source);
        lifecycle.updateTestCase(result -> result.getAttachments().add(plan));
    }

    /**
     * The run's activations, one line each, attached to a cell that passed (or was not applicable,
     * not exercised) as one file all such cells of the run name. They were one Allure step per
     * activation in every cell: some 280,000 steps, 44 of the 77 MB of {@code allure-results/} in a
     * default certification, serialised and written by the reporting threads, for cells where no
     * activation is marked. A FAIL or a WARN keeps its steps, the violating activation marked.
     */
    private static void attachActivations(AllureLifecycle lifecycle, RunOutcome outcome) {
        String source = outcome.evidence().derived(ActivationsFile.class, evidence -> new ActivationsFile(new RunFile(".txt",
                () -> activationLines(outcome.activations())))).file().sourceIn(lifecycle);
        Attachment activations = new Attachment().setName("activations").setType("text/plain").setSource(source);
        lifecycle.updateTestCase(result -> result.getAttachments().add(activations));
    }

    /** Every activation of the run, one line each: the text of its step in a FAIL's report. */
    static String activationLines(List<RunOutcome.Activation> activations) {
        StringBuilder text = new StringBuilder(activations.size() * 96);
        for (RunOutcome.Activation activation : activations) {
            text.append(StepTexts.text(activation)).append('\n');
        }
        return text.toString();
    }

    /** The plan file of one run (a distinct type: {@link org.upcert.conformance.evidence.RunEvidence#derived} keys by type). */
    private record PlanFile(RunFile file) {
    }

    /** The activations file of one run. */
    private record ActivationsFile(RunFile file) {
    }

    /**
     * A file of one run, made once and written once into each results folder (a lifecycle) whose
     * cells name it: a run is shared by the certifications of one JVM's tests, each with a folder
     * of its own.
     */
    private static final class RunFile {
        private final String extension;
        private final java.util.function.Supplier<String> content;
        private final IdentityHashMap<AllureLifecycle, String> written = new IdentityHashMap<>();

        RunFile(String extension, java.util.function.Supplier<String> content) {
            this.extension = extension;
            this.content = content;
        }

        synchronized String sourceIn(AllureLifecycle lifecycle) {
            String source = written.get(lifecycle);
            if (source == null) {
                // the name Allure's own prepareAttachment gives a file (a random UUID, "-attachment", the extension)
                source = UUID.randomUUID() + "-attachment" + extension;
                lifecycle.writeAttachment(source, new ByteArrayInputStream(content.get().getBytes(StandardCharsets.UTF_8)));
                written.put(lifecycle, source);
            }
            return source;
        }
    }

    /** Virtual milliseconds as {@code 2h05m10.250s}. */
    static String clock(long millis) {
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        long seconds = millis / 1000 % 60;
        return String.format(java.util.Locale.ROOT, "%dh%02dm%02d.%03ds", hours, minutes, seconds, millis % 1000);
    }
}
