package org.upcert.conformance.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.rules.RuleCatalogue;
import org.upcert.harness.run.RunOptions;

/**
 * A correct OneDrive extension written apart from the sample, and its broken twin.
 * {@code clients/python/examples/onedrive_session_extension.py} (the journal style of the Google Photos
 * one) opens an upload session of its own for every attempt and gives its {@code uploadUrl} as the
 * job's destination; after a failed job it asks Graph for the item by path. Its twin
 * {@code mutant_onedrive_reuses_expired_session.py} opens one session per resource and sends every
 * later attempt to it: once a job waited in the queue past the session's 15 minutes, every attempt is
 * refused 404 ("upload session expired").
 *
 * <p>Cheap on purpose: one profile, {@code expired-urls} seed 1 (sessions expire in the queue, injected
 * 403s, resources over the 60 MiB fragment cap), {@code --transport direct}, the strict stub. The twin
 * certified before RTY-03 judged a reused session URL as stale (only a URL with a query, a presigned
 * one, was): it lost 43 resources and failed no MUST rule, because after five refusals over 30 minutes
 * giving up counts as justified and E2E-01 reads the same fate. Measured through the CLI (JVM start
 * included, load ~7 on 2 cores): 6.8 s of CPU and 21.7 s wall for the style, 7.5 s and 28.6 s for the
 * twin; the class 21.3 s wall in a verify at load ~8 (style 9.7 s, twin 11.3 s). Skipped (reported SKIPPED) without a {@code python3} of version 3.9 or newer.
 */
class OneDriveSessionExtensionAcceptanceTest {

    @Test
    @DisplayName("the OneDrive session style (a session per attempt) fails no rule on expired-urls, seed 1, strict stub:"
            + " expired sessions renewed (RTY-03 PASS), nothing lost")
    void sessionStyleFailsNothing(@TempDir Path out) throws Exception {
        String python = Python.require();
        Python.Outcome outcome = Python.certify("--extension-cmd",
                Python.command(python, Python.EXAMPLES.resolve("onedrive_session_extension.py")),
                "--cloud", "onedrive", "--profiles", "expired-urls", "--seeds", "1",
                "--transport", "direct", "--json", "--quiet", "--out", out.toString());
        JsonNode json = Python.failsNothing(outcome);
        for (JsonNode rule : json.path("rules")) {
            if (List.of("RTY-02", "RTY-03", "E2E-01", "CLD-02").contains(rule.path("id").asText())) {
                assertEquals("PASS", rule.path("verdict").asText(), rule.toString());
            }
        }
    }

    @Test
    @DisplayName("its twin that sends every attempt to the resource's first upload session fails RTY-03 on expired-urls:"
            + " the same pre-authenticated URL after the stub refused it as an expired session")
    void reusedSessionTwinFailsRty03() throws Exception {
        String python = Python.require();
        RunEvidence evidence = Python.simulate(python, "mutant_onedrive_reuses_expired_session.py", "expired-urls",
                RunOptions.inMemory().withTransport("direct").withCloud("onedrive"));
        long expired = evidence.inventory().refusals().stream()
                .filter(r -> r.reason().contains("upload session expired")).count();
        assertTrue(expired > 0, "sessions expired in the queue");
        var verdict = RuleCatalogue.judge("RTY-03", evidence);
        assertEquals("FAIL", verdict.status().name(), verdict.message());
        assertTrue(verdict.message().contains("with the stale destination") && verdict.message().contains("upload session expired"),
                verdict.message());
    }

    @Test
    @DisplayName("the journal style reads the PROCESS set only with full access (explore:34, iOS 26.5, shrunk: limited access"
            + " while jobs were in flight): CLD-02 PASS; its twin that took the empty set for jobs gone queued them again and,"
            + " access back, acknowledged their outcomes unread: a success without a resource not recognised, CLD-02 FAIL")
    void processSetReadOnlyWithFullAccess() throws Exception {
        RunEvidence twin = caughtTwin("mutant_onedrive_reconciles_without_access.py", "onedrive-CLD-02-seed-34.yaml", 34,
                List.of("CLD-02"), List.of("CLD-02", "RTY-02", "DUP-01", "E2E-01"));
        assertTrue(twin.events().stream().anyMatch(e -> e.name().equals("fault.start") && e.text("kind").equals("consent.access")),
                "access is limited for a while");
    }

    @Test
    @DisplayName("the OneDrive session style answers FAILURE when Graph opens no upload session and nothing moved (explore:58,"
            + " shrunk: a 429 on every createUploadSession): RES-03 PASS; its twin answers PROCESSING every 5 minutes, RES-03 FAIL")
    void failureWhenNoSessionOpens() throws Exception {
        RunEvidence twin = caughtTwin("mutant_onedrive_processing_when_sessions_refused.py", "onedrive-RES-03-seed-58.yaml", 58,
                List.of("RES-03"), List.of("RES-03"));
        assertTrue(twin.events().stream().anyMatch(e -> e.name().equals("http") && e.text("url").endsWith(":/createUploadSession")
                && e.number("status") == 429), "Graph refuses to open sessions");
    }

    @Test
    @DisplayName("TRM-03 (a suite bug, the checker): a success of a job sent to server 2 before the account left it, acknowledged"
            + " after the move back by an activation then killed, is no success the kill lost: the style holds a job that crossed"
            + " a change of server for nothing and uploads again, kill or no kill (explore:18, shrunk)")
    void aMoveNotAKillMadeItUploadAgain() throws Exception {
        String python = Python.require();
        RunEvidence style = Python.simulate(python, "onedrive_session_extension.py",
                "src/test/resources/styles-corpus/onedrive-TRM-03-seed-18.yaml", 18,
                RunOptions.inMemory().withTransport("direct").withCloud("onedrive"));
        assertTrue(style.events().stream().filter(e -> e.name().equals("host.server") && !e.fields().has("skipped")).count() >= 3,
                "the account moves to server 2, to 1 and back to 2");
        assertTrue(style.events().stream().anyMatch(e -> e.name().equals("process.kill")
                && e.text("reason").contains("after the commit")), "a kill right after a commit");
        var trm03 = RuleCatalogue.judge("TRM-03", style);
        assertEquals("PASS", trm03.status().name(), trm03.message());
    }

    @Test
    @DisplayName("the journal style drops a resource whose job failed with -1100 when the library no longer has it"
            + " (explore:57, iOS 26.5): no create after the -1100; its twin queues it again and is refused IDENTIFIER_NOT_FOUND,"
            + " E2E-03 PASS for both: the twin's third attempt was a create in a block killed before its commit, no attempt")
    void aDeletedPhotoIsNotQueuedAgain() throws Exception {
        String python = Python.require();
        String pinned = "src/test/resources/styles-corpus/onedrive-E2E-03-seed-57.yaml";
        RunOptions options = RunOptions.inMemory().withTransport("direct").withCloud("onedrive");
        RunEvidence twin = Python.simulate(python, "mutant_onedrive_requeues_deleted.py", pinned, 57, options);
        assertTrue(twin.events().stream().anyMatch(e -> e.name().equals("job.failed") && e.number("code") == -1100),
                "a job fails because its asset was deleted");
        assertTrue(twin.events().stream().anyMatch(e -> e.name().equals("changes.abandoned")
                && e.text("reason").equals("process killed before the commit")), "a block killed before its commit");
        assertTrue(refusedAfterMinus1100(twin) >= 2, "the twin creates again what failed with -1100: " + refusedAfterMinus1100(twin));
        // Before the E2E-03 fix the twin FAILed here: its create inside the abandoned block was counted as a
        // third attempt. With it counted out the twin makes two futile attempts (a retry, one refused create),
        // which E2E-03 forgives; the style's fix still saves the refused create (DeletedAssetAttemptsTest).
        var twinVerdict = RuleCatalogue.judge("E2E-03", twin);
        assertEquals("PASS", twinVerdict.status().name(), twinVerdict.message());
        RunEvidence style = Python.simulate(python, "onedrive_session_extension.py", pinned, 57, options);
        assertEquals(0, refusedAfterMinus1100(style), "the style creates nothing again after -1100 for a deleted asset");
        var verdict = RuleCatalogue.judge("E2E-03", style);
        assertEquals("PASS", verdict.status().name(), verdict.message());
    }

    @Test
    @DisplayName("the journal style opens no upload session once told to stop (explore:36, iOS 26.5): the failed jobs it meant to"
            + " retry in place are acknowledged and queued again, and the call returns within the grace period, TRM-01 PASS;"
            + " its twin signs in and opens a session after the notice, which cloud.slow answers 3 s later, TRM-01 FAIL")
    void noSessionOpensAfterTheNotice() throws Exception {
        RunEvidence twin = caughtTwin("mutant_onedrive_opens_sessions_after_notice.py", "onedrive-TRM-01-seed-36.yaml", 36,
                List.of("TRM-01"), List.of("TRM-01"));
        boolean afterNotice = false;
        boolean sessionAfterNotice = false;
        for (var e : twin.events()) {
            if (e.name().equals("process.notice") && e.fields().has("grace")) {
                afterNotice = true;
            } else if (e.name().equals("call.end")) {
                afterNotice = false;
            } else if (afterNotice && e.name().equals("http") && e.text("url").endsWith(":/createUploadSession")) {
                sessionAfterNotice = true;
            }
        }
        assertTrue(sessionAfterNotice, "the twin opens an upload session after the notice");
        var caught = RuleCatalogue.judge("TRM-01", twin);
        assertTrue(caught.message().contains("did not return within 5000 ms of willTerminate"), caught.message());
    }

    @Test
    @DisplayName("the journal style opens no session for a new job once told to stop, even when the notice comes inside create"
            + " (explore:589, iOS 27): the notice during job_limit, after the check before create; its twin opens a session"
            + " for the queue's head, which network.degraded and cloud.slow answer past the grace period, TRM-01 FAIL; the style"
            + " returns in time, TRM-01, DUP-01, E2E-01, ACK-01 PASS")
    void noSessionForANewJobAfterTheNotice() throws Exception {
        RunEvidence twin = caughtTwin("mutant_onedrive_opens_sessions_in_create_after_notice.py", "onedrive-TRM-01-seed-589.yaml",
                589, List.of("TRM-01"), List.of("TRM-01", "DUP-01", "E2E-01", "ACK-01"));
        boolean afterNotice = false;
        boolean newSessionAfterNotice = false;
        for (var e : twin.events()) {
            if (e.name().equals("process.notice") && e.fields().has("grace")) {
                afterNotice = true;
            } else if (e.name().equals("call.end")) {
                afterNotice = false;
            } else if (afterNotice && e.name().equals("http") && e.text("url").endsWith(":/createUploadSession")
                    && e.fields().has("lostStatus")) {
                newSessionAfterNotice = true; // opened after the notice, its answer due past the grace period
            }
        }
        assertTrue(newSessionAfterNotice, "the twin opens an upload session after the notice, answered past the grace period");
        var caught = RuleCatalogue.judge("TRM-01", twin);
        assertTrue(caught.message().contains("activation 17 did not return within 5000 ms of willTerminate"), caught.message());
    }

    @Test
    @DisplayName("E2E-03 (a suite bug, the checker): a deleted Live Photo's resources refused IDENTIFIER_NOT_FOUND in three create"
            + " blocks in a row, the first two killed before their commit: one attempt the style was answered, then dropped"
            + " (explore:4, iOS 26.1, shrunk 73 -> 36 faults): no E2E-03 FAIL; it FAILed before 91df6b1")
    void aKillBeforeTheCommitIsNoAttempt() throws Exception {
        String python = Python.require();
        RunEvidence style = Python.simulate(python, "onedrive_session_extension.py",
                "src/test/resources/styles-corpus/onedrive-E2E-03-seed-4.yaml", 4,
                RunOptions.inMemory().withTransport("direct").withCloud("onedrive"));
        // per resource of a deleted asset: [refused inside abandoned blocks, refused at a rejected commit]
        java.util.TreeMap<String, int[]> refused = new java.util.TreeMap<>();
        java.util.TreeMap<Long, List<String>> open = new java.util.TreeMap<>();
        for (var e : style.events()) {
            switch (e.name()) {
                case "change.illegal" -> {
                    if (e.text("code").equals("IDENTIFIER_NOT_FOUND")) {
                        String reason = e.text("reason");
                        int at = reason.indexOf("no resource ");
                        open.computeIfAbsent(e.number("block"), b -> new java.util.ArrayList<>())
                                .add(reason.substring(at + 12, reason.indexOf(' ', at + 12)));
                    }
                }
                case "changes.abandoned", "changes.rejected" -> {
                    for (String resource : open.getOrDefault(e.number("block"), List.of())) {
                        refused.computeIfAbsent(resource, r -> new int[2])[e.name().equals("changes.abandoned") ? 0 : 1]++;
                    }
                    open.remove(e.number("block"));
                }
                default -> {
                }
            }
        }
        assertTrue(refused.values().stream().anyMatch(n -> n[0] >= 2 && n[1] == 1),
                "a resource refused in two blocks killed before their commit, then in one rejected block");
        assertTrue(refused.values().stream().allMatch(n -> n[1] <= 1), "the style drops what one rejected block refused");
        // No job was unacknowledged when the asset went, so E2E-03 is not exercised; before 91df6b1 the loop count
        // (3 attempts, two of them abandoned) FAILed it all the same.
        var verdict = RuleCatalogue.judge("E2E-03", style);
        assertTrue(verdict.status().name().equals("PASS") || verdict.status().name().equals("NOT_EXERCISED"), verdict.toString());
    }

    /** Creates refused IDENTIFIER_NOT_FOUND (abandoned blocks included) for a resource after one of its jobs failed with -1100. */
    private static long refusedAfterMinus1100(RunEvidence evidence) {
        java.util.TreeMap<String, String> resourceOfJob = new java.util.TreeMap<>();
        java.util.TreeSet<String> gone = new java.util.TreeSet<>();
        long refused = 0;
        for (var e : evidence.events()) {
            switch (e.name()) {
                case "job.create" -> resourceOfJob.put(e.text("job"), e.text("resource"));
                case "job.failed" -> {
                    if (e.number("code") == -1100 && resourceOfJob.containsKey(e.text("job"))) {
                        gone.add(resourceOfJob.get(e.text("job")));
                    }
                }
                case "change.illegal" -> {
                    String reason = e.text("reason");
                    if (e.text("code").equals("IDENTIFIER_NOT_FOUND") && gone.stream().anyMatch(r -> reason.contains(r + " "))) {
                        refused++;
                    }
                }
                default -> {
                }
            }
        }
        return refused;
    }

    @Test
    @DisplayName("the journal style keeps a job's missing mark only for the attempt it was set for (explore:99, iOS 26.1 upgraded"
            + " to 26.5, 413s on a 180 MB video): DUP-01 and RTY-02 PASS; its twin kept a mark an earlier attempt's job left and"
            + " took the next attempt's job, failed but not shown yet, for gone at once: a second job beside it, DUP-01 and RTY-02 FAIL")
    void aMissingMarkBelongsToItsAttempt() throws Exception {
        RunEvidence twin = caughtTwin("mutant_onedrive_keeps_missing_mark.py", "onedrive-DUP-01-seed-99.yaml", 99,
                List.of("DUP-01", "RTY-02"), List.of("DUP-01", "RTY-02", "E2E-01"));
        assertTrue(twin.events().stream().anyMatch(e -> e.name().equals("os.upgrade") && e.text("to").equals("26.5")),
                "the PROCESS set (26.5) comes with an upgrade");
        var duplicate = RuleCatalogue.judge("DUP-01", twin);
        assertTrue(duplicate.message().contains("while J000465 for it is still unacknowledged"), duplicate.message());
    }

    /**
     * A finding of the style kept as the pinned profile {@code styles-corpus/NAME} with its twin: the twin FAILs each of
     * {@code twinFails} there, the style PASSes each of {@code stylePasses}; the twin's run, for the test's own checks.
     * Direct transport, the OneDrive dialect, as the profiles were explored.
     */
    private static RunEvidence caughtTwin(String twin, String name, long seed, List<String> twinFails, List<String> stylePasses)
            throws Exception {
        String python = Python.require();
        String pinned = "src/test/resources/styles-corpus/" + name;
        RunOptions options = RunOptions.inMemory().withTransport("direct").withCloud("onedrive");
        RunEvidence caught = Python.simulate(python, twin, pinned, seed, options);
        for (String rule : twinFails) {
            var verdict = RuleCatalogue.judge(rule, caught);
            assertEquals("FAIL", verdict.status().name(), twin + ", " + rule + ": " + verdict.message());
        }
        RunEvidence style = Python.simulate(python, "onedrive_session_extension.py", pinned, seed, options);
        for (String rule : stylePasses) {
            var verdict = RuleCatalogue.judge(rule, style);
            assertEquals("PASS", verdict.status().name(), "the style, " + rule + ": " + verdict.message());
        }
        return caught;
    }
}
