package org.upcert.conformance.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.Thresholds;
import org.upcert.conformance.suite.CellVerdict;
import org.upcert.conformance.suite.RuleSummary;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * {@code certification.json}: fields in a fixed order, no timestamps and no wall times, so the
 * same extension, profiles, seeds and build give the same bytes.
 */
public final class CertificationJson {
    public static final String FORMAT = "upcert-certification/2";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CertificationJson() {
    }

    public static ObjectNode toJson(Certification c) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("verdict", c.outcome().name());
        root.put("partial", c.partial());
        root.put("interrupted", c.interrupted());
        ObjectNode suite = root.putObject("suite");
        suite.put("name", "upcert");
        suite.put("version", Certification.suiteVersion());
        suite.put("rules", "catalogue v1");
        suite.put("verdicts", "v2: PASS, WARN, FAIL, NOT_APPLICABLE, NOT_EXERCISED, SKIPPED");
        root.put("jdk", Certification.jdk());
        ObjectNode extension = root.putObject("extension");
        extension.put("name", c.config().describeExtension());
        ArrayNode shas = extension.putArray("sha256");
        c.extensionShas().forEach(shas::add);
        // what the extension declares it uploads (docs/scope.md): the runs were judged against it
        org.upcert.harness.scope.DeclaredScope declared = c.config().declaredScope();
        ObjectNode scope = root.putObject("scope");
        scope.put("declared", declared.declared());
        ArrayNode types = scope.putArray("resourceTypes");
        declared.resourceTypes().forEach(type -> types.add(type.name()));
        declared.hostAppAbove().ifPresent(bytes -> scope.put("hostAppAbove", bytes));
        if (declared.deploymentTarget() != null) {
            scope.put("deploymentTarget", declared.deploymentTarget());
            scope.put("deploymentLevel", declared.deploymentLevel());
        }
        scope.put("description", declared.describe());
        ObjectNode runs = root.putObject("runs");
        ArrayNode profiles = runs.putArray("profiles");
        c.config().profiles().forEach(profiles::add);
        // The SHA-256 of each profile's source as the certification read it, once, before any run
        // (a file edited meanwhile changed no run): the version every run of it used.
        ObjectNode profileSha256 = runs.putObject("profileSha256");
        c.config().profileSha256s().forEach(profileSha256::put);
        ArrayNode seeds = runs.putArray("seeds");
        c.config().seeds().forEach(seeds::add);
        runs.put("cloud", c.config().cloud());
        // The stub's header mode: strict (only what the real service sends in headers) or lenient (docs/cloud.md).
        runs.put("stubHeaders", c.config().stubHeaders());
        runs.put("transport", c.config().transport());
        runs.put("isolation", c.config().resolvedIsolation());
        // What the runs assumed beyond what PhotoKit documents ([] : the extension saw what a device shows).
        ArrayNode assumptions = root.putArray("assumptions");
        c.config().assumptions().forEach(assumptions::add);
        // Why only the shape of the extension's cloud requests was judged (google-photos, strict stub); null: all of it.
        root.put("protocolShapeOnly", c.config().protocolShapeOnly().orElse(null));
        runs.put("count", c.runs());
        // Exploration runs (docs/exploration.md): profiles drawn from seeds 1..N, run after the profiles'.
        ObjectNode exploration = runs.putObject("exploration");
        exploration.put("count", c.config().explore());
        ArrayNode drawn = exploration.putArray("profiles");
        c.config().explorationCells().forEach(cell -> drawn.add(cell.profile()));
        exploration.put("faultPhaseMs", c.config().explorationFaultPhaseMs());
        exploration.put("failBlocks", true);
        exploration.put("exerciseCounts", false);
        if (c.config().corpus() != null) {
            runs.put("corpus", c.config().corpus().toString());
        }
        if (c.interrupted()) {
            runs.put("finished", c.finishedRuns());
        }
        runs.put("reproduce", c.config().certifyCommand());
        ObjectNode must = root.putObject("mustRules");
        for (Status status : Status.values()) {
            must.put(status.name(), c.mustRules(status));
        }
        ObjectNode coverage = root.putObject("coverage");
        coverage.put("wellExercised", RuleSummary.WELL_EXERCISED);
        ArrayNode thin = coverage.putArray("thin");
        c.summaries().stream().filter(RuleSummary::thinlyExercised).forEach(s -> thin.add(s.rule().id()));
        ArrayNode rules = root.putArray("rules");
        for (RuleSummary s : c.summaries()) {
            ObjectNode rule = rules.addObject();
            rule.put("id", s.rule().id());
            rule.put("severity", s.rule().severity().name());
            rule.put("source", s.rule().source());
            rule.put("text", s.rule().text());
            rule.put("verdict", s.status().name());
            ObjectNode counts = rule.putObject("runs");
            for (Status status : Status.values()) {
                counts.put(status.name(), s.counts().get(status));
            }
            if (s.figure() != null) {
                Figure f = s.figure();
                ObjectNode figure = rule.putObject("figure");
                figure.put("label", f.label());
                figure.put("kind", f.kind().name());
                figure.put("value", f.value());
                figure.put("numerator", f.numerator());
                figure.put("denominator", f.denominator());
                figure.put("unit", f.unit());
                figure.put("text", f.toString());
            }
            ObjectNode exercised = rule.putObject("exercised");
            exercised.put("runs", s.exercised());
            exercised.put("thin", s.thinlyExercised());
            ObjectNode byProfile = exercised.putObject("byProfile");
            s.exercisedBy().forEach(byProfile::put);
            rule.put("note", s.note(c.config().profiles()));
            Thresholds.of(s.rule().id()).ifPresent(t -> {
                ObjectNode threshold = rule.putObject("threshold");
                threshold.put("warnAbove", t.limit());
                threshold.put("unit", t.unit());
                threshold.put("text", t.describe());
                threshold.put("why", t.why());
            });
            if (s.firstFailure() != null) {
                rule.set("firstFailure", failure(s.firstFailure()));
            }
            if (s.status() == Status.NOT_EXERCISED) {
                rule.put("exercisedBy", s.rule().profile());
            }
            if (s.firstSkip() != null) {
                rule.put("skipped", s.firstSkip().verdict().message());
            }
        }
        ArrayNode warnings = root.putArray("warnings");
        for (RuleSummary w : c.warnings()) {
            warnings.addObject().put("rule", w.rule().id()).put("note", w.note(c.config().profiles()));
        }
        ArrayNode causes = root.putArray("rootCauses");
        for (RootCauses.RootCause cause : c.rootCauses()) {
            ObjectNode node = causes.addObject();
            node.put("rule", cause.ruleId());
            node.put("runs", cause.runs().size());
            ObjectNode consequences = node.putObject("thenFailed");
            cause.consequences().forEach(consequences::put);
            node.set("example", failure(cause.example()));
        }
        ArrayNode failures = root.putArray("failures");
        c.failures().forEach(f -> failures.add(failure(f)));
        ArrayNode faults = root.putArray("harnessFaults");
        c.harnessFaults().forEach(faults::add);
        return root;
    }

    private static ObjectNode failure(CellVerdict cell) {
        ObjectNode f = MAPPER.createObjectNode();
        f.put("rule", cell.rule().id());
        f.put("profile", cell.cell().profile());
        f.put("seed", cell.cell().seed());
        f.put("cloud", cell.cell().cloud());
        f.put("message", cell.verdict().message());
        f.put("reproduce", cell.reproduce());
        if (cell.trace() != null) {
            f.put("trace", cell.trace());
        }
        if (cell.timeline() != null) {
            f.put("timeline", cell.timeline());
        }
        ArrayNode excerpt = f.putArray("excerpt");
        for (TraceEvent event : cell.verdict().excerpt()) {
            excerpt.add(event.line() + ": " + event.raw());
        }
        return f;
    }

    public static String text(Certification c) {
        try {
            return MAPPER.writeValueAsString(toJson(c)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write certification.json", e);
        }
    }

    /** The same on one line, for {@code --json} on stdout. */
    public static String line(Certification c) {
        return toJson(c).toString();
    }
}
