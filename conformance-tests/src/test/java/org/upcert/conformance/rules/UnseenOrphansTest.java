package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.testing.HandWrittenTrace;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * DUP-01 and TRM-03 beside a job the extension could not know it had ({@link UnseenOrphans}), on
 * small hand-written traces: a kill right after a commit, the job still in flight at the relaunch,
 * a second job for its resource. Before iOS 26.5 nothing shows that job (explore:790, where the
 * sample and FullWalkExtension were both failed for it); from 26.5 the PROCESS set does, and the
 * second job still FAILs both rules, as does one made after a chance to record the job or after
 * the job showed up finished.
 */
class UnseenOrphansTest {
    private static final String R = "A1#VIDEO";

    private final HandWrittenTrace trace = new HandWrittenTrace().live(R).fetchLagMaxMs(0);

    /**
     * Activation 1 commits J1 for R and is killed (right after the commit, or after {@code recordedFirst}
     * a storage write); activation 2 creates J2 for R, J1 finishing {@code finishedFirst} before or after.
     */
    private void killedAfterCommit(boolean recordedFirst, boolean finishedFirst) {
        trace.line(1000, "{\"ev\":\"call.start\",\"act\":1,\"reason\":\"enabled\",\"gen\":1,\"unacked\":0,\"presented\":0}");
        trace.line(1002, "{\"ev\":\"storage.append\",\"n\":1,\"name\":\"ledger.log\",\"bytes\":40}");
        trace.line(1004, "{\"ev\":\"changes.commit\",\"block\":1,\"create\":1,\"ack\":0,\"retry\":0,\"cancel\":0}");
        trace.line(1004, "{\"ev\":\"job.create\",\"job\":\"J1\",\"resource\":\"" + R + "\",\"method\":\"PUT\",\"url\":\"{cloud}/dav/a\"}");
        if (recordedFirst) {
            trace.line(1006, "{\"ev\":\"storage.append\",\"n\":3,\"name\":\"ledger.log\",\"bytes\":40}");
        }
        trace.line(1006, "{\"ev\":\"process.kill\",\"n\":4,\"reason\":\"planned kill inside performChanges, after the commit\"}");
        trace.line(1006, "{\"ev\":\"call.end\",\"act\":1,\"outcome\":\"killed\",\"ms\":6,\"calls\":4,\"changes\":1,\"headers\":0}");
        trace.line(1006, "{\"ev\":\"process.exit\",\"gen\":1,\"reason\":\"killed\"}");
        trace.line(1006, "{\"ev\":\"job.pending\",\"job\":\"J1\"}");
        if (finishedFirst) {
            trace.line(300_000, "{\"ev\":\"job.succeeded\",\"job\":\"J1\",\"status\":201}");
        }
        trace.line(400_000, "{\"ev\":\"process.launch\",\"gen\":2}");
        trace.line(400_000, "{\"ev\":\"call.start\",\"act\":2,\"reason\":\"after-kill\",\"gen\":2,\"unacked\":1,\"presented\":0}");
        trace.line(400_002, "{\"ev\":\"fetch.jobs\",\"n\":1,\"action\":\"ACKNOWLEDGE\",\"jobs\":[]}");
        trace.line(400_004, "{\"ev\":\"changes.commit\",\"block\":2,\"create\":1,\"ack\":0,\"retry\":0,\"cancel\":0}");
        trace.line(400_004, "{\"ev\":\"job.create\",\"job\":\"J2\",\"resource\":\"" + R + "\",\"method\":\"PUT\",\"url\":\"{cloud}/dav/a\"}");
        trace.line(400_006, "{\"ev\":\"call.end\",\"act\":2,\"outcome\":\"returned\",\"result\":\"PROCESSING\",\"ms\":6,\"calls\":2,"
                + "\"changes\":1,\"headers\":0}");
        if (!finishedFirst) {
            trace.line(3_000_000, "{\"ev\":\"job.succeeded\",\"job\":\"J1\",\"status\":201}");
        }
    }

    private Verdict judge(String os, String rule) {
        RunEvidence evidence = trace.os(os).evidence();
        return rule.equals("DUP-01") ? new LivenessCheckers.NoTwoLiveJobsPerResource().check(evidence)
                : new TerminationRules.ConvergesAfterKills().check(evidence);
    }

    @Test
    @DisplayName("iOS 26.1: a second job beside one a kill right after its commit hid, still in flight: DUP-01 and TRM-03 PASS")
    void unseenBefore265() {
        killedAfterCommit(false, false);
        Verdict dup01 = judge("26.1", "DUP-01");
        assertEquals(Status.PASS, dup01.status(), dup01.message());
        assertTrue(dup01.message().contains("1 beside a job a kill right after its commit hid"), dup01.message());
        Verdict trm03 = judge("26.1", "TRM-03");
        assertTrue(trm03.status() != Status.FAIL, trm03.message());
    }

    @Test
    @DisplayName("iOS 26.5: the PROCESS set shows the job, the second one FAILs DUP-01 and TRM-03")
    void seenFrom265() {
        killedAfterCommit(false, false);
        assertEquals(Status.FAIL, judge("26.5", "DUP-01").status());
        assertEquals(Status.FAIL, judge("26.5", "TRM-03").status());
    }

    @Test
    @DisplayName("iOS 26.1: a kill after the extension's next API call (it could have recorded the job): FAIL")
    void recordableBefore265() {
        killedAfterCommit(true, false);
        assertEquals(Status.FAIL, judge("26.1", "DUP-01").status());
        assertEquals(Status.FAIL, judge("26.1", "TRM-03").status());
    }

    @Test
    @DisplayName("iOS 26.1: the hidden job had shown up finished before the second one: FAIL")
    void finishedBefore265() {
        killedAfterCommit(false, true);
        assertEquals(Status.FAIL, judge("26.1", "DUP-01").status());
        assertEquals(Status.FAIL, judge("26.1", "TRM-03").status());
    }
}
