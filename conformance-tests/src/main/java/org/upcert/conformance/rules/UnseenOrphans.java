package org.upcert.conformance.rules;

import java.util.TreeMap;
import java.util.TreeSet;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.evidence.TraceEvent;

/**
 * Jobs an extension could not know it had, when it created a second one for the same resource
 * (DUP-01, TRM-03 judge only what the extension could observe and avoid).
 *
 * <p>An <em>orphan</em> is a job whose change block committed in an activation that was then
 * killed before the extension made another API call: inside {@code performChanges} after the
 * commit (the call never returned), or at the very next call (the ledger write that would have
 * recorded it). A commit already sent survives its process's death (reference §6), so the job runs
 * on. From iOS 26.5 the PROCESS set ({@code fetchJobs(.process)}) shows it, and a second job is
 * avoidable. Before 26.5 no API shows a job in flight: an extension that wrote an intent before the
 * commit knows only "maybe", and learns the answer when the job shows up finished, which a slow
 * uplink may delay past any wait (explore:790: a 250 MB video on a degraded link finished 54 min
 * after the kill; the sample and FullWalkExtension both made a second job). So a second job
 * created while the orphan is still in flight, on a level without the PROCESS set, and before the
 * orphan showed up finished, is not held against the extension (the second upload is DUP-02's
 * figure). The kills-after-commit profile plays the situation at 26.5, where it is judged.
 */
final class UnseenOrphans {
    /** Orphan job → its commit's line. */
    private final TreeMap<String, Integer> orphans = new TreeMap<>();
    /** Job → the line from which the extension could see it finished (job.visible, else job.succeeded/failed). */
    private final TreeMap<String, Integer> seenFinished = new TreeMap<>();
    /** Line → whether the OS level from that line on has the PROCESS set (26.5 and later). */
    private final TreeMap<Integer, Boolean> processSetFrom = new TreeMap<>();
    private final boolean processSetAtStart;

    private UnseenOrphans(RunEvidence evidence) {
        processSetAtStart = hasProcessSet(evidence.header().path("workload").path("os").asText(""));
        boolean lagged = evidence.header().path("policy").path("fetchLagMaxMs").asLong(0) > 0;
        TreeSet<String> lastBlock = new TreeSet<>(); // jobs created by the last commit of the running call, until its next API call
        int lastCommitLine = 0;
        for (TraceEvent event : evidence.events()) {
            switch (event.name()) {
                case "call.start", "call.end" -> lastBlock.clear();
                case "changes.commit" -> {
                    lastBlock.clear();
                    lastCommitLine = event.line();
                }
                case "job.create" -> {
                    if (lastCommitLine > 0) {
                        lastBlock.add(event.text("job"));
                    }
                }
                case "process.kill" -> {
                    for (String job : lastBlock) {
                        orphans.put(job, lastCommitLine);
                    }
                    lastBlock.clear();
                }
                case "job.succeeded", "job.failed" -> {
                    if (!lagged) {
                        seenFinished.putIfAbsent(event.text("job"), event.line());
                    }
                }
                case "job.visible" -> {
                    if (!event.text("state").equals("PENDING")) {
                        seenFinished.putIfAbsent(event.text("job"), event.line());
                    }
                }
                case "os.upgrade" -> {
                    if (!event.fields().has("skipped") && event.fields().has("to")) {
                        processSetFrom.put(event.line(), hasProcessSet(event.text("to")));
                    }
                }
                default -> {
                    // any other API call of the extension (storage, fetch, http…) ends the window
                    if (event.fields().has("n") && !lastBlock.isEmpty() && !event.name().startsWith("job.")) {
                        lastBlock.clear();
                    }
                }
            }
        }
    }

    static UnseenOrphans of(RunEvidence evidence) {
        return evidence.derived(UnseenOrphans.class, UnseenOrphans::new);
    }

    /**
     * Whether {@code open}, an unacknowledged job of the resource {@code create} makes a second job
     * for, was an orphan the extension could not see at that create.
     */
    boolean unseen(String open, TraceEvent create) {
        if (!orphans.containsKey(open) || processSetAt(create.line())) {
            return false;
        }
        Integer finished = seenFinished.get(open);
        return finished == null || finished > create.line();
    }

    private boolean processSetAt(int line) {
        java.util.Map.Entry<Integer, Boolean> upgrade = processSetFrom.floorEntry(line);
        return upgrade == null ? processSetAtStart : upgrade.getValue();
    }

    /** iOS 26.5 and later list the jobs in flight (fetchJobs(.process)). */
    static boolean hasProcessSet(String level) {
        String[] parts = level.split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 26 || (major == 26 && minor >= 5);
        } catch (NumberFormatException e) {
            return true; // unknown: judged as if the extension could see
        }
    }
}
