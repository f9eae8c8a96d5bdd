package org.upcert.conformance.rules;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.AssetResource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.rules.Attempts.Attempt;
import org.upcert.harness.cloud.CloudDialect;
import org.upcert.harness.cloud.CloudDialects;
import org.upcert.harness.cloud.CloudInventory;
import org.upcert.harness.scope.DeclaredScope;

/**
 * One model of what became of every resource that was ever in the library, computed once per
 * run ({@link #of}: cached on the {@link RunEvidence}) and read by every liveness rule (E2E-01,
 * RES-01/02, TRM-03, CNS-02, CHG-01, CHG-02), so no two rules can demand opposite behaviour of
 * the same resource. Each resource gets exactly one {@link Fate}, decided in this order:
 *
 * <ol>
 *   <li>{@link Fate#OUT_OF_SCOPE}: the extension's declared scope (trace header {@code scope},
 *       docs/scope.md) leaves it to the host app: neither required nor allowed (E2E-02 FAILs an
 *       upload attempt for it);
 *   <li>{@link Fate#UPLOADED}: the cloud holds its exact bytes (the inventory decides, whatever
 *       the job's state said: a 204 reported as failed, a lost response);
 *   <li>{@link Fate#INELIGIBLE}: its asset left the library (deleted), or the cloud cannot take
 *       it in one request (over the dialect's request cap, docs/cloud.md);
 *   <li>{@link Fate#GIVEN_UP}: its last attempt failed and giving up then was justified on what
 *       the extension could see ({@link GiveUp#justified}) and nothing followed;
 *   <li>{@link Fate#LOST}: none of these: a resource the extension had to upload and did not.
 * </ol>
 *
 * <p>Each fate carries the event that decided it where there is one (the response that landed
 * the bytes, the permanent failure, the last attempt before the loss) and a sentence saying what
 * happened, which rule messages quote.
 */
public final class ResourceFates {

    /** What became of one resource. */
    public enum Fate {
        /** Its exact bytes are in the cloud. */
        UPLOADED,
        /** The extension gave up after a failure it could judge permanent. */
        GIVEN_UP,
        /** Outside the extension's declared scope: the host app's. */
        OUT_OF_SCOPE,
        /** Not uploadable through the extension: deleted from the library, or over the cloud's request cap. */
        INELIGIBLE,
        /** None of the above: the extension had to upload it and it is not in the cloud. */
        LOST
    }

    /**
     * The fate of one resource.
     *
     * @param resource the resource key ({@code asset#TYPE})
     * @param fate what became of it
     * @param decidedBy the event that decided it (for UPLOADED the end of the attempt whose
     *     response said stored, for GIVEN_UP the permanent failure, for LOST the end or start of
     *     its last attempt, for a deleted resource its {@code library.delete}); null when no event
     *     decided it (never attempted, out of scope, over the cap)
     * @param why what happened, in a sentence a FAIL message can quote
     */
    public record ResourceFate(String resource, Fate fate, TraceEvent decidedBy, String why) {

        /** {@code "resource X lost: …"}. */
        public String describe() {
            return resource + " " + fate.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + why;
        }
    }

    private final DeclaredScope scope;
    private final TreeMap<String, ResourceFate> fates = new TreeMap<>();
    private final TreeSet<String> outOfScopeInCloud = new TreeSet<>();

    private ResourceFates(DeclaredScope scope) {
        this.scope = scope;
    }

    /** The fates of {@code evidence}'s run: computed on first use, then shared by every checker. */
    public static ResourceFates of(RunEvidence evidence) {
        return evidence.derived(ResourceFates.class, ResourceFates::compute);
    }

    /**
     * Why giving up on a resource after {@code attempts} (its attempts so far, in order, the last
     * one failed) is a decision the extension could justify, or null if it is not. The one
     * predicate every rule uses for "given up": {@link GiveUp#justified} (on what a device shows,
     * under the run's assumptions).
     */
    static String justifiedGiveUp(List<Attempt> attempts, java.util.Set<String> assumptions) {
        return justifiedGiveUp(attempts, assumptions, true);
    }

    /** As {@link #justifiedGiveUp(List, java.util.Set)}; {@code outcomesVisible} is false on iOS 26.1 ({@link GiveUp#outcomesVisible}). */
    static String justifiedGiveUp(List<Attempt> attempts, java.util.Set<String> assumptions, boolean outcomesVisible) {
        return GiveUp.justified(attempts, assumptions, outcomesVisible).orElse(null);
    }

    /** As {@link #justifiedGiveUp(List, java.util.Set)}, each failure judged at its own OS level. */
    static String justifiedGiveUp(List<Attempt> attempts, java.util.Set<String> assumptions,
            GiveUp.OutcomeVisibility visibility) {
        return GiveUp.justified(attempts, assumptions, visibility).orElse(null);
    }

    private static ResourceFates compute(RunEvidence evidence) {
        DeclaredScope scope = DeclaredScope.fromHeader(evidence.header() == null ? null : evidence.header().get("scope"));
        ResourceFates model = new ResourceFates(scope);
        if (evidence.library() == null) {
            return model;
        }
        CloudDialect dialect = dialect(evidence);
        GiveUp.OutcomeVisibility visibility = GiveUp.OutcomeVisibility.of(evidence);
        Attempts read = evidence.derived(Attempts.class, Attempts::of);
        TreeMap<String, List<Attempt>> attempts = read.byResource();
        TreeMap<String, TraceEvent> deletions = new TreeMap<>(); // asset -> its last library.delete
        // resource -> the host app's first upload of it to the server the account is on at the end
        TreeMap<String, TraceEvent> hostUploads = new TreeMap<>();
        ServerChanges servers = ServerChanges.of(evidence);
        ServerChanges.AsOfNow server = new ServerChanges.AsOfNow();
        TreeMap<String, TreeMap<String, TraceEvent>> hostUploadsByServer = new TreeMap<>();
        for (TraceEvent event : evidence.events()) {
            if (event.name().equals("library.delete")) {
                deletions.put(event.text("asset"), event);
            } else if (event.name().equals("host.upload") && !event.text("resource").isEmpty()) {
                // the host app uploads to the server its account is on then; that server keeps it
                hostUploadsByServer.computeIfAbsent(server.uploadHost(), h -> new TreeMap<>())
                        .putIfAbsent(event.text("resource"), event);
            } else {
                server.see(event);
            }
        }
        hostUploads.putAll(hostUploadsByServer.getOrDefault(server.uploadHost(), new TreeMap<>()));
        TreeMap<String, CloudInventory.StoredObject> bySha = evidence.inventory() == null ? new TreeMap<>()
                : evidence.inventory().objectsBySha256();
        for (AssetResource resource : evidence.library().everResources().values()) {
            String key = resource.key();
            List<Attempt> tried = attempts.getOrDefault(key, List.of());
            if (servers.any()) {
                // host.server: only what was sent to the server the account is on at the end counts,
                // before or after the changes (a server keeps what it received)
                tried = tried.stream().filter(a -> servers.counts(a.url())).toList();
            }
            boolean stored = evidence.payloads() != null && bySha.containsKey(evidence.payloads().sha256(resource));
            ResourceFate fate;
            String outOfScope = scope.whyOutOf(resource);
            if (outOfScope != null) {
                fate = new ResourceFate(key, Fate.OUT_OF_SCOPE, tried.isEmpty() ? null : tried.get(0).start(),
                        "out of the declared scope: " + outOfScope + (stored ? "; yet its bytes are in the cloud" : ""));
                if (stored) {
                    model.outOfScopeInCloud.add(key);
                }
            } else if (dialect != null && !dialect.accepts(resource.fileSize())) {
                // Before the deletion: over the cap it could never be uploaded, deleted later or not (a
                // deletion's fate is work until the deletion, and RES-01 refused a COMPLETED that left a
                // 150 MB+ Dropbox video out: DropboxAddModeStyle, library-churn seeds 2 and 3). Before the
                // cloud's inventory too: the bytes of such a resource reach the cloud only through the host
                // app (host.upload), and an upload's fate is work until it lands (RES-01 refused a COMPLETED
                // two hours before the host app uploaded a 228 MB video: explore:369, DropboxAddModeStyle).
                fate = new ResourceFate(key, Fate.INELIGIBLE, null, "its " + resource.fileSize()
                        + " bytes are over the request cap of the " + dialect.name() + " cloud (docs/cloud.md)"
                        + (stored ? "; the host app uploaded it" : ""));
            } else if (stored) {
                fate = uploaded(key, tried, hostUploads.get(key));
            } else if (!evidence.liveResources().contains(key)) {
                TraceEvent deleted = deletions.get(resource.assetLocalIdentifier());
                fate = new ResourceFate(key, Fate.INELIGIBLE, deleted,
                        "its asset was deleted from the library" + (deleted == null ? "" : " at t=" + seconds(deleted)));
            } else {
                fate = notInCloud(key, tried, evidence.assumptions(), visibility, read.downloadsOf(key));
            }
            model.fates.put(key, fate);
        }
        return model;
    }

    private static CloudDialect dialect(RunEvidence evidence) {
        String name = evidence.cloud().isEmpty() ? "generic-put" : evidence.cloud();
        try {
            return CloudDialects.create(name, evidence.seed(), () -> 0L);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    /**
     * In the cloud: decided by the first response that said stored (a 2xx, even one reported as a
     * failure), or by the host app's own upload of it ({@code host.upload}) if that came first.
     */
    private static ResourceFate uploaded(String key, List<Attempt> tried, TraceEvent byHostApp) {
        for (Attempt attempt : tried) {
            if (byHostApp != null && attempt.end() != null && attempt.end().line() > byHostApp.line()) {
                break;
            }
            if (attempt.succeeded()) {
                return new ResourceFate(key, Fate.UPLOADED, attempt.end(), "uploaded by " + attempt.job() + " at t="
                        + seconds(attempt.end()));
            }
            if (attempt.failed() && Attempts.classify(attempt.end()) == Attempts.Failure.SUCCESS_STATUS) {
                return new ResourceFate(key, Fate.UPLOADED, attempt.end(), "stored by " + attempt.job() + " at t="
                        + seconds(attempt.end()) + " although the system reported the job failed (HTTP "
                        + attempt.end().number("status") + ")");
            }
        }
        if (byHostApp != null) {
            return new ResourceFate(key, Fate.UPLOADED, byHostApp, "uploaded by the host app itself at t=" + seconds(byHostApp)
                    + " (host.upload)");
        }
        Attempt last = tried.isEmpty() ? null : tried.get(tried.size() - 1);
        return new ResourceFate(key, Fate.UPLOADED, last == null ? null : last.end(),
                "its bytes are in the cloud" + (last == null ? "" : " (last attempt " + last.job() + ")"));
    }

    /** In scope, eligible, not in the cloud: given up after a justified failure, or lost. */
    private static ResourceFate notInCloud(String key, List<Attempt> tried, java.util.Set<String> assumptions,
            GiveUp.OutcomeVisibility outcomesVisible, List<TraceEvent> downloads) {
        if (tried.isEmpty()) {
            if (!downloads.isEmpty()) {
                TraceEvent last = downloads.get(downloads.size() - 1);
                return new ResourceFate(key, Fate.LOST, last, "no upload job was ever created for it, only "
                        + downloads.size() + " download-only job" + (downloads.size() == 1 ? "" : "s") + " (last "
                        + last.text("job") + " at t=" + seconds(last) + "): a download-only success brings the original "
                        + "onto the device and sends nothing, it is not an upload");
            }
            return new ResourceFate(key, Fate.LOST, null, "no job was ever created for it");
        }
        Attempt last = tried.get(tried.size() - 1);
        String givenUp = last.failed() ? justifiedGiveUp(tried, assumptions, outcomesVisible) : null;
        if (givenUp != null) {
            return new ResourceFate(key, Fate.GIVEN_UP, last.end(), "given up after " + last.job() + " failed at t="
                    + seconds(last.end()) + " (" + Attempts.outcome(last.end()) + "): " + givenUp);
        }
        String why;
        if (last.end() == null) {
            why = "its last job " + last.job() + " was still in flight at the end of the run (" + last.start().name() + " at t="
                    + seconds(last.start()) + ")";
            return new ResourceFate(key, Fate.LOST, last.start(), why);
        }
        if (last.failed()) {
            why = "its last job " + last.job() + " failed " + (Attempts.classify(last.end()) == Attempts.Failure.TRANSIENT
                    ? "transiently" : "(" + Attempts.classify(last.end()).name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")")
                    + " at t=" + seconds(last.end()) + " (" + Attempts.outcome(last.end()) + ") and nothing followed";
        } else if (last.succeeded()) {
            why = "its job " + last.job() + " succeeded at t=" + seconds(last.end()) + " but the cloud does not hold its exact bytes";
        } else {
            why = "its last job " + last.job() + " was cancelled at t=" + seconds(last.end()) + " and nothing followed";
        }
        return new ResourceFate(key, Fate.LOST, last.end(), why);
    }

    private static String seconds(TraceEvent event) {
        return String.format(Locale.ROOT, "%.1f s", event.t() / 1000.0);
    }

    /** The declared scope the fates were judged against. */
    public DeclaredScope scope() {
        return scope;
    }

    /** The fate of {@code resource}; null for a key the library never held. */
    public ResourceFate of(String resource) {
        return fates.get(resource);
    }

    /** Every resource ever in the library, by key. */
    public SortedMap<String, ResourceFate> all() {
        return Collections.unmodifiableSortedMap(fates);
    }

    /** The resources with fate {@code fate}, sorted. */
    public SortedSet<String> withFate(Fate fate) {
        TreeSet<String> keys = new TreeSet<>();
        fates.forEach((key, f) -> {
            if (f.fate() == fate) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** The lost resources, in the order their loss was decided (the earliest first; never-attempted ones last). */
    public List<ResourceFate> lost() {
        return fates.values().stream().filter(f -> f.fate() == Fate.LOST)
                .sorted(java.util.Comparator.comparingInt((ResourceFate f) -> f.decidedBy() == null ? Integer.MAX_VALUE
                        : f.decidedBy().line()).thenComparing(ResourceFate::resource))
                .toList();
    }

    /**
     * The resources the extension had to upload (in scope, eligible, in the library at the end):
     * uploaded, given up or lost.
     */
    public SortedSet<String> required(RunEvidence evidence) {
        TreeSet<String> keys = new TreeSet<>();
        fates.forEach((key, f) -> {
            if ((f.fate() == Fate.UPLOADED || f.fate() == Fate.GIVEN_UP || f.fate() == Fate.LOST)
                    && evidence.liveResources().contains(key)) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** Whether {@code resource} is work the extension never has to do: out of scope or ineligible (for the whole run). */
    public boolean exempt(String resource) {
        ResourceFate fate = fates.get(resource);
        return fate != null && (fate.fate() == Fate.OUT_OF_SCOPE
                || (fate.fate() == Fate.INELIGIBLE && fate.decidedBy() == null));
    }

    /** Out-of-scope resources whose bytes reached the cloud anyway. */
    public SortedSet<String> outOfScopeInCloud() {
        return Collections.unmodifiableSortedSet(outOfScopeInCloud);
    }

    /** Counts per fate, for messages: {@code "120 uploaded, 3 given up, 40 out of scope"}. */
    public String tally() {
        TreeMap<Fate, Integer> counts = new TreeMap<>();
        fates.values().forEach(f -> counts.merge(f.fate(), 1, Integer::sum));
        StringBuilder text = new StringBuilder();
        counts.forEach((fate, n) -> text.append(text.length() == 0 ? "" : ", ").append(n).append(' ')
                .append(fate.name().toLowerCase(Locale.ROOT).replace('_', ' ')));
        return text.toString();
    }
}
