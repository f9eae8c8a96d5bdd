package org.upcert.conformance.rules;

import java.util.List;
import java.util.TreeMap;
import org.upcert.api.AssetResource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Figure;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.harness.cloud.CloudInventory;

/** DUP-02 (DUP-01 is in {@link LivenessCheckers}). */
public final class DuplicateRules {
    private DuplicateRules() {
    }

    /** DUP-02. */
    public static List<RuleChecker> all() {
        return List.of(new DuplicateBytes());
    }

    /**
     * DUP-02 (SHOULD, a figure): no resource is uploaded successfully twice. Judged on what the
     * cloud stored: every successful write ({@code inventory().writes()}), attributed to its
     * resource by the SHA-256 of its bytes. Figure: declared bytes of the writes beyond the first
     * per resource ÷ declared bytes of all writes (0% is best). Duplicates the extension could not
     * know about are reported apart in the message: writes the device never saw succeed (the
     * resource's writes beyond the jobs the device saw succeed, i.e. lost responses), and so are
     * uploads of resources the host app had uploaded itself ({@code host.upload}: listed in the app
     * group's {@code host/uploaded}; uploading them again is this figure, never a MUST failure).
     * After a change of server (host.server) duplicates are counted per stay of the account on the
     * server ({@link org.upcert.harness.cloud.CloudInventory.Write#stay}, upcert decides): a move
     * back finds what the server received before, but an extension cannot know what a server it
     * returns to holds unless it keeps a ledger per server, so uploading there again after a move
     * is not a duplicate; uploading twice within one stay is.
     * <em>Exercised</em> by at least one write; NOT_EXERCISED otherwise. Never FAIL.
     */
    static final class DuplicateBytes extends ShouldRule {
        DuplicateBytes() {
            super("DUP-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            List<CloudInventory.Write> writes = evidence.inventory().writes();
            if (writes.isEmpty()) {
                return Verdict.notExercised(ruleId(), "nothing was uploaded");
            }
            TreeMap<String, String> resourceBySha = new TreeMap<>();
            for (AssetResource resource : evidence.library().everResources().values()) {
                resourceBySha.put(evidence.payloads().sha256(resource), resource.key());
            }
            // Successes the device saw, per resource and stay on its server: job.succeeded, or a 2xx
            // reported as failure.
            TreeMap<String, String> resourceOfJob = new TreeMap<>();
            TreeMap<String, String> urlOfJob = new TreeMap<>(); // job -> its latest destination as traced
            TreeMap<String, Integer> seen = new TreeMap<>();
            ServerChanges.AsOfNow server = new ServerChanges.AsOfNow();
            TreeMap<String, Integer> stayOn = new TreeMap<>(); // upload host -> the account's stays there so far
            for (TraceEvent event : evidence.events()) {
                if (server.see(event)) {
                    stayOn.merge(server.uploadHost(), 1, Integer::sum); // as the server's inventory counts (accountArrived)
                    continue;
                }
                if (DownloadOnly.is(event)) {
                    continue; // a download-only success uploaded nothing
                }
                switch (event.name()) {
                    case "job.create", "job.retry" -> {
                        if (event.name().equals("job.create")) {
                            resourceOfJob.put(event.text("job"), event.text("resource"));
                        }
                        if (event.fields().has("url")) {
                            urlOfJob.put(event.text("job"), event.text("url"));
                        }
                    }
                    case "job.succeeded", "job.failed" -> {
                        boolean success = event.name().equals("job.succeeded")
                                || Attempts.classify(event) == Attempts.Failure.SUCCESS_STATUS;
                        String resource = resourceOfJob.get(event.text("job"));
                        if (success && resource != null) {
                            int stay = stayOn.getOrDefault(server.serverOfUpload(urlOfJob.get(event.text("job"))), 0);
                            seen.merge(resource + STAY + stay, 1, Integer::sum);
                        }
                    }
                    default -> {
                    }
                }
            }
            TreeMap<String, Integer> writesPerResource = new TreeMap<>();
            TreeMap<String, Long> sizeOf = new TreeMap<>();
            java.util.TreeSet<String> byHostApp = new java.util.TreeSet<>();
            double all = 0;
            for (CloudInventory.Write write : writes) {
                all += write.declaredSize();
                String resource = resourceBySha.getOrDefault(write.sha256(), "sha256:" + write.sha256()) + STAY + write.stay();
                writesPerResource.merge(resource, 1, Integer::sum);
                sizeOf.put(resource, write.declaredSize());
                if (write.hostApp()) {
                    byHostApp.add(resource);
                }
            }
            double duplicate = 0;
            double lost = 0;
            double afterHostApp = 0;
            java.util.TreeSet<String> twice = new java.util.TreeSet<>(); // resources written twice in one stay
            String first = null;
            for (var entry : writesPerResource.entrySet()) {
                int count = entry.getValue();
                if (count < 2) {
                    continue;
                }
                long size = sizeOf.get(entry.getKey());
                duplicate += (double) (count - 1) * size;
                String resource = entry.getKey().substring(0, entry.getKey().lastIndexOf(STAY));
                twice.add(resource);
                if (byHostApp.contains(entry.getKey())) {
                    afterHostApp += (double) (count - 1) * size; // the host app's copy came first: it skips what the cloud holds
                    if (first == null) {
                        first = resource + " (" + count + " writes, the first by the host app)";
                    }
                    continue;
                }
                int unseen = Math.max(0, count - seen.getOrDefault(entry.getKey(), 0));
                lost += (double) Math.min(count - 1, unseen) * size;
                if (first == null) {
                    first = resource + " (" + count + " writes)";
                }
            }
            String message = twice.isEmpty() ? writes.size() + " writes, no resource uploaded twice"
                    : twice.size() + " resources uploaded more than once, first " + first + "; " + percent(lost, all)
                            + " of the bytes were re-uploads after lost responses (the device saw a failure), "
                            + percent(duplicate - lost - afterHostApp, all) + " re-uploads of uploads the device saw succeed"
                            + (byHostApp.isEmpty() ? "" : ", " + percent(afterHostApp, all)
                                    + " uploads of resources the host app had uploaded itself (listed in host/uploaded)");
            return Verdict.measured(ruleId(), Figure.ratio("duplicate bytes", duplicate, all), message);
        }

        /** Separates a resource from the stay its writes are counted in: {@code asset#TYPE @stay 0}. */
        private static final String STAY = " @stay ";

        private static String percent(double part, double whole) {
            return String.format(java.util.Locale.ROOT, "%.1f%%", whole == 0 ? 0 : 100 * part / whole);
        }
    }
}
