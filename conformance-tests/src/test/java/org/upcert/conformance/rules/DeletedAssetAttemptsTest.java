package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.conformance.testing.HandWrittenTrace;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.conformance.verdict.Verdict.Status;

/**
 * E2E-03's loop count on small hand-written traces: what counts as a futile attempt for a resource
 * whose asset was deleted. A create the system refuses ({@code IDENTIFIER_NOT_FOUND}) counts when
 * its block is rejected at the commit, since the extension is answered; a create inside a block
 * that never reached its commit ({@code changes.abandoned}: the process was killed before it) does
 * not, since the extension never learnt the answer (explore:57, the OneDrive style: the second of
 * the three attempts counted was such a create).
 */
class DeletedAssetAttemptsTest {
    private static final String ASSET = "A1/L0/001";
    private static final String R = ASSET + "#VIDEO";

    private final HandWrittenTrace trace = new HandWrittenTrace().os("26.5");

    /** J1 for R, then the asset deleted while J1 is unacknowledged; J1 retried once after the deletion and acknowledged. */
    private void deletedWhileItsJobWaits() {
        trace.line(1000, "{\"ev\":\"changes.commit\",\"block\":1,\"create\":1,\"ack\":0,\"retry\":0,\"cancel\":0}");
        trace.line(1000, "{\"ev\":\"job.create\",\"job\":\"J1\",\"resource\":\"" + R + "\",\"method\":\"PUT\",\"url\":\"{cloud}/up/1\"}");
        trace.line(60_000, "{\"ev\":\"job.failed\",\"job\":\"J1\",\"code\":-1011,\"status\":413}");
        trace.line(120_000, "{\"ev\":\"library.delete\",\"asset\":\"" + ASSET + "\",\"fault\":0}");
        trace.line(200_000, "{\"ev\":\"changes.commit\",\"block\":2,\"create\":0,\"ack\":0,\"retry\":1,\"cancel\":0}");
        trace.line(200_000, "{\"ev\":\"job.retry\",\"job\":\"J1\",\"url\":\"{cloud}/up/2\"}");
        trace.line(200_300, "{\"ev\":\"job.failed\",\"job\":\"J1\",\"code\":-1100,\"reason\":\"the resource no longer exists\"}");
        trace.line(201_000, "{\"ev\":\"changes.commit\",\"block\":3,\"create\":0,\"ack\":1,\"retry\":0,\"cancel\":0}");
        trace.line(201_000, "{\"ev\":\"job.ack\",\"job\":\"J1\",\"state\":\"FAILED\"}");
    }

    /** A block creating R again: refused at its commit, or abandoned because the process was killed before it. */
    private void createRefused(int block, long t, boolean killedBeforeCommit) {
        trace.line(t, "{\"ev\":\"change.illegal\",\"block\":" + block + ",\"op\":\"create\",\"job\":\"J" + (block + 10)
                + "\",\"code\":\"IDENTIFIER_NOT_FOUND\",\"reason\":\"create J" + (block + 10) + ": no resource " + R + " in the library\"}");
        if (killedBeforeCommit) {
            trace.line(t + 10, "{\"ev\":\"changes.abandoned\",\"block\":" + block + ",\"changes\":3,\"reason\":\"process killed before the commit\"}");
            trace.line(t + 10, "{\"ev\":\"process.kill\",\"n\":7,\"reason\":\"planned kill inside performChanges, before the commit\"}");
        } else {
            trace.line(t + 10, "{\"ev\":\"changes.rejected\",\"block\":" + block + ",\"code\":\"IDENTIFIER_NOT_FOUND\",\"changes\":3,"
                    + "\"reason\":\"create J" + (block + 10) + ": no resource " + R + " in the library\"}");
        }
    }

    private Verdict judge() {
        return new EndToEndRules.JobsOfDeletedAssetsResolved().check(trace.evidence());
    }

    @Test
    @DisplayName("a retry and one refused create after the deletion, the only other create inside a block killed before its commit: E2E-03 PASS")
    void anAbandonedCreateIsNoAttempt() {
        deletedWhileItsJobWaits();
        createRefused(4, 300_000, true);
        createRefused(5, 700_000, false);
        Verdict verdict = judge();
        assertEquals(Status.PASS, verdict.status(), verdict.message());
    }

    @Test
    @DisplayName("a retry and two refused creates after the deletion, each answered at its commit: E2E-03 FAIL (a loop)")
    void committedRefusalsStillLoop() {
        deletedWhileItsJobWaits();
        createRefused(4, 300_000, false);
        createRefused(5, 700_000, false);
        Verdict verdict = judge();
        assertEquals(Status.FAIL, verdict.status(), verdict.message());
        assertTrue(verdict.message().contains(R + " was deleted from the library and still attempted 3 times"), verdict.message());
    }

    @Test
    @DisplayName("three refused creates after the deletion, each answered at its commit, an abandoned block between them: E2E-03 FAIL")
    void threeCommittedRefusalsLoopAroundAnAbandonedBlock() {
        trace.line(1000, "{\"ev\":\"changes.commit\",\"block\":1,\"create\":1,\"ack\":0,\"retry\":0,\"cancel\":0}");
        trace.line(1000, "{\"ev\":\"job.create\",\"job\":\"J1\",\"resource\":\"" + R + "\",\"method\":\"PUT\",\"url\":\"{cloud}/up/1\"}");
        trace.line(120_000, "{\"ev\":\"library.delete\",\"asset\":\"" + ASSET + "\",\"fault\":0}");
        trace.line(130_000, "{\"ev\":\"job.failed\",\"job\":\"J1\",\"code\":-1100,\"reason\":\"the resource no longer exists\"}");
        trace.line(131_000, "{\"ev\":\"job.ack\",\"job\":\"J1\",\"state\":\"FAILED\"}");
        createRefused(3, 300_000, false);
        createRefused(4, 400_000, true);
        createRefused(5, 700_000, false);
        createRefused(6, 900_000, false);
        Verdict verdict = judge();
        assertEquals(Status.FAIL, verdict.status(), verdict.message());
        assertTrue(verdict.message().contains("still attempted 3 times"), verdict.message());
    }
}
