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
            // Successes the device saw, per resource: job.succeeded, or a 2xx reported as failure.
            TreeMap<String, String> resourceOfJob = new TreeMap<>();
            TreeMap<String, Integer> seen = new TreeMap<>();
            for (TraceEvent event : evidence.events()) {
                if (DownloadOnly.is(event)) {
                    continue; // a download-only success uploaded nothing
                }
                switch (event.name()) {
                    case "job.create" -> resourceOfJob.put(event.text("job"), event.text("resource"));
                    case "job.succeeded", "job.failed" -> {
                        boolean success = event.name().equals("job.succeeded")
                                || Attempts.classify(event) == Attempts.Failure.SUCCESS_STATUS;
                        String resource = resourceOfJob.get(event.text("job"));
                        if (success && resource != null) {
                            seen.merge(resource, 1, Integer::sum);
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
                String resource = resourceBySha.getOrDefault(write.sha256(), "sha256:" + write.sha256());
                writesPerResource.merge(resource, 1, Integer::sum);
                sizeOf.put(resource, write.declaredSize());
                if (write.hostApp()) {
                    byHostApp.add(resource);
                }
            }
            double duplicate = 0;
            double lost = 0;
            double afterHostApp = 0;
            int resources = 0;
            String first = null;
            for (var entry : writesPerResource.entrySet()) {
                int count = entry.getValue();
                if (count < 2) {
                    continue;
                }
                resources++;
                long size = sizeOf.get(entry.getKey());
                duplicate += (double) (count - 1) * size;
                if (byHostApp.contains(entry.getKey())) {
                    afterHostApp += (double) (count - 1) * size; // the host app's copy came first: it skips what the cloud holds
                    if (first == null) {
                        first = entry.getKey() + " (" + count + " writes, the first by the host app)";
                    }
                    continue;
                }
                int unseen = Math.max(0, count - seen.getOrDefault(entry.getKey(), 0));
                lost += (double) Math.min(count - 1, unseen) * size;
                if (first == null) {
                    first = entry.getKey() + " (" + count + " writes)";
                }
            }
            String message = resources == 0 ? writes.size() + " writes, no resource uploaded twice"
                    : resources + " resources uploaded more than once, first " + first + "; " + percent(lost, all)
                            + " of the bytes were re-uploads after lost responses (the device saw a failure), "
                            + percent(duplicate - lost - afterHostApp, all) + " re-uploads of uploads the device saw succeed"
                            + (byHostApp.isEmpty() ? "" : ", " + percent(afterHostApp, all)
                                    + " uploads of resources the host app had uploaded itself (listed in host/uploaded)");
            return Verdict.measured(ruleId(), Figure.ratio("duplicate bytes", duplicate, all), message);
        }

        private static String percent(double part, double whole) {
            return String.format(java.util.Locale.ROOT, "%.1f%%", whole == 0 ? 0 : 100 * part / whole);
        }
    }
}
