package org.upcert.conformance.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.upcert.api.Asset;
import org.upcert.api.AssetResource;
import org.upcert.conformance.evidence.RunEvidence;
import org.upcert.conformance.testing.HandWrittenTrace;
import org.upcert.conformance.verdict.Verdict;
import org.upcert.conformance.verdict.Verdict.Status;
import org.upcert.harness.library.SimulatedLibrary;

/**
 * RES-01 and a request whose answer was lost ({@code network.response-lost}), on hand-written
 * traces shaped like explore:815 (DropboxAddModeStyle, iOS 26.1): the photo's bytes reached the
 * first server, the device saw -1005, the extension learnt from the service that the file is
 * stored, acknowledged the job and answered COMPLETED; later the asset is deleted and the account
 * moves to another server, so at the end of the run the resource is not UPLOADED. Whether the
 * request stored the bytes is what the server answered it ({@code lostStatus} on the
 * {@code job.failed} line), then and there, not the end-of-run fate.
 */
class LostResponseLandedTest {
    private static final String ASSET = "A1";
    private static final String R = ASSET + "#PHOTO";

    /** The run: the lost request at 300 s (its {@code job.failed} ending in {@code lostTail}), COMPLETED at 682 s, deletion, move. */
    private static RunEvidence run(String cloud, String lostTail) {
        HandWrittenTrace trace = new HandWrittenTrace().os("26.1");
        trace.line(290_000, "{\"ev\":\"call.start\"}");
        trace.line("{\"ev\":\"job.create\",\"job\":\"J1\",\"resource\":\"" + R + "\",\"url\":\"{cloud}/2/files/upload\"}");
        trace.line("{\"ev\":\"call.end\",\"result\":\"PROCESSING\",\"outcome\":\"returned\"}");
        trace.line(300_000, "{\"ev\":\"fault.fire\",\"fault\":0,\"kind\":\"network.response-lost\",\"on\":\"transfer\"}");
        trace.line("{\"ev\":\"transfer.start\",\"job\":\"J1\"}");
        trace.line(301_000, "{\"ev\":\"job.failed\",\"job\":\"J1\",\"code\":-1005,\"reason\":\"the network connection was lost\""
                + lostTail + "}");
        trace.activation(2).line(682_000, "{\"ev\":\"call.start\"}");
        trace.line("{\"ev\":\"job.ack\",\"job\":\"J1\"}");
        trace.line("{\"ev\":\"call.end\",\"result\":\"COMPLETED\",\"outcome\":\"returned\"}");
        trace.line(1_140_000, "{\"ev\":\"library.delete\",\"asset\":\"" + ASSET + "\"}");
        trace.line(2_880_000, "{\"ev\":\"host.server\",\"fault\":2,\"server\":2,\"generation\":1,\"uploadBase\":\"{cloud2}/2/\"}");
        RunEvidence hand = trace.evidence();
        ObjectNode header = (ObjectNode) hand.header();
        header.put("cloud", cloud);
        SimulatedLibrary library = new SimulatedLibrary(List.of(new Asset(ASSET, Asset.MediaType.IMAGE,
                Instant.parse("2024-01-01T00:00:00Z"), List.of(new AssetResource(ASSET, AssetResource.ResourceType.PHOTO,
                        "IMG_0001.HEIC", "public.heic", 2_000_000)))));
        library.delete(ASSET);
        return new RunEvidence("test", 815, header, hand.events(), Set.of(), Set.of(), null, library, null);
    }

    private static Verdict res01(RunEvidence evidence) {
        return RuleCatalogue.judge("RES-01", evidence);
    }

    /** RES-01 on {@link #run}: FAIL, the photo counted as work at the COMPLETED. */
    private static void fails(String cloud, String lostTail) {
        Verdict verdict = res01(run(cloud, lostTail));
        assertEquals(Status.FAIL, verdict.status(), verdict.message());
        assertTrue(verdict.message().contains("neither uploaded nor in a job (first " + R + ")"), verdict.message());
    }

    @Test
    @DisplayName("RES-01: the server answered the lost request 200 (stored); COMPLETED before the deletion and the move: PASS")
    void aLostAnswerThatStoredIsUploadedThen() {
        RunEvidence evidence = run("dropbox", ",\"lostStatus\":200");
        assertEquals(ResourceFates.Fate.INELIGIBLE, ResourceFates.of(evidence).of(R).fate(),
                "the end-of-run fate says deleted, not uploaded");
        Verdict verdict = res01(evidence);
        assertEquals(Status.PASS, verdict.status(), verdict.message());
    }

    @Test
    @DisplayName("RES-01: the server answered the lost request 500 (stored nothing) and the extension answered COMPLETED: FAIL")
    void aLostAnswerThatStoredNothingIsWork() {
        fails("dropbox", ",\"lostStatus\":500");
    }

    @Test
    @DisplayName("RES-01: a two-phase cloud (Google Photos) stores no item for the bytes' 200: the commit does; COMPLETED: FAIL")
    void twoPhaseBytesAreNoItem() {
        fails("google-photos", ",\"lostStatus\":200");
    }

    @Test
    @DisplayName("RES-01: a trace written before lostStatus keeps the end-of-run reading (not in the cloud at the end): FAIL")
    void tracesWithoutTheFieldReadAsBefore() {
        fails("dropbox", "");
    }
}
