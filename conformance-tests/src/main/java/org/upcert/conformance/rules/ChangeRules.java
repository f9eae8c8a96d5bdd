package org.upcert.conformance.rules;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.api.AssetResource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;
import org.upcert.conformance.verdict.Verdict;

/** The CHG rules: following the library's changes. */
public final class ChangeRules {
    private ChangeRules() {
    }

    public static List<RuleChecker> all() {
        return List.of(new ResyncsOnExpiredToken(), new UploadsAddedAssets());
    }

    private static boolean expired(TraceEvent event) {
        return event.name().equals("library.changes") && (event.text("code").equals("PERSISTENT_CHANGE_TOKEN_EXPIRED")
                || event.text("code").equals("PERSISTENT_CHANGE_DETAILS_UNAVAILABLE"));
    }

    /** Live resources at the end, by asset. */
    private static TreeMap<String, TreeSet<String>> liveByAsset(RunEvidence evidence) {
        TreeMap<String, TreeSet<String>> byAsset = new TreeMap<>();
        if (evidence.library() == null) {
            return byAsset;
        }
        for (AssetResource resource : evidence.library().everResources().values()) {
            if (evidence.liveResources().contains(resource.key())) {
                byAsset.computeIfAbsent(resource.assetLocalIdentifier(), a -> new TreeSet<>()).add(resource.key());
            }
        }
        return byAsset;
    }

    /**
     * CHG-01: on an expired change token the extension resynchronises and returns PROCESSING;
     * no asset is missed. FAIL at the {@code call.end} of a call that read
     * {@code PERSISTENT_CHANGE_TOKEN_EXPIRED} (or details unavailable) from
     * {@code fetchPersistentChanges} and returned anything but PROCESSING — FAILURE is allowed
     * when the same call also met another error (its own HTTP refused, e.g. a sign-in the cloud
     * answered 403: the resync cannot go on, and RES-02 judges that FAILURE); at the end, FAIL if a
     * resource of an asset that was in the library when the extension last read the expired
     * token (and still is) is {@link ResourceFates.Fate#LOST} (not in the cloud, in scope,
     * eligible, not given up after a permanent failure): a resync must find what the pruned history no
     * longer lists, and an extension that keeps reading the expired token falls further behind. Exercised by a {@code library.changes} line with that code.
     */
    static final class ResyncsOnExpiredToken extends MustRule {
        ResyncsOnExpiredToken() {
            super("CHG-01");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TraceEvent lastExpiry = null;
            int expiries = 0;
            boolean expiredInCall = false;
            boolean otherError = false;
            TreeSet<String> addedAfterExpiry = new TreeSet<>();
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("call.start")) {
                    expiredInCall = false;
                    otherError = false;
                } else if (expired(event)) {
                    expiries++;
                    expiredInCall = true;
                    lastExpiry = event;
                    addedAfterExpiry.clear();
                } else if (lastExpiry != null && event.name().equals("library.insert")) {
                    addedAfterExpiry.add(event.text("asset"));
                } else if (ResultRules.errorMet(event)) {
                    otherError = true;
                } else if (expiredInCall && event.name().equals("call.end") && event.text("outcome").equals("returned")
                        && !event.text("result").equals("PROCESSING")
                        && !(event.text("result").equals("FAILURE") && otherError)) {
                    return Verdict.fail(ruleId(), "activation " + event.activation() + " met an expired change token and returned "
                            + event.text("result"), evidence.excerptEndingAt(event, 5));
                }
            }
            if (lastExpiry == null) {
                return Verdict.notExercised(ruleId(), "the extension never met an expired change token");
            }
            ResourceFates fates = ResourceFates.of(evidence);
            TreeSet<String> missed = new TreeSet<>();
            for (var entry : liveByAsset(evidence).entrySet()) {
                if (!addedAfterExpiry.contains(entry.getKey())) {
                    for (String key : entry.getValue()) {
                        if (fates.of(key).fate() == ResourceFates.Fate.LOST) {
                            missed.add(key);
                        }
                    }
                }
            }
            if (!missed.isEmpty()) {
                return Verdict.fail(ruleId(), missed.size() + " resources of assets in the library when the extension last met the"
                        + " expired token were lost; resource " + fates.of(missed.first()).describe(),
                        evidence.excerptEndingAt(lastExpiry, 5));
            }
            return Verdict.pass(ruleId(), expiries + " expired-token reads, each answered PROCESSING; nothing missed");
        }
    }

    /**
     * CHG-02: assets added during a backup are uploaded too. Every asset inserted during the
     * fault phase ({@code library.insert} with a {@code fault}, before {@code phase.recovery})
     * and still in the library at the end must have none of its resources
     * {@link ResourceFates.Fate#LOST} (judged at the end, after the recovery phase: each is in
     * the cloud with the right bytes, out of the declared scope, over the cloud's cap, or given
     * up after a permanent failure). FAIL names the first missing
     * resource, with its insert as the excerpt. Exercised by such an insert whose asset is still
     * in the library.
     */
    static final class UploadsAddedAssets extends MustRule {
        UploadsAddedAssets() {
            super("CHG-02");
        }

        @Override
        public Verdict check(RunEvidence evidence) {
            TreeMap<String, TreeSet<String>> live = liveByAsset(evidence);
            ResourceFates fates = ResourceFates.of(evidence);
            int added = 0;
            for (TraceEvent event : evidence.events()) {
                if (event.name().equals("phase.recovery")) {
                    break;
                }
                if (!event.name().equals("library.insert") || !event.fields().has("fault")) {
                    continue;
                }
                TreeSet<String> resources = live.get(event.text("asset"));
                if (resources == null) {
                    continue; // deleted again since
                }
                added++;
                for (String key : resources) {
                    ResourceFates.ResourceFate fate = fates.of(key);
                    if (fate.fate() == ResourceFates.Fate.LOST) {
                        return Verdict.fail(ruleId(), "asset " + event.text("asset") + " added during the backup was never uploaded: "
                                + "resource " + fate.describe(), evidence.excerptEndingAt(event, 5));
                    }
                }
            }
            return added == 0 ? Verdict.notExercised(ruleId(), "no asset added during the fault phase stayed in the library")
                    : Verdict.pass(ruleId(), added + " assets added during the backup, all uploaded");
        }
    }
}
