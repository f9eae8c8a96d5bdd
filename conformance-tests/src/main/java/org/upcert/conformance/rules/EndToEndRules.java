package org.upcert.conformance.rules;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.AssetResource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cloud.CloudInventory;

/** E2E-02 and E2E-03 (E2E-01 is in {@link LivenessCheckers}). */
public final class EndToEndRules {
    private EndToEndRules() {
    }

    /** E2E-02, E2E-03. */
    public static List<RuleChecker> all() {
        return List.of(new NothingUploadedOutOfBounds(), new JobsOfDeletedAssetsResolved());
    }

    /**
     * E2E-02: no destination outside {@code uploadUrlBase}; nothing uploaded for a resource that
     * was never in the library, that is outside the extension's declared scope, or while consent
     * was withdrawn. <em>Exercised</em> by any job created. <em>Violated</em>, at the first
     * offending event, by:
     * <ul>
     *   <li>a {@code job.create} for a resource the extension's declared scope leaves to the host
     *       app (a type it does not declare, a file over its {@code hostAppAbove}; docs/scope.md,
     *       {@link ResourceFates.Fate#OUT_OF_SCOPE}): what an extension declares it does not
     *       upload it must not upload, or the host app uploads it a second time;
     *   <li>a {@code transfer.blocked} (the system found the destination outside
     *       {@code BackgroundUploadURLBase}), or a job created or retried with a URL on another
     *       origin than the cloud's;
     *   <li>a {@code job.retry} while consent is withdrawn, and withdrawn already when its call
     *       started (the system does not refuse a retry, and the retried job uploads:
     *       {@link ConsentRules.Tracker}); consent withdrawn during the call, after the extension
     *       checked it, is not the extension's doing;
     *   <li>a write the cloud stored whose bytes belong to no resource the library ever held
     *       (an end-state check; the excerpt is the end of the trace).
     * </ul>
     */
    static final class NothingUploadedOutOfBounds extends MustRule {
        NothingUploadedOutOfBounds() {
            super("E2E-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            ConsentRules.Tracker consent = new ConsentRules.Tracker(evidence);
            ResourceFates fates = ResourceFates.of(evidence);
            int created = 0;
            boolean withdrawnAtStart = false;
            for (TraceEvent event : evidence.events()) {
                consent.see(event);
                if (DownloadOnly.is(event)) {
                    continue; // a download-only job has no destination and sends nothing (CNS-01 judges its creation)
                }
                switch (event.name()) {
                    case "call.start" -> withdrawnAtStart = consent.withdrawn();
                    case "transfer.blocked" -> {
                        return fail(evidence, event, event.text("job") + " has a destination outside uploadUrlBase: "
                                + event.text("url"));
                    }
                    case "job.create", "job.retry" -> {
                        if (event.name().equals("job.create")) {
                            created++;
                            ResourceFates.ResourceFate fate = fates.of(event.text("resource"));
                            if (fate != null && fate.fate() == ResourceFates.Fate.OUT_OF_SCOPE) {
                                return fail(evidence, event, "created " + event.text("job") + " for " + fate.resource()
                                        + ", which the declared scope (" + fates.scope().describe() + ") leaves to the host app: "
                                        + fate.why());
                            }
                        }
                        // the upload host of either server the host app's account lives on (host.server)
                        if (event.fields().has("url") && !ServerChanges.onAServer(event.text("url"))) {
                            return fail(evidence, event, event.text("job") + " has a destination on another origin: "
                                    + event.text("url"));
                        }
                        if (event.name().equals("job.retry") && consent.withdrawn() && withdrawnAtStart) {
                            return fail(evidence, event, event.text("job") + " was retried (uploaded again) while consent was withdrawn"
                                    + " (since before its call started)");
                        }
                    }
                    default -> {
                    }
                }
            }
            if (created == 0) {
                return Verdict.notExercised(ruleId(), "no job was created");
            }
            TreeSet<String> known = new TreeSet<>();
            for (AssetResource resource : evidence.library().everResources().values()) {
                known.add(evidence.payloads().sha256(resource));
            }
            for (CloudInventory.Write write : evidence.inventory().writes()) {
                if (!known.contains(write.sha256())) {
                    List<TraceEvent> events = evidence.events();
                    return Verdict.fail(ruleId(), "the cloud stored " + write.key() + " whose bytes belong to no resource ever in the library",
                            events.subList(Math.max(0, events.size() - 3), events.size()));
                }
            }
            return Verdict.pass(ruleId(), created + " jobs, every destination under uploadUrlBase, nothing uploaded out of bounds"
                    + (fates.scope().declared() ? " or out of the declared scope" : ""));
        }

        private Verdict fail(RunEvidence evidence, TraceEvent event, String message) {
            return Verdict.fail(ruleId(), message, evidence.excerptEndingAt(event, 5));
        }
    }

    /**
     * E2E-03: jobs of assets deleted or offloaded mid-backup are resolved (acknowledged or
     * cancelled) without looping. <em>Exercised</em> by a {@code library.delete} or
     * {@code library.offload} of an asset with an unacknowledged job at that moment.
     * <em>Violated</em> by:
     * <ul>
     *   <li>looping: after an asset's deletion, a third futile attempt for one of its resources
     *       — a retry of its job or a creation (committed, or refused by the system as
     *       {@code IDENTIFIER_NOT_FOUND} at a commit the extension was answered); two are forgiven
     *       (the extension may not have seen the deletion yet, and a block refused whole may be
     *       tried again one by one). A creation inside a block that never reached its commit
     *       ({@code changes.abandoned}: the process was killed, the block threw) is no attempt:
     *       the extension never learnt it was refused (explore:57 on the OneDrive style);
     *   <li>at the end of the run, a job that was unacknowledged when its asset was deleted or
     *       offloaded and that was never acknowledged or cancelled.
     * </ul>
     */
    static final class JobsOfDeletedAssetsResolved extends MustRule {
        JobsOfDeletedAssetsResolved() {
            super("E2E-03");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TreeMap<String, String> resourceOfJob = new TreeMap<>();
            TreeMap<String, TraceEvent> unacknowledged = new TreeMap<>(); // job -> its creation
            TreeSet<String> deletedAssets = new TreeSet<>();
            TreeMap<String, TraceEvent> affected = new TreeMap<>(); // job -> the delete/offload event
            TreeMap<String, Integer> futile = new TreeMap<>(); // resource -> futile attempts since deletion
            TreeSet<String> exercised = new TreeSet<>(); // jobs unacknowledged when their asset went
            // block -> its creates refused IDENTIFIER_NOT_FOUND for a deleted asset (event, resource), counted
            // when the block is rejected (the extension is answered), forgotten when it is abandoned
            TreeMap<Long, List<Map.Entry<TraceEvent, String>>> refusedInBlock = new TreeMap<>();
            for (TraceEvent event : evidence.events()) {
                String job = event.text("job");
                switch (event.name()) {
                    case "job.create" -> {
                        resourceOfJob.put(job, event.text("resource"));
                        unacknowledged.put(job, event);
                        String resource = event.text("resource");
                        if (deletedAssets.contains(Attempts.assetOf(resource))) {
                            Verdict loop = futile(evidence, event, resource, futile);
                            if (loop != null) {
                                return loop;
                            }
                        }
                    }
                    case "job.retry" -> {
                        String resource = resourceOfJob.get(job);
                        if (resource != null && deletedAssets.contains(Attempts.assetOf(resource))) {
                            Verdict loop = futile(evidence, event, resource, futile);
                            if (loop != null) {
                                return loop;
                            }
                        }
                    }
                    case "change.illegal" -> {
                        if (event.text("op").equals("create") && event.text("code").equals("IDENTIFIER_NOT_FOUND")) {
                            String reason = event.text("reason");
                            for (String asset : deletedAssets) {
                                int at = reason.indexOf(asset + "#");
                                if (at >= 0) {
                                    int end = reason.indexOf(' ', at);
                                    String resource = end < 0 ? reason.substring(at) : reason.substring(at, end);
                                    refusedInBlock.computeIfAbsent(event.number("block"), b -> new java.util.ArrayList<>())
                                            .add(Map.entry(event, resource));
                                    break;
                                }
                            }
                        }
                    }
                    case "changes.rejected" -> {
                        List<Map.Entry<TraceEvent, String>> refused = refusedInBlock.remove(event.number("block"));
                        for (Map.Entry<TraceEvent, String> create : refused == null ? List.<Map.Entry<TraceEvent, String>>of() : refused) {
                            Verdict loop = futile(evidence, create.getKey(), create.getValue(), futile);
                            if (loop != null) {
                                return loop;
                            }
                        }
                    }
                    case "changes.abandoned" -> refusedInBlock.remove(event.number("block"));
                    case "job.ack", "job.cancel" -> {
                        unacknowledged.remove(job);
                        affected.remove(job);
                    }
                    case "library.delete", "library.offload" -> {
                        String asset = event.text("asset");
                        if (event.name().equals("library.delete")) {
                            deletedAssets.add(asset);
                        }
                        for (Map.Entry<String, TraceEvent> entry : unacknowledged.entrySet()) {
                            if (Attempts.assetOf(resourceOfJob.get(entry.getKey())).equals(asset)) {
                                affected.put(entry.getKey(), event);
                                exercised.add(entry.getKey());
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            if (exercised.isEmpty()) {
                return Verdict.notExercised(ruleId(), "no asset was deleted or offloaded while it had an unacknowledged job");
            }
            int count = exercised.size();
            if (!affected.isEmpty()) {
                Map.Entry<String, TraceEvent> first = affected.firstEntry();
                return Verdict.fail(ruleId(), affected.size() + " jobs of deleted or offloaded assets never acknowledged or cancelled, first "
                        + first.getKey() + " (" + first.getValue().name() + " " + first.getValue().text("asset") + ")",
                        evidence.excerptEndingAt(first.getValue(), 5));
            }
            return Verdict.pass(ruleId(), count + " jobs of deleted or offloaded assets, all resolved without looping");
        }

        private Verdict futile(RunEvidence evidence, TraceEvent event, String resource, TreeMap<String, Integer> futile) {
            int attempts = futile.merge(resource, 1, Integer::sum);
            // Two attempts are not a loop: a block of creates is refused as a whole (LIMIT_EXCEEDED
            // and IDENTIFIER_NOT_FOUND reject everything in it), so an extension that batches may
            // try the refused creates once more one by one to find the one whose asset is gone
            // (the sample does, over OneDrive's slow session set-up). A third try is a loop.
            if (attempts < 3) {
                return null;
            }
            return Verdict.fail(ruleId(), resource + " was deleted from the library and still attempted " + attempts
                    + " times (" + event.name() + " " + event.text("job") + ")", evidence.excerptEndingAt(event, 5));
        }
    }
}
